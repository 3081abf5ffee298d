import type { BreakGlassApi } from '../app/contract';

declare global {
  /** The preload's API (app/api.ts `buildApi`): the renderer's only way out of the page. */
  interface Window {
    breakglass: BreakGlassApi;
  }
}

export {};
