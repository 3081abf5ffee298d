import { useEffect, useState, type ReactNode } from 'react';
import type { ErrorInfo } from '../../app/contract';
import type { BoardData, SessionView } from '../../app/views';
import { formatCount, formatRelative, outcomeLabel } from '../format';
import { Stamp } from '../evidence/Stamp';
import { hrefOf } from '../routes';
import { byReviewUrgency, overdueWords } from '../evidence/reviewDue';
import { settle } from '../stores/bridge';
import { useApi, useStatus } from '../stores/context';
import { ErrorNotice } from '../forms/ErrorNotice';
import { TableHead } from '../ui/TableHead';
import './reviews.css';

/** How many reviewed sessions the collapsed list shows (the newest). */
const RECENTLY_REVIEWED = 20;

/**
 * The sessions' review state for the reviews view, read from the board's rows (every session the
 * repository knows, with its review due date and whether it is overdue at service time). Read again
 * whenever main says the evidence changed, so a review committed elsewhere leaves the list.
 */
function useBoard(): { board: BoardData | null; error: ErrorInfo | null } {
  const api = useApi();
  const changedAt = useStatus((s) => s.snapshot?.at ?? null);
  const [state, setState] = useState<{ board: BoardData | null; error: ErrorInfo | null }>({ board: null, error: null });
  useEffect(() => {
    let live = true;
    void settle(api.board.get({})).then((r) => {
      if (!live) return;
      setState((s) => (r.ok ? { board: r.value, error: null } : { board: s.board, error: r.error }));
    });
    return () => {
      live = false;
    };
  }, [api, changedAt]);
  return state;
}

/** Closed sessions awaiting their post-incident review (issue 7, procedure.md §9), overdue first. */
export function Reviews() {
  const { board, error } = useBoard();
  const rows = board?.rows ?? [];
  const awaiting = rows.filter((r) => r.phase === 'closed').sort(byReviewUrgency);
  const reviewed = rows
    .filter((r) => r.phase === 'reviewed')
    .sort((a, b) => Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt))
    .slice(0, RECENTLY_REVIEWED);
  const overdue = awaiting.filter((r) => r.reviewOverdue).length;
  return (
    <section className="rv-view" aria-labelledby="view-heading" aria-busy={board === null && error === null}>
      <h2 id="view-heading" tabIndex={-1}>
        Reviews
      </h2>
      <p className="rv-lead">
        Every closed session needs a post-incident review by a named person who is not its operator, within the policy&apos;s review window after closing (procedure.md §9). Overdue reviews come first.
      </p>
      {error && (
        <ErrorNotice what="The sessions could not be read" message={error.message} />
      )}
      {board === null && error === null && (
        <p role="status" className="muted">
          Reading the sessions…
        </p>
      )}
      {board && (
        <>
          <section className="box stack rv-card" aria-labelledby="rv-awaiting-heading">
            <div className="section-head">
              <h3 id="rv-awaiting-heading">Awaiting review</h3>
              <p className="rv-count" role="status">
                {formatCount(awaiting.length, 'session')} awaiting review
                {overdue > 0 && <span className="rv-overdue-count">, {formatCount(overdue, 'overdue review', 'overdue reviews')}</span>}
              </p>
            </div>
            {awaiting.length === 0 ? (
              <p className="empty">No closed session is awaiting review.</p>
            ) : (
              <AwaitingTable rows={awaiting} now={Date.parse(board.at)} />
            )}
          </section>
          <details className="box stack rv-card rv-reviewed">
            <summary>
              <h3 className="rv-summary-heading">Recently reviewed ({formatCount(reviewed.length, 'session')})</h3>
            </summary>
            {reviewed.length === 0 ? (
              <p className="empty">No session has been reviewed yet.</p>
            ) : (
              <ReviewedTable rows={reviewed} />
            )}
          </details>
        </>
      )}
    </section>
  );
}

/** A table of sessions, one row each (`row` draws it), under the named columns. */
function SessionTable({ columns, hidden, rows, children: row }: { columns: readonly string[]; hidden: string; rows: SessionView[]; children: (r: SessionView) => ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="rv-table">
        <TableHead columns={columns} hidden={hidden} />
        <tbody>{rows.map(row)}</tbody>
      </table>
    </div>
  );
}

function AwaitingTable({ rows, now }: { rows: SessionView[]; now: number }) {
  return (
    <SessionTable columns={['Incident', 'Environment', 'Operator', 'Closed', 'Review due']} hidden="Review" rows={rows}>
      {(r) => (
        <tr key={r.sessionId} className={r.reviewOverdue ? 'rv-row--overdue' : undefined} data-session={r.sessionId}>
          <th scope="row">
            <a className="mono" href={hrefOf({ view: 'review', sessionId: r.sessionId })}>
              {r.incidentId}
            </a>
            <span className="muted mono block rv-small">{r.sessionId}</span>
          </th>
          <td>{r.environment}</td>
          <td>
            {r.operator.name}
            <span className="muted block rv-small">{r.mine ? 'This host' : r.host.name}</span>
          </td>
          <td>
            {r.closedAt && (
              <Stamp iso={r.closedAt} stacked />
            )}
          </td>
          <td>
            {r.reviewDueAt && (
              <>
                <Stamp iso={r.reviewDueAt} stacked />
                {r.reviewOverdue ? (
                  <strong className="rv-overdue" data-testid="overdue">
                    <span aria-hidden="true">⚠ </span>
                    {overdueWords(r.reviewDueAt, now)}
                  </strong>
                ) : (
                  <span className="rv-due block">Due {formatRelative(r.reviewDueAt, now)}</span>
                )}
              </>
            )}
          </td>
          <td>
            <a className="button button-secondary button-small" href={hrefOf({ view: 'review', sessionId: r.sessionId })} aria-label={`Review ${r.incidentId}`}>
              Review
            </a>
          </td>
        </tr>
      )}
    </SessionTable>
  );
}

function ReviewedTable({ rows }: { rows: SessionView[] }) {
  return (
    <SessionTable columns={['Incident', 'Environment', 'Operator', 'Outcome', 'Last record']} hidden="Correction" rows={rows}>
      {(r) => (
        <tr key={r.sessionId} data-session={r.sessionId}>
          <th scope="row">
            <a className="mono" href={hrefOf({ view: 'session', sessionId: r.sessionId })}>
              {r.incidentId}
            </a>
          </th>
          <td>{r.environment}</td>
          <td>{r.operator.name}</td>
          <td>
            <span className={`rv-outcome rv-outcome--${r.reviewOutcome ?? 'none'}`}>{outcomeLabel(r.reviewOutcome)}</span>
          </td>
          <td>
            <Stamp iso={r.lastActivityAt} stacked />
          </td>
          <td>
            <a href={hrefOf({ view: 'review', sessionId: r.sessionId })} aria-label={`Correct the review of ${r.incidentId}`}>
              Correct a review
            </a>
          </td>
        </tr>
      )}
    </SessionTable>
  );
}
