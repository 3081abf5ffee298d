import { createStore } from 'zustand/vanilla';
import type { ErrorInfo } from '../../app/contract';
import type { ForwardDestinationStatus } from '../../app/forwarding/status';
import { settle } from './bridge';
import type { FeatureStoreFactory } from './context';

/**
 * Forwarding to the SIEM and alert hooks (issue 19): each destination's state as main last
 * reported it (`forward.status`, then every `forward.changed`). The header and Settings read the
 * same store, made once per window through `useFeatureStore(forwardingStore)`.
 */
export interface ForwardingState {
  /** Null until the first answer. */
  destinations: ForwardDestinationStatus[] | null;
  error: ErrorInfo | null;
  actions: {
    load(): Promise<void>;
    receive(destinations: ForwardDestinationStatus[]): void;
  };
}

/** The forwarding store's factory (one per set of stores). */
export const forwardingStore: FeatureStoreFactory<ForwardingState> = (stores) => {
  const store = createStore<ForwardingState>()((set) => ({
    destinations: null,
    error: null,
    actions: {
      async load() {
        const r = await settle(stores.api.forward.status({}));
        if (r.ok) set({ destinations: r.value, error: null });
        else set({ error: r.error });
      },
      receive(destinations) {
        set({ destinations, error: null });
      },
    },
  }));
  return {
    store,
    connect: () => {
      const off = stores.api.on('forward.changed', (d) => store.getState().actions.receive(d));
      void store.getState().actions.load();
      // A policy commit can add or remove destinations without a delivery to report: follow the snapshots too.
      const unsubscribe = stores.status.subscribe((s, prev) => {
        if (s.snapshot?.repository.head !== prev.snapshot?.repository.head) void store.getState().actions.load();
      });
      return () => {
        off();
        unsubscribe();
      };
    },
  };
};
