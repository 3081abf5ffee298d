import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../app/contract';
import type { SessionDetail, SessionView } from '../../app/views';
import { formatRemaining } from '../../app/countdown';
import { countdownWords, formatLocalTime, formatAgo, phaseLabel, secondsLeft } from '../format';
import { ActionsSection } from '../evidence/ActionsSection';
import { ChainResult } from '../evidence/ChainResult';
import { SignatureResult } from '../evidence/SignatureResult';
import { ClosureSection } from '../evidence/ClosureSection';
import { DeclarationSection } from '../evidence/DeclarationSection';
import { ReviewsSection } from '../evidence/ReviewsSection';
import { RecordingsSection } from '../evidence/RecordingsSection';
import { RECORD_FACTS, SessionFacts } from '../evidence/SessionFacts';
import { TimelineSection } from '../evidence/TimelineSection';
import { ClockSection } from '../evidence/ClockSection';
import { hrefOf } from '../routes';
import { useClock, useStatus } from '../stores/context';
import { useSessionDetail } from '../stores/useSessionDetail';
import { ExportSection } from './ExportSection';
import { AcknowledgementSection } from './AcknowledgementSection';
import { WitnessSection } from './WitnessSection';
import './sessionPage.css';

const BOARD = hrefOf({ view: 'board' });

/**
 * A session's page (issue 6): who declared what and why, every record with its evidence commit,
 * the chain's verification, the actions with their (already redacted) output, the closure and the
 * reviews. It only reads (the session-detail source, `session.timeline`), so the commander's observer
 * console opens it too. Its sections are renderer/evidence/'s, shared with the review form.
 */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const load = useSessionDetail(sessionId);
  switch (load.phase) {
    case 'loading':
      return (
        <section className="sp" aria-labelledby="view-heading" aria-busy="true">
          <BackLink />
          <h2 id="view-heading" tabIndex={-1}>
            Session <span className="mono">{sessionId}</span>
          </h2>
          <p className="loading" role="status">
            Reading the session from the evidence repository…
          </p>
        </section>
      );
    case 'error':
      return <SessionError sessionId={sessionId} error={load.error} />;
    case 'ready':
      return <SessionBody detail={load.detail} refreshError={load.refreshError} />;
  }
}

function BackLink() {
  return (
    <p className="sp-back">
      <a href={BOARD}>← Back to the board</a>
    </p>
  );
}

function SessionError({ sessionId, error }: { sessionId: string; error: ErrorInfo }) {
  return (
    <section className="sp" aria-labelledby="view-heading">
      <BackLink />
      <h2 id="view-heading" tabIndex={-1}>
        Session <span className="mono">{sessionId}</span>
      </h2>
      <div className="banner banner--blocking" role="alert">
        <p>
          <strong>{error.message}</strong>
        </p>
        <p>
          {error.field === 'sessionId'
            ? 'It may belong to another host whose records have not been fetched yet, or the address is mistyped.'
            : 'The session could not be read.'}{' '}
          <a href={BOARD}>Go to the board</a> to see every session this repository knows.
        </p>
      </div>
    </section>
  );
}

function SessionBody({ detail, refreshError }: { detail: SessionDetail; refreshError: ErrorInfo | null }) {
  const { session } = detail;
  return (
    <section className="sp" aria-labelledby="view-heading">
      <BackLink />
      <SessionHeader session={session} asOf={detail.asOf} />
      {refreshError && (
        <p className="banner banner--warning" role="alert">
          This page could not be refreshed ({refreshError.message}); it shows the session as last read.
        </p>
      )}
      <ChainResult detail={detail} />
      <SignatureResult detail={detail} />
      <AcknowledgementSection detail={detail} />
      <WitnessSection detail={detail} />
      <DeclarationSection detail={detail} />
      <TimelineSection timeline={detail.timeline} />
      <ClockSection timeline={detail.timeline} session={session} />
      <ActionsSection timeline={detail.timeline} />
      <RecordingsSection sessionId={session.sessionId} records={detail.timeline.length} />
      <ClosureSection timeline={detail.timeline} session={session} />
      <ReviewsSection detail={detail} />
      <ExportSection sessionId={session.sessionId} />
    </section>
  );
}

function stateClass(s: SessionView): string {
  if (s.phase === 'closed' && s.reviewOverdue) return 'overdue';
  return s.phase;
}

/** Who, what, where and until when; for another host's session, how fresh this page is. */
function SessionHeader({ session: s, asOf }: { session: SessionView; asOf: string | null }) {
  return (
    <header className="sp-head card">
      <div className="sp-title">
        <h2 id="view-heading" tabIndex={-1}>
          Session {s.incidentId}
        </h2>
        <span className={`state state--${stateClass(s)}`}>
          <LivePhase session={s} />
        </span>
      </div>
      <p className="sp-id">
        <span className="mono">{s.sessionId}</span>
      </p>
      {!s.mine && <Staleness session={s} asOf={asOf} />}
      <SessionFacts session={s} facts={RECORD_FACTS} className="sp-facts" expiryExtra={s.phase === 'active' && <LiveCountdown session={s} />} />
    </header>
  );
}

/** The phase as derived, except that an active session whose expiry has passed on this clock reads as expired. */
function LivePhase({ session }: { session: SessionView }) {
  const passed = useClock((c) => session.phase === 'active' && secondsLeft(session.expiresAt, c.now) === 0);
  return <>{passed ? 'Expired — awaiting closure' : phaseLabel(session)}</>;
}

/** Time left, from the absolute expiry and a fresh clock reading every second (procedure.md §5). */
function LiveCountdown({ session }: { session: SessionView }) {
  const secs = useClock((c) => secondsLeft(session.expiresAt, c.now));
  if (secs === 0) return <span className="block text-danger">Expired: the session's credentials are no longer valid.</span>;
  return (
    <span className="block sp-countdown" role="timer" aria-label={countdownWords(secs)}>
      <span className="mono">{formatRemaining(secs * 1000)}</span> left
    </span>
  );
}

/** Another host's session: what is shown is only as fresh as the last fetch (a commander must never mistake old data for live). */
function Staleness({ session, asOf }: { session: SessionView; asOf: string | null }) {
  const remote = useStatus((s) => s.snapshot?.repository.remote ?? null);
  const relative = useClock((c) => (asOf ? formatAgo(asOf, c.now) : ''));
  let text: ReactNode;
  if (asOf) {
    text = (
      <>
        As of the last fetch {relative} (<time dateTime={asOf}>{formatLocalTime(asOf)}</time>): records made on {session.host.name} since then are not shown yet.
      </>
    );
  } else if (remote === null) text = `Local only: this console has no remote, so nothing newer from ${session.host.name} can arrive here.`;
  else text = `Never fetched from the remote yet: records made on ${session.host.name} may be missing.`;
  return (
    <p className="callout callout--warn sp-stale" data-testid="staleness">
      <strong>Recorded on another host.</strong> {text}
    </p>
  );
}
