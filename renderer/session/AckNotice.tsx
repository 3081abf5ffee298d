import { formatLocalTime, formatRelative } from '../format';
import { hrefOf } from '../routes';
import { AckResponseForm } from '../evidence/AckResponseForm';
import { useClock, useStatus } from '../stores/context';

const code = (c: string) => `${c.slice(0, 5)}-${c.slice(5)}`;

/**
 * Beside the countdown (issue 16): while the incident commander's acknowledgement of the
 * declaration is awaited, the code to read to them, how long until it is due, and the field for
 * their response code; once the window has passed, that verify will report it missing. Never
 * blocking unless the policy says before-actions (the service refuses actions then, in words).
 */
export function AckNotice({ sessionId }: { sessionId: string }) {
  const ack = useStatus((s) => s.snapshot?.acknowledgements?.[sessionId]?.find((a) => a.event === 'declared') ?? null);
  const observer = useStatus((s) => s.snapshot?.observer ?? false);
  const past = useClock((c) => (ack?.dueAt ? c.now > Date.parse(ack.dueAt) : false));
  const due = useClock((c) => (ack?.dueAt ? formatRelative(ack.dueAt, c.now) : ''));
  if (!ack || ack.state === 'confirmed' || ack.state === 'provisional' || (!ack.awaiting && !ack.finding)) return null;
  return (
    <div className={`banner ${past || ack.finding ? 'banner--blocking' : 'banner--warning'} sv-ack`} data-testid="ack-notice">
      <p>
        <strong>{ack.state === 'mismatched' ? "The commander's response does not match." : past ? "The incident commander's acknowledgement is overdue." : "Awaiting the incident commander's acknowledgement."}</strong>{' '}
        Read them the declaration code <strong className="mono ack-code">{code(ack.challenge)}</strong>
        {ack.dueAt && (
          <>
            {' '}
            — {past ? 'it was due' : 'due'} by <time dateTime={ack.dueAt}>{formatLocalTime(ack.dueAt)}</time> ({due}){past ? '; verify reports it missing until it is recorded' : ''}
          </>
        )}
        .
      </p>
      {!observer && <AckResponseForm sessionId={sessionId} event="declared" />}
      <p className="muted">
        <a href={hrefOf({ view: 'session', sessionId })}>The session page</a> shows where it stands.
      </p>
    </div>
  );
}
