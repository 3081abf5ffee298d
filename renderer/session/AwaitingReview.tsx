import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatLocalDateTime, formatRelative, formatUtc } from '../format';
import { useClock, useSession, useStatus } from '../stores/context';
import { shortCommit } from './Actions';

import './session.css';

/**
 * This host's closed sessions that await their post-incident review (issue 5 "Closing",
 * procedure.md §9), with the review due date: where a session goes once its closure is committed.
 * Derived from the snapshot, so it survives a restart; the commit of a closure made in this window
 * is shown beside it.
 */
export function AwaitingReview() {
  const closed = useStatus(useShallow((s) => (s.snapshot?.recent ?? []).filter((v) => v.mine && v.phase === 'closed').slice(0, 5)));
  const justClosed = useSession((s) => s.close.done);
  const now = useClock((s) => Math.floor(s.now / 60_000) * 60_000);
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
      <ul className="sv-awaiting-list">
        {closed.map((v) => (
          <li key={v.sessionId}>
            <p>
              <span className="mono sv-strong">{v.incidentId}</span> in {v.environment}, closed{' '}
              {v.closedAt && <time dateTime={v.closedAt}>{formatLocalDateTime(v.closedAt)}</time>}.
              {justClosed?.sessionId === v.sessionId && (
                <>
                  {' '}
                  Closure committed as evidence (commit <code title={justClosed.commit}>{shortCommit(justClosed.commit)}</code>).
                </>
              )}
            </p>
            {v.reviewDueAt && (
              <p className={v.reviewOverdue ? 'text-danger' : ''}>
                Review due by{' '}
                <strong>
                  <time dateTime={v.reviewDueAt}>{formatLocalDateTime(v.reviewDueAt)}</time>
                </strong>{' '}
                <span className="utc">({formatUtc(v.reviewDueAt)})</span> — {v.reviewOverdue ? 'overdue' : formatRelative(v.reviewDueAt, now)}. The reviewer must be a named person other than {v.operator.name}.
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
