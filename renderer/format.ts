import { wholeSecondsLeft } from '../app/countdown';
import { assertNever } from '../app/errors';
import type { PushStatus, SessionView } from '../app/views';
import type { PolicyProblem } from '../app/policy';

/**
 * Every figure the operator reads goes through Intl (issue 3): times in the local zone with the
 * UTC time beside them, relative times. The countdown's digits come from app/countdown.ts, shared
 * with the tray and the CLI. Formatters are built once.
 */

const count = new Intl.NumberFormat(undefined);
const localDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const localTime = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const localDate = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' });
const utcTime = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
const utcTimeSeconds = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
const utcDateTime = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
const utcDate = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
const relative = {
  long: new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'long' }),
  short: new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' }),
};
const list = new Intl.ListFormat(undefined, { style: 'long', type: 'conjunction' });
const plural = new Intl.PluralRules('en-US');

/** Whole seconds left until `expiresAt` at `now`, rounded up so that 00:00 shows only at the expiry instant. */
export function secondsLeft(expiresAt: string, now: number): number {
  return wholeSecondsLeft(Date.parse(expiresAt) - now);
}

/** The countdown as words, for assistive technology (`aria-label` of the timer). */
export function countdownWords(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const parts: string[] = [];
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) parts.push(unit(h, 'hour'));
  if (m > 0 || h > 0) parts.push(unit(m, 'minute'));
  parts.push(unit(s % 60, 'second'));
  return `${list.format(parts)} left`;
}

const units = new Map<string, Intl.NumberFormat>();
function unit(n: number, word: 'hour' | 'minute' | 'second'): string {
  let f = units.get(word);
  if (!f) units.set(word, (f = new Intl.NumberFormat(undefined, { style: 'unit', unit: word, unitDisplay: 'long' })));
  return f.format(n);
}

/** "Nov 28, 2026, 10:18 AM" in the local zone. */
export function formatLocalDateTime(iso: string): string {
  return localDateTime.format(new Date(iso));
}

/** "10:18:26 AM" in the local zone. */
export function formatLocalTime(iso: string): string {
  return localTime.format(new Date(iso));
}

/** The UTC time beside a local one; with the date too when the UTC date is not the local date. */
export function formatUtc(iso: string, options: { seconds?: boolean } = {}): string {
  const d = new Date(iso);
  if (localDate.format(d) !== utcDate.format(d)) return utcDateTime.format(d);
  return (options.seconds ? utcTimeSeconds : utcTime).format(d);
}

/** "in 2 minutes", "5 seconds ago" (the short style: "21 min. ago", for narrow places): the nearest sensible unit. */
export function formatRelative(iso: string, now: number, style: 'long' | 'short' = 'long'): string {
  const format = relative[style];
  const diff = (Date.parse(iso) - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 60) return format.format(Math.round(diff), 'second');
  if (abs < 3600) return format.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(diff / 3600), 'hour');
  return format.format(Math.round(diff / 86_400), 'day');
}

/**
 * How long ago something that has happened was ("5 seconds ago", "now"). The page's clock ticks
 * once a second and may trail the service's by up to a tick: an instant main just recorded must
 * not read "in 1 second".
 */
export function formatAgo(iso: string, now: number): string {
  return formatRelative(iso, Math.max(now, Date.parse(iso)));
}

/** "3 records", "1 record". */
export function formatCount(n: number, singular: string, pluralWord = `${singular}s`): string {
  return `${count.format(n)} ${plural.select(n) === 'one' ? singular : pluralWord}`;
}

/** A plain number in the user's locale. */
export function formatNumber(n: number): string {
  return count.format(n);
}

/** "a, b and c". */
export function formatList(items: readonly string[]): string {
  return list.format(items);
}

/** "Ada Lovelace <ada@example.com>". */
export function formatPerson(p: { name: string; email: string }): string {
  return `${p.name} <${p.email}>`;
}

/** One policy problem the way `breakglass` prints it: file:line: field: message. */
export function formatPolicyProblem(p: PolicyProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** The short sentence for the push state (header and the polite live region). */
export function pushSentence(p: PushStatus, now: number): string {
  switch (p.state) {
    case 'local-only':
      return 'Local only: no remote configured. Evidence is committed on this host.';
    case 'synced':
      return p.lastPushAt ? `Synced with the remote, last push ${formatRelative(p.lastPushAt, now)}.` : 'Synced with the remote.';
    case 'pending':
      return `${formatCount(p.pending, 'record')} waiting to be pushed.`;
    case 'offline':
      return `Remote unreachable since ${formatLocalTime(p.since)}${p.nextTryAt ? `, next try ${formatRelative(p.nextTryAt, now)}` : ''}. Evidence is safe on this host.`;
    case 'rejected':
      return `Push rejected by the remote: ${p.reason}`;
    case 'behind':
      return `Not synced: this host's history lost ${formatCount(p.missing, 'record')} the remote confirmed. Run verify.`;
    default:
      return assertNever(p, 'push state');
  }
}

/** How a session's state reads in lists. */
export function phaseLabel(s: SessionView): string {
  switch (s.phase) {
    case 'active':
      return 'Active';
    case 'expired':
      return 'Expired — awaiting closure';
    case 'closed':
      return s.reviewOverdue ? 'Closed — review overdue' : 'Closed — awaiting review';
    case 'reviewed':
      return s.reviewOutcome ? `Reviewed: ${s.reviewOutcome.replace(/-/g, ' ')}` : 'Reviewed';
    default:
      return assertNever(s.phase, 'session phase');
  }
}

/** A review's outcome in words ("Reviewed" when the outcome is not known). */
export function outcomeLabel(outcome: string | null): string {
  switch (outcome) {
    case 'justified':
      return 'Justified';
    case 'justified-with-findings':
      return 'Justified with findings';
    case 'not-justified':
      return 'Not justified';
    default:
      return 'Reviewed';
  }
}
