import { createStore, type StoreApi } from 'zustand/vanilla';
import { hrefOf, parseHash, type Route } from '../routes';

/** Screen state that is the renderer's own: the view shown and whether the declaration region is open. */
export interface UiState {
  route: Route;
  declareOpen: boolean;
  actions: {
    openDeclare(): void;
    closeDeclare(): void;
    /** Shows a view (and puts it in the address, so back returns here). */
    navigate(route: Route): void;
    /** Follows the address (a link, back/forward, a reload). */
    syncFromLocation(): void;
  };
}

/** Creates the UI store. */
export function createUiStore(): StoreApi<UiState> {
  const location = typeof window === 'undefined' ? null : window.location;
  return createStore<UiState>()((set) => ({
    route: parseHash(location?.hash ?? ''),
    declareOpen: false,
    actions: {
      openDeclare: () => set({ declareOpen: true }),
      closeDeclare: () => set({ declareOpen: false }),
      navigate: (route) => {
        set({ route });
        if (location && location.hash !== hrefOf(route)) location.hash = hrefOf(route);
      },
      syncFromLocation: () => set({ route: parseHash(location?.hash ?? '') }),
    },
  }));
}
