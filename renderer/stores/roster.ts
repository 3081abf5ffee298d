import { createStore } from 'zustand/vanilla';
import type { ErrorInfo, RosterStatus } from '../../app/contract';
import { settle } from './bridge';
import type { FeatureStoreFactory } from './context';

/**
 * The roster's state (issue 15, `roster.status`): whether names are proven (a roster exists) or
 * only claimed ("Unsigned"), the trust anchor, and the keys the ssh-agent holds. The header and
 * the home screen's "Create the roster" read the same store, made once per window through
 * `useFeatureStore(rosterStore)`; it is read again whenever the repository's head moves (a roster
 * created here, by the CLI, or fetched from another host).
 */
export interface RosterState {
  /** Null until the first answer. */
  status: RosterStatus | null;
  error: ErrorInfo | null;
  /** A read is under way ("Check again" says so). */
  checking: boolean;
  actions: {
    load(): Promise<void>;
  };
}

/** The roster store's factory (one per set of stores). */
export const rosterStore: FeatureStoreFactory<RosterState> = (stores) => {
  const store = createStore<RosterState>()((set) => ({
    status: null,
    error: null,
    checking: false,
    actions: {
      async load() {
        set({ checking: true });
        const r = await settle(stores.api.roster.status({}));
        if (r.ok) set({ status: r.value, error: null, checking: false });
        else set({ error: r.error, checking: false });
      },
    },
  }));
  return {
    store,
    connect: () => {
      void store.getState().actions.load();
      return stores.status.subscribe((s, prev) => {
        if (s.snapshot?.repository.head !== prev.snapshot?.repository.head) void store.getState().actions.load();
      });
    },
  };
};
