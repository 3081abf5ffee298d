import type { TimelineEntry } from '../../app/views';
import { formatLocalDateTime, formatLocalTime, formatUtc } from '../format';

/**
 * Small pieces the session page's sections share: times with their UTC, commit ids, durations,
 * command lines, and the words for recorded answers.
 */

/** A local date and time with its UTC beside it; the exact ISO instant in the title. */
export function Stamp({ iso, timeOnly = false }: { iso: string; timeOnly?: boolean }) {
  return (
    <span className="sp-stamp">
      <time dateTime={iso} title={`${formatLocalDateTime(iso)} — ${iso}`}>
        {timeOnly ? formatLocalTime(iso) : formatLocalDateTime(iso)}
      </time>{' '}
      <span className="utc">({formatUtc(iso, { seconds: timeOnly })})</span>
    </span>
  );
}

/**
 * An evidence commit: the first characters are what fits, the whole id is the text (so selecting
 * it, one click, copies all of it) and the title.
 */
export function CommitId({ commit }: { commit: string }) {
  return (
    <code className="sp-commit" title={commit} data-commit={commit}>
      {commit}
    </code>
  );
}

/** "850 ms", "4.2 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** argv as a person would type it: words with spaces or shell characters in single quotes. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (a !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** How a control's closing answer reads. */
export function restoredLabel(answer: 'yes' | 'no' | 'not-applicable'): string {
  return answer === 'yes' ? 'Yes' : answer === 'no' ? 'No' : 'Not applicable';
}

/** Whether a record reached the remote, as its badge says it. */
export function PushBadge({ pushed }: { pushed: TimelineEntry['pushed'] }) {
  const [kind, label] = pushed === null ? ['local', 'Local only'] : pushed ? ['pushed', 'Pushed'] : ['pending', 'Pending'];
  return <span className={`sp-badge sp-badge--${kind}`}>{label}</span>;
}

/** The record of one type in a timeline entry, typed. */
export function recordsOf<T extends TimelineEntry['record']['type']>(timeline: readonly TimelineEntry[], type: T): Array<{ entry: TimelineEntry; record: Extract<TimelineEntry['record'], { type: T }> }> {
  return timeline
    .filter((e) => e.record.type === type)
    .map((e) => ({ entry: e, record: e.record as Extract<TimelineEntry['record'], { type: T }> }));
}
