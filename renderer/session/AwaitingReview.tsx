import { useEffect, useRef } from 'react';
import { formatLocalDateTime, formatRelative, formatUtc } from '../format';
import { hrefOf } from '../routes';
import { useClock } from '../stores/context';
import { useSession } from './useSession';
import { CommitId } from '../evidence/CommitId';
import { overdueWords } from '../evidence/reviewDue';
import { useHostAwaitingReview } from './useHostAwaitingReview';

import './session.css';
import './sessionActions.css';

/**
 * This host's closed sessions that await their post-incident review (issue 5 "Closing",
 * procedure.md §9), with the review due date: where a session goes once its closure is committed.
 * Derived from the snapshot, so it survives a restart; the commit of a closure made in this window
 * is shown beside it.
 */
export function AwaitingReview() {
  const justClosed = useSession((s) => s.close.done);
  const now = useClock((s) => Math.floor(s.now / 60_000) * 60_000);
  // Overdue ones first and all of them (issue 7: a host shows its sessions overdue for review), then the next five due.
  const awaiting = useHostAwaitingReview(now);
  const closed = [...awaiting.filter((a) => a.overdue), ...awaiting.filter((a) => !a.overdue).slice(0, 5)].map((a) => ({ ...a.view, reviewOverdue: a.overdue }));
  const overdueCount = awaiting.filter((a) => a.overdue).length;
  const heading = useRef<HTMLHeadingElement>(null);
  const focusedFor = useRef<string | null>(null);

  // The panel the operator was working in is gone once the closure is committed: take the focus here.
  const shownJustClosed = justClosed && closed.some((v) => v.sessionId === justClosed.sessionId) ? justClosed.sessionId : null;
  useEffect(() => {
    if (shownJustClosed && focusedFor.current !== shownJustClosed) {
      focusedFor.current = shownJustClosed;
      heading.current?.focus();
    }
  }, [shownJustClosed]);

  if (closed.length === 0) return null;
  return (
    <section className="sv-awaiting" aria-labelledby="awaiting-heading">
      <h2 id="awaiting-heading" ref={heading} tabIndex={-1}>
        Closed — awaiting review
      </h2>
      {overdueCount > 0 && (
        <p className="sv-overdue-count" data-testid="home-overdue-count">
          <span aria-hidden="true">⚠ </span>
          {overdueCount === 1 ? '1 session of this host is overdue for review.' : `${overdueCount} sessions of this host are overdue for review.`}
        </p>
      )}
      <ul className="stack bare-list sv-awaiting-list">
        {closed.map((v) => (
          <li key={v.sessionId} className={v.reviewOverdue ? 'sv-awaiting--overdue' : undefined} data-session={v.sessionId}>
            <p>
              <span className="mono sv-strong">{v.incidentId}</span> in {v.environment}, closed{' '}
              {v.closedAt && <time dateTime={v.closedAt}>{formatLocalDateTime(v.closedAt)}</time>}.
              {justClosed?.sessionId === v.sessionId && (
                <>
                  {' '}
                  Closure committed as evidence (commit <CommitId commit={justClosed.commit} short />).
                </>
              )}
            </p>
            {v.reviewDueAt && (
              <p className={v.reviewOverdue ? 'text-danger' : ''}>
                Review due by{' '}
                <strong>
                  <time dateTime={v.reviewDueAt}>{formatLocalDateTime(v.reviewDueAt)}</time>
                </strong>{' '}
                <span className="utc">({formatUtc(v.reviewDueAt)})</span> — {v.reviewOverdue ? <strong data-testid="overdue">{overdueWords(v.reviewDueAt, now)}</strong> : formatRelative(v.reviewDueAt, now)}. The reviewer must be a named person other than {v.operator.name}.
              </p>
            )}
            <p>
              <a href={hrefOf({ view: 'review', sessionId: v.sessionId })}>Review form for {v.incidentId}</a>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
