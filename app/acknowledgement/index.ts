// The commander's offline acknowledgement (issue 16): codes (codes.ts) and where a session's stands (state.ts).
export * from './codes';
export * from './state';
