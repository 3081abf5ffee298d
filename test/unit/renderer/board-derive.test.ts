import { describe, expect, it } from 'vitest';
import { deriveBoard, groupAt, indexRows, isFiltered, lastBoundary, NO_FILTERS, overdueAt, totalsAt, type BoardItem } from '../../../renderer/board/derive';
import { at, view } from './fixtures';

const rows = [
  view({ sessionId: 'bg-a-0001', phase: 'active', expiresAt: '2026-11-28T10:00:00.000Z', environment: 'production', host: { id: 'h1', name: 'alpha' } }),
  view({ sessionId: 'bg-a-0002', phase: 'active', expiresAt: '2026-11-28T09:40:00.000Z', environment: 'pre-production', host: { id: 'h2', name: 'beta' }, mine: false, operator: { name: 'Grace Hopper', email: 'grace@example.com' } }),
  view({ sessionId: 'bg-e-0003', phase: 'expired', expiresAt: '2026-11-28T09:10:00.000Z' }),
  view({ sessionId: 'bg-c-0004', phase: 'closed', closedAt: '2026-11-27T10:00:00.000Z', reviewDueAt: '2026-11-29T10:00:00.000Z', incidentId: 'INC-4242' }),
  view({ sessionId: 'bg-c-0005', phase: 'closed', closedAt: '2026-11-20T10:00:00.000Z', reviewDueAt: '2026-11-25T10:00:00.000Z', reviewOverdue: true }),
  view({ sessionId: 'bg-r-0006', phase: 'reviewed', reviewOutcome: 'justified' }),
];

const ids = (items: BoardItem[]) => items.flatMap((i) => (i.kind === 'row' ? [i.row.view.sessionId] : []));

describe('board rows (renderer/board/derive.ts)', () => {
  const board = indexRows(rows);

  it('indexes once: active and expired by expiry, closed by due date, the filters\u2019 options sorted, this host first', () => {
    expect(board.total).toBe(6);
    expect(board.byExpiry.map((r) => r.view.sessionId)).toEqual(['bg-e-0003', 'bg-a-0002', 'bg-a-0001']);
    expect(board.byDue.map((r) => r.view.sessionId)).toEqual(['bg-c-0005', 'bg-c-0004']);
    expect(board.environments).toEqual(['pre-production', 'production']);
    expect(board.operators).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(board.hosts.map((h) => h.id)).toEqual(['h1', 'host-a', 'h2']);
    // Expiries of active sessions, and the instant after each due date not yet overdue.
    expect(board.boundaries).toEqual([at('2026-11-28T09:40:00.000Z'), at('2026-11-28T10:00:00.000Z'), at('2026-11-29T10:00:00.000Z') + 1]);
  });

  it('moves a row only at a boundary: the last one passed, -Infinity before the first', () => {
    expect(lastBoundary(board, at('2026-11-28T09:00:00.000Z'))).toBe(Number.NEGATIVE_INFINITY);
    expect(lastBoundary(board, at('2026-11-28T09:40:00.000Z'))).toBe(at('2026-11-28T09:40:00.000Z'));
    expect(lastBoundary(board, at('2026-11-28T09:59:59.999Z'))).toBe(at('2026-11-28T09:40:00.000Z'));
    expect(lastBoundary(board, at('2026-12-31T00:00:00.000Z'))).toBe(at('2026-11-29T10:00:00.000Z') + 1);
  });

  it('groups an active session past its expiry as expired, and a closed one past its due date as overdue', () => {
    const active = board.byExpiry.find((r) => r.view.sessionId === 'bg-a-0002')!;
    expect(groupAt(active, at('2026-11-28T09:39:59.999Z'))).toBe('active');
    expect(groupAt(active, at('2026-11-28T09:40:00.000Z'))).toBe('expired');
    const closed = rows[3]!;
    expect(overdueAt(closed, at('2026-11-29T10:00:00.000Z'))).toBe(false);
    expect(overdueAt(closed, at('2026-11-29T10:00:00.001Z'))).toBe(true);
    expect(overdueAt(rows[4]!, 0)).toBe(true);
    expect(overdueAt(rows[0]!, at('2030-01-01T00:00:00.000Z'))).toBe(false);
  });

  it('derives the groups in order, each with its header, an empty group said so', () => {
    const d = deriveBoard(board, NO_FILTERS, at('2026-11-28T09:20:00.000Z'));
    expect(d.items.filter((i) => i.kind === 'header').map((i) => i.group)).toEqual(['active', 'expired', 'review', 'reviewed']);
    expect(ids(d.items)).toEqual(['bg-a-0002', 'bg-a-0001', 'bg-e-0003', 'bg-c-0005', 'bg-c-0004', 'bg-r-0006']);
    expect(d.shown).toBe(6);
    expect(d.overdue).toBe(1);
    const later = deriveBoard(board, NO_FILTERS, at('2026-11-28T09:45:00.000Z'));
    expect(later.counts).toEqual({ active: 1, expired: 2, review: 2, reviewed: 1 });
    const none = deriveBoard(indexRows([]), NO_FILTERS, 0);
    expect(none.items.filter((i) => i.kind === 'empty').map((i) => i.group)).toEqual(['active', 'expired', 'review', 'reviewed']);
  });

  it('filters by environment, operator, host, state (overdue only) and a part of the incident or session ID, in any case', () => {
    const now = at('2026-11-28T09:20:00.000Z');
    expect(ids(deriveBoard(board, { ...NO_FILTERS, environment: 'pre-production' }, now).items)).toEqual(['bg-a-0002']);
    expect(ids(deriveBoard(board, { ...NO_FILTERS, operator: 'Grace Hopper' }, now).items)).toEqual(['bg-a-0002']);
    expect(ids(deriveBoard(board, { ...NO_FILTERS, host: 'h1' }, now).items)).toEqual(['bg-a-0001']);
    expect(ids(deriveBoard(board, { ...NO_FILTERS, state: 'overdue' }, now).items)).toEqual(['bg-c-0005']);
    expect(ids(deriveBoard(board, { ...NO_FILTERS, incident: ' inc-42 ' }, now).items)).toEqual(['bg-c-0004']);
    expect(ids(deriveBoard(board, { ...NO_FILTERS, incident: 'BG-R' }, now).items)).toEqual(['bg-r-0006']);
    const reviewOnly = deriveBoard(board, { ...NO_FILTERS, state: 'review' }, now);
    expect(reviewOnly.items.filter((i) => i.kind === 'header').map((i) => i.group)).toEqual(['review']);
  });

  it('says whether any filter narrows the list (blank search does not)', () => {
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, incident: '   ' })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, state: 'reviewed' })).toBe(true);
  });

  it('counts every group over all rows for the summary, whatever the filters', () => {
    expect(totalsAt(board, at('2026-11-28T09:20:00.000Z'))).toEqual({ counts: { active: 2, expired: 1, review: 2, reviewed: 1 }, overdue: 1 });
    expect(totalsAt(board, at('2026-12-01T00:00:00.000Z'))).toEqual({ counts: { active: 0, expired: 3, review: 2, reviewed: 1 }, overdue: 2 });
  });
});
