import { randomBytes } from 'node:crypto';
import { markableSessions } from '../../app/acknowledgement/state';
import { boardTotals, encodeBoardPage, urgentFirst } from '../../app/boardWire';
import { buildBoard } from '../../app/consoleViews';
import type { CallInput, CallOutput } from '../../app/contract';
import { BreakGlassError } from '../../app/errors';
import type { AckStatus } from '../../app/acknowledgement/state';
import type { LedgerView } from '../../app/ports';
import type { BoardData, SessionView } from '../../app/views';
import { sessionAcknowledgementsNow } from '../application/acknowledge';
import type { Application } from '../application/application';
import { BoardSignatureMarks } from '../evidence/sessionSignatures';
import type { FetchSchedule } from '../sync/fetchSchedule';
import { unconfirmed } from './acknowledgementHandlers';

type BoardCalls = 'board.get' | 'board.open' | 'board.rows';

/** The handlers of the board's calls (part of main/console/handlers.ts's table). */
export type BoardHandlers = { [K in BoardCalls]: (input: CallInput<K>) => Promise<CallOutput<K>> };

/**
 * The first instant after `now` at which time alone changes a row or a mark: an active session's
 * expiry, a closed one's review due date (overdue after it), an awaited acknowledgement's due time.
 */
function nextChange(rows: readonly SessionView[], acks: Record<string, AckStatus[]>, now: number): number {
  let until = Number.POSITIVE_INFINITY;
  const consider = (iso: string | null) => {
    const ms = iso === null ? Number.NaN : Date.parse(iso);
    if (ms >= now && ms < until) until = ms;
  };
  for (const r of rows) {
    if (r.phase === 'active') consider(r.expiresAt);
    else if (r.phase === 'closed' && !r.reviewOverdue) consider(r.reviewDueAt);
  }
  for (const list of Object.values(acks)) for (const a of list) if (a.awaiting) consider(a.dueAt);
  return until;
}

/** How many reads `board.rows` can still page through: a window and its reviews screen each hold one. */
const KEPT_READS = 4;

/**
 * The commander's board (issue 6): `board.get` reads it whole; `board.open` reads it the same way
 * and sends its first page of rows most urgent first, keeping the read (in memory, not on disk)
 * so that `board.rows` pages through the same rows (issue 18, app/boardWire.ts).
 */
export function boardHandlers(d: { app: Application; fetches: Pick<FetchSchedule, 'status'> }): BoardHandlers {
  const { app } = d;
  const { service, host, clock, store, forwarding } = app.ctx;
  // Kept across board refreshes: each commit's signature is checked once (issue 15).
  const boardMarks = new BoardSignatureMarks();
  const reads = new Map<string, SessionView[]>();

  /** The last read's rows and marks, and the instants between which time moves none of them. */
  let last: { view: LedgerView; from: number; until: number; rows: SessionView[]; marks: Pick<BoardData, 'signatures' | 'acknowledgements'> } | null = null;

  const read = async (): Promise<BoardData> => {
    // Each is a git process: side by side, not one after the other.
    // A forwarding state that cannot be read leaves the board without this host's line, not without rows.
    const [view, sync, forwarded] = await Promise.all([service.read(), d.fetches.status(), forwarding.status().catch(() => [])]);
    const now = clock.now();
    const self = { id: host.hostId, name: host.hostName };
    // The same view (the store keeps one object per set of tips) and no expiry or due date passed: the same rows (issue 18).
    if (last && last.view === view && now >= last.from && now < last.until) return { ...buildBoard(view, now, self, sync, forwarded, last.rows), ...last.marks };
    const board = buildBoard(view, now, self, sync, forwarded);
    const openIds = new Set(board.rows.filter((r) => r.phase === 'active' || r.phase === 'expired').map((r) => r.sessionId));
    const markable = markableSessions(view, openIds, now);
    const marks = { signatures: await boardMarks.marks(store, view), acknowledgements: unconfirmed(await sessionAcknowledgementsNow(app, markable), openIds) };
    last = { view, from: now, until: nextChange(board.rows, marks.acknowledgements, now), rows: board.rows, marks };
    return { ...board, ...marks };
  };

  return {
    'board.get': read,
    'board.open': async ({ limit }) => {
      const { rows, ...rest } = await read();
      const ordered = urgentFirst(rows);
      const snapshot = randomBytes(8).toString('hex');
      reads.set(snapshot, ordered);
      for (const old of reads.keys()) if (reads.size > KEPT_READS) reads.delete(old);
      return { ...rest, snapshot, total: ordered.length, totals: boardTotals(ordered, Date.parse(rest.at)), first: encodeBoardPage(ordered.slice(0, limit), 0) };
    },
    'board.rows': async ({ snapshot, offset, limit }) => {
      const rows = reads.get(snapshot);
      if (!rows) throw new BreakGlassError('invalid-input', 'This read of the board is no longer kept: open the board again.', { field: 'snapshot' });
      return encodeBoardPage(rows.slice(offset, offset + limit), offset);
    },
  };
}
