import { useEffect, useMemo, useRef } from 'react';
import type { SessionDetail } from '../../app/views';
import { ActionsSection } from '../evidence/ActionsSection';
import { ChainResult } from '../evidence/ChainResult';
import { SignatureResult } from '../evidence/SignatureResult';
import { ClosureSection } from '../evidence/ClosureSection';
import { DeclarationSection } from '../evidence/DeclarationSection';
import { RecordingsSection } from '../evidence/RecordingsSection';
import { RECORD_FACTS, SessionFacts } from '../evidence/SessionFacts';
import { TimelineSection } from '../evidence/TimelineSection';
import { hrefOf } from '../routes';
import { useStores, usePolicy } from '../stores/context';
import { useSessionDetail } from '../stores/useSessionDetail';
import { ScopesSection } from './ScopesSection';
import { sessionScopes } from './scopes';
import { Verdict } from './Verdict';
import { ErrorNotice } from '../forms/ErrorNotice';
import './reviews.css';

/**
 * The review form (issue 7, procedure.md §9): the whole session first, shown as the session page
 * shows it (renderer/evidence/), with the declared scopes against what the actions named, then the
 * reviewer's verdict. The session comes from the one session-detail source, so a review committed
 * here or fetched from elsewhere shows as soon as the ledger moves.
 */
export function ReviewForm({ sessionId }: { sessionId: string }) {
  const load = useSessionDetail(sessionId);
  const policy = usePolicy((s) => s.policy);
  const { details } = useStores();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const detail = load.phase === 'ready' ? load.detail : null;
  const loadError = load.phase === 'error' ? load.error : load.phase === 'ready' ? load.refreshError : null;
  const scopes = useMemo(() => (detail ? sessionScopes(detail, policy) : null), [detail, policy]);
  const phase = detail?.session.phase;
  const reviewable = phase === 'closed' || phase === 'reviewed';
  return (
    <section className="rv-view" aria-labelledby="view-heading" aria-busy={load.phase === 'loading'}>
      <p className="rv-crumbs">
        <a href={hrefOf({ view: 'reviews' })}>← Reviews</a>
      </p>
      <h2 id="view-heading" ref={heading} tabIndex={-1}>
        Review {detail ? <span className="mono">{detail.session.incidentId}</span> : null} <span className="muted mono rv-heading-id">{sessionId}</span>
      </h2>
      {loadError && (
        <ErrorNotice what="The session could not be read" message={loadError.message} />
      )}
      {load.phase === 'loading' && (
        <p role="status" className="muted">
          Reading the session…
        </p>
      )}
      {detail && scopes && (
        <>
          {!reviewable && <NotClosed detail={detail} />}
          <p className="rv-lead">
            Read the whole session, then give your verdict below.{' '}
            {reviewable && (
              <>
                <button type="button" className="button button-link rv-jump" onClick={() => document.getElementById('rv-verdict-heading')?.focus()}>
                  Go to the review form
                </button>{' '}
                ·{' '}
              </>
            )}
            <a href={hrefOf({ view: 'session', sessionId })}>Open the session page</a>
          </p>
          <ChainResult detail={detail} />
          <SignatureResult detail={detail} />
          <section className="card sp-section" aria-labelledby="rv-session-h">
            <h3 id="rv-session-h">Session</h3>
            <SessionFacts session={detail.session} facts={RECORD_FACTS} />
          </section>
          <DeclarationSection detail={detail} />
          <TimelineSection timeline={detail.timeline} />
          <ActionsSection timeline={detail.timeline} flagged={new Set(scopes.flagged)} />
          <RecordingsSection sessionId={detail.session.sessionId} records={detail.timeline.length} />
          <ScopesSection scopes={scopes} timeline={detail.timeline} />
          <ClosureSection timeline={detail.timeline} session={detail.session} />
          {reviewable && <Verdict detail={detail} onRefused={() => void details.getState().actions.refresh(sessionId)} />}
        </>
      )}
    </section>
  );
}

/** The form is not offered before closing: the lifecycle refuses a review of an open session (§8, §9). */
function NotClosed({ detail }: { detail: SessionDetail }) {
  const active = detail.session.phase === 'active';
  return (
    <div className="notice notice--warning rv-not-closed" role="note" data-testid="not-closed">
      <p>
        <strong>This session cannot be reviewed yet:</strong>{' '}
        {active
          ? 'it is still active. A review is possible only after the operator has closed it with its reversal record.'
          : 'it has expired but is not closed. The operator must close it with its reversal record first; then it can be reviewed.'}
      </p>
      <p>
        <a href={hrefOf({ view: 'session', sessionId: detail.session.sessionId })}>Open the session page</a>
      </p>
    </div>
  );
}
