import { memo, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatRemaining, wholeSecondsLeft } from '../../app/countdown';
import type { SessionView } from '../../app/views';
import { countdownWords, formatLocalDateTime, formatLocalTime, formatUtc } from '../format';
import { useClock, usePolicy } from '../stores/context';
import { levelAt, ringOffset, RING_CIRCUMFERENCE, RING_RADIUS, type Level } from './countdown';
import { useExpiryAlignedTicks } from './useExpiryAlignedTicks';

/**
 * The live countdown (issue 5): remaining time recomputed from the absolute expiry on every tick,
 * large, in tabular digits, with a ring for the share of the session left. Colour and wording
 * change at the policy's thresholds; the announcement and the OS notification come from the
 * service's `countdown.warning`, once per threshold. Only the digits and the ring re-render each
 * second; the rest only when the emphasis changes.
 */
export function Countdown({ session, children }: { session: SessionView; children?: ReactNode }) {
  const expiresAtMs = Date.parse(session.expiresAt);
  useExpiryAlignedTicks(expiresAtMs);
  const thresholds = usePolicy((s) => s.warningMinutes);
  const { level, threshold } = useClock(useShallow((s) => levelAt(wholeSecondsLeft(expiresAtMs - s.now), thresholds)));
  const reached = useClock((s) => s.now >= expiresAtMs);
  const id = session.sessionId;
  return (
    <div className={`countdown countdown--${level}${level === 'urgent' ? ' countdown--warning' : ''}`} data-level={level}>
      <div className="sv-countdown-main">
        <Ring expiresAtMs={expiresAtMs} totalMs={expiresAtMs - Date.parse(session.declaredAt)} />
        <div className="sv-countdown-text">
          <p className="countdown-label" id={`cd-${id}`}>
            Time left
          </p>
          <Digits expiresAtMs={expiresAtMs} id={id} />
        </div>
      </div>
      <p className="countdown-expiry">
        {reached ? 'Expiring now: ' : 'Expires at '}
        <ExpiryTime iso={session.expiresAt} />
      </p>
      {level !== 'calm' && threshold !== null && <p className="countdown-note">{wording(level, threshold)}</p>}
      {children}
    </div>
  );
}

/** The figure itself (MM:SS, H:MM:SS above an hour, via app/countdown.ts), and the same in words for assistive technology. */
const Digits = memo(function Digits({ expiresAtMs, id }: { expiresAtMs: number; id: string }) {
  const text = useClock((s) => formatRemaining(expiresAtMs - s.now));
  const secs = useClock((s) => wholeSecondsLeft(expiresAtMs - s.now));
  return (
    <>
      <p className={`countdown-value${text.length > 5 ? ' sv-countdown-value--long' : ''}`} role="timer" aria-labelledby={`cd-${id}`} aria-describedby={`cdw-${id}`}>
        {text}
      </p>
      <p className="visually-hidden" id={`cdw-${id}`}>
        {countdownWords(secs)}
      </p>
    </>
  );
});

/** The share of the session left, as a ring (an SVG whose geometry React sets as attributes: no inline style). */
const Ring = memo(function Ring({ expiresAtMs, totalMs }: { expiresAtMs: number; totalMs: number }) {
  const offset = useClock((s) => ringOffset(wholeSecondsLeft(expiresAtMs - s.now), totalMs));
  return (
    <svg className="sv-ring" viewBox="0 0 120 120" aria-hidden="true" focusable="false">
      <circle className="sv-ring-track" cx="60" cy="60" r={RING_RADIUS} />
      <circle className="sv-ring-bar" cx="60" cy="60" r={RING_RADIUS} strokeDasharray={RING_CIRCUMFERENCE} strokeDashoffset={offset} transform="rotate(-90 60 60)" />
    </svg>
  );
});

const ExpiryTime = memo(function ExpiryTime({ iso }: { iso: string }) {
  return (
    <>
      <time dateTime={iso} title={formatLocalDateTime(iso)}>
        {formatLocalTime(iso)}
      </time>{' '}
      <span className="utc">({formatUtc(iso, { seconds: true })})</span>
    </>
  );
});

function minutes(m: number): string {
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/** What each emphasis says: how close, and what is still possible. */
function wording(level: Exclude<Level, 'calm'>, threshold: number): string {
  switch (level) {
    case 'warning':
      return `${minutes(threshold)} or less left. Finish the work, or extend with a new justification.`;
    case 'urgent':
      return `${minutes(threshold)} or less left. Expiry is near. Extending needs a new justification.`;
    case 'critical':
      return `${minutes(threshold)} or less left: finish now or record a note. Running commands are stopped at expiry.`;
  }
}

/** The session after its expiry: "Expired — awaiting closure", with the close form one click away. */
export function ExpiredNotice({ session, recording, children }: { session: SessionView; recording: boolean; children?: ReactNode }) {
  return (
    <div className="countdown countdown--expired">
      <p className="countdown-label">State</p>
      <p className="expired-value" id={`expired-${session.sessionId}`} tabIndex={-1}>
        Expired — awaiting closure
      </p>
      <p className="countdown-expiry">
        Expired at <time dateTime={session.expiresAt}>{formatLocalDateTime(session.expiresAt)}</time>{' '}
        <span className="utc">({formatUtc(session.expiresAt, { seconds: true })})</span>
      </p>
      <p className="sv-expired-detail">
        {recording
          ? 'Recording the expiry as evidence…'
          : 'Break-glass access has ended: running commands were stopped, the environment export no longer works, and actions are refused.'}
      </p>
      {children}
      <p className="sv-expired-cli">
        From a terminal: <code>breakglass close --file closure.json</code>
      </p>
    </div>
  );
}
