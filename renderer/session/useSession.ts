import { useStore } from 'zustand';
import { useFeatureStore, type FeatureStoreFactory } from '../stores/context';
import { createSessionStore, type SessionUiState } from './store';

/** The session view's store of one window (stores/context.tsx `useFeatureStore`), subscribed to command output while the stores are connected. */
const sessionStore: FeatureStoreFactory<SessionUiState> = ({ api }) => {
  const store = createSessionStore(api);
  return { store, connect: () => store.getState().actions.connect() };
};

/** Reads the session view's store through a selector. */
export function useSession<T>(selector: (s: SessionUiState) => T): T {
  return useStore(useFeatureStore(sessionStore), selector);
}
