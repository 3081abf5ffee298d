import { useId } from 'react';
import type { RecordType } from '../../app/records';
import type { TimelineEntry } from '../../app/views';
import { assertNever, formatCount, formatLocalTime, formatUtc } from '../format';
import { useSession } from '../stores/context';
import { shortCommit } from './Actions';

const NONE: readonly TimelineEntry[] = [];

/** How each record type reads in the timeline. */
export function recordLabel(type: RecordType): string {
  switch (type) {
    case 'declared':
      return 'Declared';
    case 'action':
      return 'Action';
    case 'note':
      return 'Note';
    case 'extended':
      return 'Extended';
    case 'expired':
      return 'Expired';
    case 'closed':
      return 'Closed';
    case 'reviewed':
      return 'Reviewed';
    case 'lock-recovered':
      return 'Lock recovered';
    case 'clock-skew':
      return 'Clock skew';
    case 'policy-adopted':
      return 'Policy adopted';
    default:
      return assertNever(type);
  }
}

function pushLabel(pushed: boolean | null): string {
  return pushed === null ? 'Local only' : pushed ? 'Pushed' : 'Pending';
}

/** Everything recorded in the session (issue 5): time, type, summary, evidence commit, pushed or pending. */
export function Timeline({ sessionId, incidentId }: { sessionId: string; incidentId: string }) {
  const id = useId();
  const entries = useSession((s) => s.timelines[sessionId]?.entries ?? NONE);
  const error = useSession((s) => s.timelines[sessionId]?.error ?? null);
  return (
    <section className="sv-timeline" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        Timeline <span className="muted mono">{incidentId}</span>
      </h2>
      <p className="sv-hint">Every record of this session as committed to the evidence repository, oldest first.</p>
      {error && (
        <p className="sv-field-error" role="alert">
          The timeline could not be read: {error.message}
        </p>
      )}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Record</th>
                <th scope="col">Summary</th>
                <th scope="col">Evidence commit</th>
                <th scope="col">Push</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                // A short name per row (type and time) rather than the whole summary read twice.
                <tr key={e.seq} aria-label={`${recordLabel(e.type)}, ${formatLocalTime(e.at)}`}>
                  <td className="nowrap">
                    <time dateTime={e.at}>{formatLocalTime(e.at)}</time>
                    <span className="utc block">{formatUtc(e.at, { seconds: true })}</span>
                  </td>
                  <td>
                    <span className={`sv-rec sv-rec--${e.type}`}>{recordLabel(e.type)}</span>
                  </td>
                  <td className="sv-timeline-summary">
                    {e.summary}
                    {e.redactions > 0 && <span className="muted"> · {formatCount(e.redactions, 'secret')} redacted</span>}
                  </td>
                  <td>
                    <code title={e.commit}>{shortCommit(e.commit)}</code>
                  </td>
                  <td>
                    <span className={`sv-push-state sv-push-state--${e.pushed === null ? 'local' : e.pushed ? 'pushed' : 'pending'}`}>{pushLabel(e.pushed)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** "5 min 3 s", "45 s", "2 h 1 min". */
export function formatSkew(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m > 0) return `${m} min${sec ? ` ${sec} s` : ''}`;
  return `${sec} s`;
}

/** The signed jump of a clock-skew entry, in seconds, from its summary ("Wall clock jumped -300 s"). */
export function skewSeconds(entry: Pick<TimelineEntry, 'summary'>): number | null {
  const m = /(-?\d+) s\b/.exec(entry.summary);
  return m ? Number(m[1]) : null;
}

/**
 * A wall-clock jump the service recorded (issue 5): shown to the operator with the assurance that
 * the expiry did not move. The countdown follows the wall clock, as the service does.
 */
export function ClockSkewNotice({ sessionId, expiresAt }: { sessionId: string; expiresAt: string }) {
  const entries = useSession((s) => s.timelines[sessionId]?.entries ?? NONE);
  const skews = entries.filter((e) => e.type === 'clock-skew');
  const last = skews[skews.length - 1];
  if (!last) return null;
  const jump = skewSeconds(last);
  return (
    <div className="banner banner--warning sv-skew" role="status">
      <p>
        <strong>
          The system clock jumped {jump === null ? '' : `${jump < 0 ? 'back' : 'forward'} by ${formatSkew(jump)} `}at <time dateTime={last.at}>{formatLocalTime(last.at)}</time>.
        </strong>{' '}
        The expiry has not moved: <time dateTime={expiresAt}>{formatLocalTime(expiresAt)}</time> <span className="utc">({formatUtc(expiresAt, { seconds: true })})</span>. Time left is still counted to that instant, as the service counts it, so it changed by the size of the jump.
      </p>
      <p className="muted">
        Recorded as evidence (clock-skew, commit <code title={last.commit}>{shortCommit(last.commit)}</code>)
        {skews.length > 1 ? `; ${formatCount(skews.length, 'jump')} recorded in this session, see the timeline` : ''}.
      </p>
    </div>
  );
}
