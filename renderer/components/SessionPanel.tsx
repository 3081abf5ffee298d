import type { SessionView } from '../../app/views';
import { countdownWords, formatCountdown, formatList, formatLocalDateTime, formatLocalTime, formatPerson, formatUtc, secondsLeft } from '../format';
import { useClock, useStatus } from '../stores/context';

/** The seed's wording for each trigger (procedure.md §2). */
export const TRIGGER_LABELS: Record<string, string> = {
  'signing-keys-unavailable': 'Loss or unavailability of cryptographic signing keys',
  'backend-lock-integrity': 'Backend lock integrity prevents recovery',
  'prolonged-outage': 'Prolonged system outage or imminent impact to customers or regulators',
};

/** One of this host's open sessions: active with its live countdown, or expired awaiting closure. */
export function SessionPanel({ session }: { session: SessionView }) {
  const headingId = `session-${session.sessionId}`;
  const expired = session.phase === 'expired';
  return (
    <article className={`session ${expired ? 'session--expired' : 'session--active'}`} aria-labelledby={headingId}>
      <div className="session-head">
        <h2 id={headingId}>
          {expired ? 'Expired session' : 'Active break-glass session'} <span className="session-incident">{session.incidentId}</span>
        </h2>
        <span className="env-pill">{session.environment}</span>
      </div>
      <div className="session-body">
        {expired ? <ExpiredNotice session={session} /> : <Countdown session={session} />}
        <dl className="facts">
          <div>
            <dt>Incident</dt>
            <dd className="mono">{session.incidentId}</dd>
          </div>
          <div>
            <dt>Environment</dt>
            <dd>{session.environment}</dd>
          </div>
          <div>
            <dt>Scopes</dt>
            <dd>
              <ul className="chips" aria-label={formatList(session.scopes)}>
                {session.scopes.map((s) => (
                  <li key={s} className="chip">{s}</li>
                ))}
              </ul>
            </dd>
          </div>
          <div>
            <dt>Operator</dt>
            <dd>{formatPerson(session.operator)}</dd>
          </div>
          <div>
            <dt>Trigger</dt>
            <dd>{TRIGGER_LABELS[session.trigger] ?? session.trigger}</dd>
          </div>
          <div>
            <dt>Declared</dt>
            <dd>
              <time dateTime={session.declaredAt}>{formatLocalDateTime(session.declaredAt)}</time>
              <span className="utc block">{formatUtc(session.declaredAt)}</span>
            </dd>
          </div>
          {session.extensions > 0 && (
            <div>
              <dt>Extensions</dt>
              <dd>{session.extensions}</dd>
            </div>
          )}
          <div>
            <dt>Session</dt>
            <dd className="mono">{session.sessionId}</dd>
          </div>
        </dl>
      </div>
    </article>
  );
}

/** The live countdown: recomputed from the absolute expiry on every tick, never decremented. */
function Countdown({ session }: { session: SessionView }) {
  const secs = useClock((s) => secondsLeft(session.expiresAt, s.now));
  const thresholds = useStatus((s) => s.warningMinutes);
  const first = Math.max(...thresholds) * 60;
  const last = Math.min(...thresholds) * 60;
  const level = secs <= last ? 'critical' : secs <= first ? 'warning' : 'calm';
  return (
    <div className={`countdown countdown--${level}`}>
      <p className="countdown-label" id={`cd-${session.sessionId}`}>Time left</p>
      <p className="countdown-value" role="timer" aria-labelledby={`cd-${session.sessionId}`} aria-describedby={`cdw-${session.sessionId}`}>
        {formatCountdown(secs)}
      </p>
      <p className="visually-hidden" id={`cdw-${session.sessionId}`}>{countdownWords(secs)}</p>
      <p className="countdown-expiry">
        {secs > 0 ? 'Expires at ' : 'Expiring now: '}
        <time dateTime={session.expiresAt}>{formatLocalTime(session.expiresAt)}</time> <span className="utc">({formatUtc(session.expiresAt, { seconds: true })})</span>
      </p>
      {level !== 'calm' && secs > 0 && (
        <p className="countdown-note">
          {level === 'critical' ? 'Less than a minute left: finish or record a note now.' : 'Expiry is near. Extending needs a new justification.'}
        </p>
      )}
    </div>
  );
}

function ExpiredNotice({ session }: { session: SessionView }) {
  return (
    <div className="countdown countdown--expired">
      <p className="countdown-label">State</p>
      <p className="expired-value">Expired — awaiting closure</p>
      <p className="countdown-expiry">
        Expired at <time dateTime={session.expiresAt}>{formatLocalDateTime(session.expiresAt)}</time>{' '}
        <span className="utc">({formatUtc(session.expiresAt, { seconds: true })})</span>
      </p>
      <p className="countdown-note">
        Break-glass access has ended. Close the session with its reversal record: <code>breakglass close --file closure.json</code>
      </p>
    </div>
  );
}
