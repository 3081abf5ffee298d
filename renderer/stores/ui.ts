import { createStore, type StoreApi } from 'zustand/vanilla';

/** Screen state that is the renderer's own: whether the declaration region is open. */
export interface UiState {
  declareOpen: boolean;
  actions: {
    openDeclare(): void;
    closeDeclare(): void;
  };
}

/** Creates the UI store. */
export function createUiStore(): StoreApi<UiState> {
  return createStore<UiState>()((set) => ({
    declareOpen: false,
    actions: {
      openDeclare: () => set({ declareOpen: true }),
      closeDeclare: () => set({ declareOpen: false }),
    },
  }));
}
