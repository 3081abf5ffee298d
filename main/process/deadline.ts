/**
 * Fires once when the wall clock reaches `at` (issue 12 item 9). Node's setTimeout takes at most
 * 2^31-1 ms (24.8 days); a longer delay silently becomes 1 ms, which stopped every command of a
 * long session at once as "stopped by expiry". So the wait is armed in bounded steps, and each
 * step asks the clock again: a clock that moved, or a machine that slept through the deadline,
 * is noticed within one step instead of whenever the original delay runs out.
 */

/** The longest single wait. */
export const MAX_DEADLINE_STEP_MS = 60_000;

/** An armed deadline. */
export interface Deadline {
  cancel(): void;
}

/** Calls `fire` once `now()` reaches `at` (at once if it already has). Unref'd: it never keeps the process alive by itself. */
export function armDeadline(at: number, fire: () => void, now: () => number = Date.now, maxStepMs = MAX_DEADLINE_STEP_MS): Deadline {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cancelled = false;
  const step = () => {
    timer = null;
    if (cancelled) return;
    const left = at - now();
    if (left <= 0) {
      cancelled = true;
      fire();
      return;
    }
    timer = setTimeout(step, Math.min(left, maxStepMs));
    timer.unref?.();
  };
  step();
  return {
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
