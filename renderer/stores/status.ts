import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, ErrorInfo, EventPayloads } from '../../app/contract';
import type { StatusSnapshot } from '../../app/views';

/** The policy's default warning thresholds (procedure.md §5), until `policy.get` answers. */
export const DEFAULT_WARNING_MINUTES: readonly number[] = [10, 5, 1];

/**
 * The console's state as main derives it from the evidence (architecture.md "Data flows one way"):
 * the last snapshot from `status.get` or a `state.changed` event, and the last countdown warning.
 * Changed only through the actions below.
 */
export interface StatusState {
  phase: 'loading' | 'ready' | 'error';
  snapshot: StatusSnapshot | null;
  error: ErrorInfo | null;
  /** The policy's warning thresholds in minutes, for the countdown's emphasis. */
  warningMinutes: readonly number[];
  lastWarning: EventPayloads['countdown.warning'] | null;
  actions: {
    /** Asks main for a fresh snapshot (and the warning thresholds). */
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
    warningMinutes: DEFAULT_WARNING_MINUTES,
    lastWarning: null,
    actions: {
      async load() {
        if (get().snapshot === null) set({ phase: 'loading', error: null });
        const [status, policy] = await Promise.all([
          api.status.get({}).catch((e: unknown) => bridgeFailure(e)),
          api.policy.get({}).catch(() => null),
        ]);
        if (policy?.ok && policy.value.policy) set({ warningMinutes: [...policy.value.policy.warningMinutes].sort((a, b) => b - a) });
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

/** A transport failure (not an envelope) as an error the screen can show. */
export function bridgeFailure(e: unknown): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code: 'internal', message: `The console could not reach its service: ${e instanceof Error ? e.message : String(e)}` } };
}
