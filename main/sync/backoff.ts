/** Network calls get a hard timeout: a blackholed address otherwise hangs git for minutes. */
export const NETWORK_TIMEOUT_MS = 20_000;

/**
 * Backoff between attempts while the remote fails: exponential with full jitter, capped at 5
 * minutes (issue 2). The push outbox and the board's fetch schedule both wait this long.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5 * 60_000, 2_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}
