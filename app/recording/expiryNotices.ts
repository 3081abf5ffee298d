// What the governed shell is told as its session runs out (issue 17, "Expiry and close reach the
// shell"): a line at each of the policy's warning thresholds, and a last line at expiry saying why
// the shell ends. The lines are written into the terminal (shown and recorded), never typed into it.

/** A notice due at `at` (epoch ms): a warning `minutes` before expiry, or the expiry itself. */
export type ShellNotice =
  | { kind: 'warning'; at: number; minutes: number; text: string }
  | { kind: 'expiry'; at: number; text: string };

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** The terminal line for a warning with `minutes` left before `expiresAt`. */
export function warningLine(minutes: number, expiresAt: number): string {
  return `\r\n[break-glass] ${minutes} minute${minutes === 1 ? '' : 's'} left: the session expires at ${hhmm(expiresAt)} UTC.\r\n`;
}

/** The last line a shell gets, saying why it ends (expiry, or the session being closed). */
export function endLine(how: 'expiry' | 'close', at: number): string {
  return how === 'expiry'
    ? `\r\n[break-glass] The session expired at ${hhmm(at)} UTC: this shell and everything it started are being ended.\r\n`
    : `\r\n[break-glass] The session was closed at ${hhmm(at)} UTC: this shell and everything it started are being ended.\r\n`;
}

/**
 * The next notice after `nowMs`, skipping warnings already given and thresholds already passed
 * (a shell opened 3 minutes before expiry gets the 1-minute warning, not a late 5-minute one).
 */
export function nextShellNotice(expiresAt: number, warningMinutes: readonly number[], nowMs: number, given: ReadonlySet<number>): ShellNotice {
  const due = [...warningMinutes]
    .sort((a, b) => b - a)
    .map((minutes) => ({ minutes, at: expiresAt - minutes * 60_000 }))
    .find((w) => !given.has(w.minutes) && w.at >= nowMs - 1_000 && w.at < expiresAt);
  if (due) return { kind: 'warning', at: due.at, minutes: due.minutes, text: warningLine(due.minutes, expiresAt) };
  return { kind: 'expiry', at: expiresAt, text: endLine('expiry', expiresAt) };
}
