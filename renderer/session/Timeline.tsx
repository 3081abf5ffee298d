import { useId } from 'react';
import type { TimelineEntry } from '../../app/views';
import { formatCount, formatLocalTime, formatUtc } from '../format';
import { CommitId } from '../evidence/CommitId';
import { TimelineTable } from '../evidence/TimelineTable';
import { ACTIVE_SESSION_COLUMNS } from '../evidence/timelineColumns';
import { useSessionDetail } from '../stores/useSessionDetail';
import { formatSkew, skewSeconds } from './clockSkew';

const NONE: readonly TimelineEntry[] = [];

/** The session's records from the shared session-detail source, and why they could not be read (the last good ones stay). */
function useTimeline(sessionId: string): { entries: readonly TimelineEntry[]; error: { message: string } | null } {
  const load = useSessionDetail(sessionId);
  if (load.phase === 'ready') return { entries: load.detail.timeline, error: load.refreshError };
  return { entries: NONE, error: load.phase === 'error' ? load.error : null };
}

/** Everything recorded in the session (issue 5): time, type, summary, evidence commit, pushed or pending. */
export function Timeline({ sessionId, incidentId }: { sessionId: string; incidentId: string }) {
  const id = useId();
  const { entries, error } = useTimeline(sessionId);
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
      {entries.length > 0 && <TimelineTable entries={entries} columns={ACTIVE_SESSION_COLUMNS} />}
    </section>
  );
}

/**
 * A wall-clock jump the service recorded (issue 5), shown to the operator. Measured against the
 * boot clock (issue 16), it says both elapsed times and that the session ends at the earlier of the
 * two deadlines; between two console ticks on a host without one, that the expiry did not move.
 * The countdown follows the wall clock, as the service does.
 */
export function ClockSkewNotice({ sessionId, expiresAt, wallExpiresAt }: { sessionId: string; expiresAt: string; wallExpiresAt?: string | undefined }) {
  const { entries } = useTimeline(sessionId);
  const skews = entries.filter((e) => e.type === 'clock-skew');
  const last = skews[skews.length - 1];
  if (!last) return null;
  const jump = skewSeconds(last);
  const elapsed = last.record.type === 'clock-skew' ? last.record.payload.elapsed : undefined;
  const expiry = (
    <>
      <time dateTime={expiresAt}>{formatLocalTime(expiresAt)}</time> <span className="utc">({formatUtc(expiresAt, { seconds: true })})</span>
    </>
  );
  return (
    <div className="banner banner--warning sv-skew" role="status">
      <p>
        <strong>
          The system clock jumped {jump === null ? '' : `${jump < 0 ? 'back' : 'forward'} by ${formatSkew(jump)} `}at <time dateTime={last.at}>{formatLocalTime(last.at)}</time>.
        </strong>{' '}
        {elapsed ? (
          <>
            Since record #{elapsed.sinceSeq} the wall clock counted {formatSkew(elapsed.wallMs / 1000)}{elapsed.wallMs < 0 ? ' backwards' : ''}, the boot clock {formatSkew(elapsed.bootMs / 1000)}: the boot clock counts time since this computer started, and setting the system time does not move it.{' '}
            {wallExpiresAt ? (
              <>The session now ends by the boot clock, at {expiry}, earlier than the wall clock's deadline (<time dateTime={wallExpiresAt}>{formatLocalTime(wallExpiresAt)}</time>).</>
            ) : (
              <>The session ends at the earlier of the two clocks' deadlines, the wall clock's: {expiry}.</>
            )}
          </>
        ) : (
          <>
            The expiry has not moved: {expiry}. Time left is still counted to that instant, as the service counts it, so it changed by the size of the jump.
          </>
        )}
      </p>
      <p className="muted">
        Recorded as evidence (clock-skew, commit <CommitId commit={last.commit} short />)
        {skews.length > 1 ? `; ${formatCount(skews.length, 'jump')} recorded in this session, see the timeline` : ''}.
      </p>
    </div>
  );
}
