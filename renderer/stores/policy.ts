import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, CallOutput, ErrorInfo } from '../../app/contract';
import type { Policy } from '../../app/policy';
import { settle } from './bridge';
import type { StatusState } from './status';

/** The policy's default warning thresholds (procedure.md §5), until `policy.get` answers. */
export const DEFAULT_WARNING_MINUTES: readonly number[] = [10, 5, 1];

/**
 * The policy in force (`policy.get`), read once for the whole window and again only when the
 * snapshot says its SHA-256 changed (a pull, an edit committed to the repository). The one place
 * the renderer reads the policy: the wizard validates with it, the extension dialog shows its
 * caps, the review form names the environment's other scopes, the countdown takes its thresholds.
 */
export interface PolicyState {
  /** The policy, or null until read (and while the repository's policy is invalid). */
  policy: Policy | null;
  /** The last answer as the service gave it (source and problems), null until one arrived. */
  answer: CallOutput<'policy.get'> | null;
  /** The SHA-256 the last read answered for (from the snapshot), to know when to read again. */
  readFor: string | null;
  /** Why the last read failed (the transport, not an invalid policy: that is `answer.problems`). */
  error: ErrorInfo | null;
  /** The policy's warning thresholds in minutes, largest first (the defaults until read). */
  warningMinutes: readonly number[];
  actions: {
    /** Reads the policy unless the one held answers the snapshot's SHA-256; concurrent calls share one read. */
    load(): Promise<PolicyState>;
  };
}

/** Creates the policy source over one API; it follows the status store's snapshots. */
export function createPolicyStore(api: BreakGlassApi, status: StoreApi<StatusState>): StoreApi<PolicyState> {
  let reading: Promise<PolicyState> | null = null;
  const shaNow = () => {
    const p = status.getState().snapshot?.policy;
    return p?.ok ? p.sha256 : null;
  };
  const store = createStore<PolicyState>()((set, get) => ({
    policy: null,
    answer: null,
    readFor: null,
    error: null,
    warningMinutes: DEFAULT_WARNING_MINUTES,
    actions: {
      load() {
        if (reading) return reading;
        const s = get();
        if (s.answer && s.error === null && s.readFor === shaNow()) return Promise.resolve(s);
        reading = (async () => {
          const sha = shaNow();
          const r = await settle(api.policy.get({}));
          if (r.ok) {
            const policy = r.value.policy;
            set({
              policy,
              answer: r.value,
              // Read before the first snapshot (at start, beside status.get): it answers the SHA-256 that snapshot brought.
              readFor: sha ?? shaNow(),
              error: null,
              ...(policy ? { warningMinutes: [...policy.warningMinutes].sort((a, b) => b - a) } : {}),
            });
          } else set({ error: r.error });
          return get();
        })().finally(() => {
          reading = null;
        });
        return reading;
      },
    },
  }));
  // A new SHA-256 in the snapshot: the policy changed under the console; read the one now in force.
  status.subscribe((s, prev) => {
    const sha = s.snapshot?.policy.ok ? s.snapshot.policy.sha256 : null;
    const before = prev.snapshot?.policy.ok ? prev.snapshot.policy.sha256 : null;
    if (sha && sha !== before && store.getState().readFor !== sha) void store.getState().actions.load();
  });
  return store;
}
