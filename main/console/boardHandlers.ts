import { randomBytes } from 'node:crypto';
import { boardTotals, encodeBoardPage, urgentFirst } from '../../app/boardWire';
import { buildBoard } from '../../app/consoleViews';
import type { CallInput, CallOutput } from '../../app/contract';
import { BreakGlassError } from '../../app/errors';
import type { BoardData, SessionView } from '../../app/views';
import { sessionAcknowledgementsNow } from '../application/acknowledge';
import type { Application } from '../application/application';
import { BoardSignatureMarks } from '../evidence/sessionSignatures';
import type { FetchSchedule } from '../sync/fetchSchedule';
import { unconfirmed } from './acknowledgementHandlers';

type BoardCalls = 'board.get' | 'board.open' | 'board.rows';

/** The handlers of the board's calls (part of main/console/handlers.ts's table). */
export type BoardHandlers = { [K in BoardCalls]: (input: CallInput<K>) => Promise<CallOutput<K>> };

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

  const read = async (): Promise<BoardData> => {
    // Each is a git process: side by side, not one after the other.
    // A forwarding state that cannot be read leaves the board without this host's line, not without rows.
    const [view, sync, forwarded] = await Promise.all([service.read(), d.fetches.status(), forwarding.status().catch(() => [])]);
    const board = buildBoard(view, clock.now(), { id: host.hostId, name: host.hostName }, sync, forwarded);
    const openIds = new Set(board.rows.filter((r) => r.phase === 'active' || r.phase === 'expired').map((r) => r.sessionId));
    return { ...board, signatures: await boardMarks.marks(store, view), acknowledgements: unconfirmed(await sessionAcknowledgementsNow(app), openIds) };
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
