import { memo, type ReactNode } from 'react';
import type { SessionView, SyncStatus } from '../../app/views';
import type { AckStatus } from '../../app/acknowledgement/state';
import { formatRemaining } from '../../app/countdown';
import { formatSpan } from '../../app/clock';
import { formatCount, formatLocalDateTime, formatLocalTime, formatRelative, phaseLabel } from '../format';
import { hrefOf } from '../routes';
import { useClock } from '../stores/context';
import { overdueAt, type GroupKey, type IndexedRow } from './derive';
import { formatAgoAt, formatWhen, pastNow } from './time';

/** The columns, in order: the header row and every session row share them. */
export const COLUMNS = ['Incident', 'State', 'Environment', 'Operator', 'Trigger', 'Host', 'Last action', 'Confirmed'] as const;

/**
 * One session on the board. Memoised on the row and the sync state: a keystroke in a filter
 * re-renders only rows that enter the window, and the clock re-renders only the cells that show
 * a time (each selects its own text, so it updates only when that text changes).
 */
export const BoardRow = memo(function BoardRow({ row, group, sync, forwardingBehind }: { row: IndexedRow; group: GroupKey; sync: SyncStatus | null; forwardingBehind: boolean }) {
  const v = row.view;
  return (
    <>
      <div role="cell" className="board-cell">
        <span className="board-incident">
          <a className="board-link mono" href={hrefOf({ view: 'session', sessionId: v.sessionId })}>
            {v.incidentId}
          </a>
          {row.signatures && <SignatureMark {...row.signatures} />}
          {v.lastClockSkew && <ClockSkewMark skew={v.lastClockSkew} />}
          {row.acknowledgements && <AckMark list={row.acknowledgements} />}
        </span>
        <Sub>
          declared <When iso={v.declaredAt} />
        </Sub>
      </div>
      <div role="cell" className="board-cell">
        <StateCell row={row} group={group} />
      </div>
      <div role="cell" className="board-cell">
        <span className={`board-env${v.environment === 'production' ? ' board-env--production' : ''}`}>{v.environment}</span>
      </div>
      <div role="cell" className="board-cell" title={`${v.operator.name} <${v.operator.email}>`}>
        <span className="board-main">{v.operator.name}</span>
        <Sub>{v.operator.email}</Sub>
      </div>
      <div role="cell" className="board-cell" title={v.trigger}>
        <span className="board-main">{v.trigger}</span>
      </div>
      <div role="cell" className="board-cell" title={`${v.host.name} (${v.host.id})${forwardingBehind ? ': forwarding to the SIEM is behind (see above the list)' : ''}`}>
        <span className="board-main">{v.host.name}</span>
        {/* The host's forwarding (issue 19): live for this host, as that host recorded it for another. */}
        {/* Short enough for the column; the tooltip and the lines above the list say it in full. */}
        {forwardingBehind ? <span className="board-sub board-forwarding-behind">SIEM behind</span> : <Sub>{v.mine ? 'this host' : v.host.id}</Sub>}
      </div>
      <div role="cell" className="board-cell" title={v.lastAction?.summary}>
        {v.lastAction ? (
          <>
            <span className="board-main">{v.lastAction.summary}</span>
            <Sub>
              <When iso={v.lastAction.at} />
            </Sub>
          </>
        ) : (
          <span className="board-main muted">None yet</span>
        )}
      </div>
      <div role="cell" className="board-cell">
        <Confirmed mine={v.mine} sync={sync} />
      </div>
    </>
  );
});

/**
 * A session with records no roster key proves (issue 15): said in words, not by colour alone, and
 * named in full for a screen reader; the session page lists which records and why.
 */
function SignatureMark({ unsigned, invalid }: { unsigned: number; invalid: number }) {
  const parts = [...(invalid > 0 ? [`${invalid} invalid`] : []), ...(unsigned > 0 ? [`${unsigned} unsigned`] : [])];
  const said = [...(invalid > 0 ? [`${formatCount(invalid, 'record')} with a signature that is not valid`] : []), ...(unsigned > 0 ? [`${formatCount(unsigned, 'record')} unsigned`] : [])];
  return (
    <span className={`board-sigmark${invalid > 0 ? ' board-sigmark--invalid' : ''}`} role="note" aria-label={`Signatures not proven: ${said.join(' and ')}`} data-sigmark={invalid > 0 ? 'invalid' : 'unsigned'}>
      <span aria-hidden="true">⚠ </span>
      {parts.join(', ')}
    </span>
  );
}

/** A session with a clock-skew record (issue 16): in words, with the size for a screen reader; the session page says what was proven. */
function ClockSkewMark({ skew }: { skew: NonNullable<SessionView['lastClockSkew']> }) {
  const against = skew.elapsed ? 'the boot clock' : 'the monotonic clock';
  return (
    <span className="board-sigmark board-skewmark" role="note" aria-label={`Clock skew recorded: the wall clock ${skew.skewMs < 0 ? 'fell behind' : 'ran ahead of'} ${against} by ${formatSpan(skew.skewMs)}`} data-skewmark={skew.elapsed ? 'boot' : 'tick'}>
      <span aria-hidden="true">⏱ </span>
      clock skew
    </span>
  );
}

/** A session whose acknowledgement is not confirmed (issue 16): awaited, provisional, mismatched or missing, in words. */
function AckMark({ list }: { list: readonly AckStatus[] }) {
  const worst = list.find((a) => a.finding) ?? list.find((a) => a.awaiting) ?? list[0]!;
  // Short enough for the incident column; read in full by a screen reader.
  const short = worst.finding ? (worst.state === 'mismatched' ? 'ack mismatch' : 'ack missing') : worst.awaiting ? 'ack due' : worst.state === 'provisional' ? 'ack pending' : `ack ${worst.state}`;
  const words = worst.finding ? `acknowledgement ${worst.state}` : worst.awaiting ? 'awaiting acknowledgement' : `acknowledgement ${worst.state}`;
  return (
    // Words, read with the row; the detail is on the session page (and in the tooltip).
    <span className={`board-sigmark board-ackmark${worst.finding ? ' board-sigmark--invalid' : ''}`} title={worst.detail} data-ackmark={worst.finding ? worst.state : worst.awaiting ? 'awaiting' : worst.state}>
      <span aria-hidden="true">☎ {short}</span>
      <span className="visually-hidden">{words}</span>
    </span>
  );
}

function Sub({ children }: { children: ReactNode }) {
  return <span className="board-sub">{children}</span>;
}

/** A time relative to the clock (a date beyond a week), with the exact instant in the tooltip. */
function When({ iso }: { iso: string }) {
  const text = useClock((s) => formatWhen(iso, s.now));
  return (
    <time dateTime={iso} title={formatLocalDateTime(iso)}>
      {text}
    </time>
  );
}

/** The state column: the live countdown, the expiry, the review due date (overdue says so in words), or the outcome. */
function StateCell({ row, group }: { row: IndexedRow; group: GroupKey }) {
  const v = row.view;
  switch (group) {
    case 'active':
      return <Countdown expiresMs={row.expiresMs} expiresAt={v.expiresAt} />;
    case 'expired':
      return (
        <>
          <span className="board-main board-state--expired">Expired, not closed</span>
          <Sub>
            expired <When iso={v.expiresAt} />
          </Sub>
        </>
      );
    case 'review':
      return <ReviewDue view={v} />;
    case 'reviewed':
      return (
        <>
          <span className="board-main board-state--reviewed">{phaseLabel(v)}</span>
          {v.closedAt && (
            <Sub>
              closed <When iso={v.closedAt} />
            </Sub>
          )}
        </>
      );
  }
}

function Countdown({ expiresMs, expiresAt }: { expiresMs: number; expiresAt: string }) {
  const left = useClock((s) => formatRemaining(expiresMs - s.now));
  return (
    <>
      <span className="board-main board-countdown">
        <span className="board-countdown-value">{left}</span> left
      </span>
      <Sub>
        until <time dateTime={expiresAt}>{formatLocalTime(expiresAt)}</time>
      </Sub>
    </>
  );
}

function ReviewDue({ view }: { view: SessionView }) {
  const overdue = useClock((s) => overdueAt(view, s.now));
  const due = view.reviewDueAt;
  const relative = useClock((s) => (due ? formatRelative(due, s.now) : ''));
  if (!due) return <span className="board-main">Awaiting review</span>;
  return overdue ? (
    <>
      <span className="board-main board-state--overdue">Review overdue</span>
      <Sub>
        <span className="board-overdue-sub">
          was due{' '}
          <time dateTime={due} title={formatLocalDateTime(due)}>
            {relative}
          </time>
        </span>
      </Sub>
    </>
  ) : (
    <>
      <span className="board-main board-state--review">Review due {relative}</span>
      <Sub>
        <time dateTime={due}>{formatLocalDateTime(due)}</time>
      </Sub>
    </>
  );
}

/** This host's rows are live; another host's are as fresh as the last fetch. */
function Confirmed({ mine, sync }: { mine: boolean; sync: SyncStatus | null }) {
  const lastFetchAt = sync && sync.state !== 'local-only' ? sync.lastFetchAt : null;
  const ago = useClock((s) => (lastFetchAt ? formatAgoAt(lastFetchAt, pastNow(lastFetchAt, s.now), 'short') : ''));
  if (mine) {
    return (
      <>
        <span className="board-main board-confirmed--live">Live</span>
        <Sub>this host</Sub>
      </>
    );
  }
  if (!sync || sync.state === 'local-only') {
    return (
      <>
        <span className="board-main">In this repository</span>
        <Sub>no remote to fetch</Sub>
      </>
    );
  }
  if (!lastFetchAt) {
    return (
      <>
        <span className="board-main board-confirmed--stale">Never fetched</span>
        <Sub>as in this repository</Sub>
      </>
    );
  }
  return (
    <>
      <span className={`board-main${sync.state === 'ok' ? '' : ' board-confirmed--stale'}`}>As of last fetch</span>
      <Sub>{ago}</Sub>
    </>
  );
}
