/**
 * Countdown arithmetic for the active session view (issue 5, procedure.md §5). Everything is a
 * function of the absolute expiry and a fresh clock reading: nothing is ever decremented.
 */

/** The countdown's emphasis: calm, then one step per policy threshold crossed (default 10, 5, 1 minutes). */
export type Level = 'calm' | 'warning' | 'urgent' | 'critical';

/**
 * The emphasis at `secs` seconds left under thresholds in minutes: the first threshold crossed is
 * a warning, the last (smallest) is critical, any between are urgent. Returns the smallest
 * threshold crossed too, for the wording ("5 minutes or less left").
 */
export function levelAt(secs: number, thresholdMinutes: readonly number[]): { level: Level; threshold: number | null } {
  const desc = [...new Set(thresholdMinutes)].sort((a, b) => b - a);
  const crossed = desc.filter((m) => secs <= m * 60);
  if (crossed.length === 0) return { level: 'calm', threshold: null };
  const threshold = crossed[crossed.length - 1]!;
  if (crossed.length === desc.length) return { level: 'critical', threshold };
  return { level: crossed.length === 1 ? 'warning' : 'urgent', threshold };
}

/**
 * Milliseconds until the displayed second next changes: the next instant at which
 * `ceil((expiry - now) / 1000)` drops by one. Null once the expiry is reached.
 */
export function msToNextSecond(remainingMs: number): number | null {
  if (remainingMs <= 0) return null;
  return ((Math.ceil(remainingMs) - 1) % 1000) + 1;
}

/** Circumference of the progress ring's circle (radius in the SVG's own units). */
export const RING_RADIUS = 52;
export const RING_CIRCUMFERENCE = 2 * Math.PI * RING_RADIUS;

/** The ring's dash offset for the share of the session left (1 = full ring, 0 = empty). */
export function ringOffset(secsLeft: number, totalMs: number): number {
  const share = totalMs > 0 ? Math.min(1, Math.max(0, (secsLeft * 1000) / totalMs)) : 0;
  return RING_CIRCUMFERENCE * (1 - share);
}
