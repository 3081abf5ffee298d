import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, ErrorInfo } from '../../app/contract';
import type { PushStatus } from '../../app/views';
import { pushSentence } from '../format';
import { settle } from './bridge';

/**
 * Sync with the shared remote (procedure.md §7): the last push state main reported (in a
 * snapshot, a `push.changed` event or the answer to `push.now`), whether a "Push now" is in
 * flight, and the sentence last announced to assistive technology.
 */
export interface PushState {
  status: PushStatus | null;
  pushing: boolean;
  error: ErrorInfo | null;
  /** The sentence the polite live region announces: set when the push state changes, not on every tick. */
  announcement: string;
  actions: {
    /** Takes a push state from main. */
    receive(status: PushStatus): void;
    /** One fetch + merge + push attempt now (`push.now`). */
    pushNow(): Promise<void>;
  };
}

/** Creates the push store bound to one API. */
export function createPushStore(api: BreakGlassApi): StoreApi<PushState> {
  return createStore<PushState>()((set, get) => ({
    status: null,
    pushing: false,
    error: null,
    announcement: '',
    actions: {
      receive(status) {
        const previous = get().status;
        const changed = previous !== null && (previous.state !== status.state || pendingOf(previous) !== pendingOf(status));
        set({ status, ...(changed ? { announcement: `Evidence push: ${pushSentence(status, Date.now())}` } : {}) });
      },
      async pushNow() {
        if (get().pushing) return;
        set({ pushing: true, error: null });
        const r = await settle(api.push.now({}));
        set({ pushing: false });
        if (r.ok) get().actions.receive(r.value);
        else set({ error: r.error });
      },
    },
  }));
}

function pendingOf(p: PushStatus): number {
  return 'pending' in p ? p.pending : 0;
}
