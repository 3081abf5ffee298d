import { formatLocalDateTime, formatLocalTime, formatRelative } from '../format';

/**
 * Times on the board's narrow second lines. format.ts has the long forms the staleness line uses;
 * rows need shorter ones ("21 min. ago", a date without the time), still through Intl.
 */

const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;
const localDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** Within a week of `now`, how long ago (short); beyond, the local date (a relative "412 days ago" says little). */
export function formatWhen(iso: string, now: number): string {
  return Math.abs(Date.parse(iso) - now) < WEEK_MS ? formatRelative(iso, now, 'short') : localDate.format(new Date(iso));
}

/**
 * The clock to read a past instant against: the page's clock ticks once a second and may trail
 * main's by up to a tick, so an instant main just recorded must not read "in 1 second".
 */
export function pastNow(iso: string, now: number): number {
  return Math.max(now, Date.parse(iso));
}

/** "2 minutes ago (14:02:10)": how long ago, and the local time to compare with a wall clock. */
export function formatAgoAt(iso: string, now: number, style: 'long' | 'short' = 'long'): string {
  const ago = formatRelative(iso, now, style);
  return `${ago} (${Math.abs(Date.parse(iso) - now) < DAY_MS ? formatLocalTime(iso) : formatLocalDateTime(iso)})`;
}
