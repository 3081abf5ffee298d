import { formatLocalDateTime, formatLocalTime, formatRelative } from '../format';

/**
 * Times on the board's narrow second lines. format.ts has the long forms the staleness line uses;
 * rows need shorter ones ("21 min. ago", a date without the time), still through Intl.
 */

const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;
const localDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const shortRelative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/** "21 min. ago", "in 3 days": like formatRelative, in the short style. */
export function formatRelativeShort(iso: string, now: number): string {
  const diff = (Date.parse(iso) - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 60) return shortRelative.format(Math.round(diff), 'second');
  if (abs < 3600) return shortRelative.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return shortRelative.format(Math.round(diff / 3600), 'hour');
  return shortRelative.format(Math.round(diff / 86_400), 'day');
}

/** Within a week of `now`, how long ago (short); beyond, the local date (a relative "412 days ago" says little). */
export function formatWhen(iso: string, now: number): string {
  return Math.abs(Date.parse(iso) - now) < WEEK_MS ? formatRelativeShort(iso, now) : localDate.format(new Date(iso));
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
  const ago = style === 'long' ? formatRelative(iso, now) : formatRelativeShort(iso, now);
  return `${ago} (${Math.abs(Date.parse(iso) - now) < DAY_MS ? formatLocalTime(iso) : formatLocalDateTime(iso)})`;
}
