import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, ErrorInfo, EventPayloads } from '../../app/contract';
import type { StatusSnapshot } from '../../app/views';
import { settle } from './bridge';

/**
 * The console's state as main derives it from the evidence (architecture.md "Data flows one way"):
 * the last snapshot from `status.get` or a `state.changed` event, and the last countdown warning.
 * Changed only through the actions below.
 */
export interface StatusState {
  phase: 'loading' | 'ready' | 'error';
  snapshot: StatusSnapshot | null;
  error: ErrorInfo | null;
  lastWarning: EventPayloads['countdown.warning'] | null;
  actions: {
    /** Asks main for a fresh snapshot. */
    load(): Promise<void>;
    /** Takes a snapshot pushed by main. */
    receive(snapshot: StatusSnapshot): void;
    /** Takes a countdown warning pushed by main. */
    warn(warning: EventPayloads['countdown.warning']): void;
  };
}

/** Creates the status store bound to one API (a fresh one per window and per test). */
export function createStatusStore(api: BreakGlassApi): StoreApi<StatusState> {
  return createStore<StatusState>()((set, get) => ({
    phase: 'loading',
    snapshot: null,
    error: null,
    lastWarning: null,
    actions: {
      async load() {
        if (get().snapshot === null) set({ phase: 'loading', error: null });
        const status = await settle(api.status.get({}));
        if (status.ok) set({ phase: 'ready', snapshot: status.value, error: null });
        else set({ phase: get().snapshot ? 'ready' : 'error', error: status.error });
      },
      receive(snapshot) {
        set({ phase: 'ready', snapshot, error: null });
      },
      warn(warning) {
        set({ lastWarning: warning });
      },
    },
  }));
}
