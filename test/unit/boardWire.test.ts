import { describe, expect, it } from 'vitest';
import { boardTotals, BoardPageSchema, decodeBoardPage, encodeBoardPage, urgentFirst } from '../../app/boardWire';
import type { SessionView } from '../../app/views';
import { deriveBoard, indexRows, NO_FILTERS, totalsAt } from '../../renderer/board/derive';
import { at, view } from './renderer/fixtures';

/** Every field a session view can have, in each of its forms (absent, null, set, a non-canonical instant). */
const rows: SessionView[] = [
  view({ sessionId: 'bg-r-0001', phase: 'reviewed', reviewOutcome: 'justified', closedAt: '2026-11-01T10:00:00.000Z', reviewDueAt: '2026-11-06T10:00:00.000Z', standingReviews: 2, records: 10, lastAction: { at: '2026-11-01T09:10:00.000Z', summary: 'Ran terraform force-unlock 1 → exit 0' } }),
  view({ sessionId: 'bg-c-0002', phase: 'closed', closedAt: '2026-11-27T10:00:00.000Z', reviewDueAt: '2026-11-29T10:00:00.000Z', scopes: ['state-lock', 'diagnostics'], mine: false, host: { id: 'h2', name: 'beta' } }),
  view({ sessionId: 'bg-c-0003', phase: 'closed', closedAt: '2026-11-20T10:00:00.000Z', reviewDueAt: '2026-11-25T10:00:00.000Z', reviewOverdue: true, operator: { name: 'Grace Hopper', email: 'grace@example.com' } }),
  view({ sessionId: 'bg-e-0004', phase: 'expired', expiresAt: '2026-11-28T09:10:00.000Z', wallExpiresAt: '2026-11-28T09:40:00.000Z', extensions: 1, scopes: [] }),
  view({
    sessionId: 'bg-a-0005', phase: 'active', expiresAt: '2026-11-28T10:00:00.000Z', environment: 'pre-production', trigger: 'custom',
    // An instant as a record may state it (not toISOString's form) crosses as its text.
    declaredAt: '2026-11-28T09:00:00Z', lastActivityAt: '2026-11-28T09:00:00+00:00',
    lastClockSkew: { at: '2026-11-28T09:05:00.000Z', wallClockAt: '2026-11-28T09:05:00.000Z', expectedAt: '2026-11-28T09:04:00.000Z', skewMs: 60_000, elapsed: { sinceSeq: 2, wallMs: 90_000, bootMs: 30_000 } },
  }),
  view({ sessionId: 'bg-a-0006', phase: 'active', expiresAt: '2026-11-28T09:40:00.000Z', incidentId: 'INC-"quoted"\n', reviewOutcome: null }),
];

describe('the board\u2019s rows on the wire (app/boardWire.ts)', () => {
  it('gives back exactly the rows it was given, through JSON, with its offset', () => {
    const page = encodeBoardPage(rows, 40);
    const crossed = JSON.parse(JSON.stringify(page)) as unknown;
    expect(BoardPageSchema.parse(crossed)).toEqual(page);
    const back = decodeBoardPage(crossed);
    expect(back.offset).toBe(40);
    expect(back.rows).toStrictEqual(rows);
  });

  it('sends repeated texts once and canonical instants as numbers', () => {
    const page = encodeBoardPage(rows, 0);
    expect(page.strings.filter((s) => s === 'production')).toHaveLength(1);
    expect(page.strings).not.toContain('2026-11-28T09:40:00.000Z');
    expect(page.rows[4]![10]).toBe('2026-11-28T09:00:00Z');
    expect(page.rows[5]![11]).toBe(at('2026-11-28T09:40:00.000Z'));
    // A tenth of board.get's size or so on 10,000 similar rows; here: well under the objects' JSON.
    expect(JSON.stringify(page).length).toBeLessThan(JSON.stringify(rows).length * 0.6);
  });

  it('refuses a malformed page, a string index out of the table and an unknown phase', () => {
    const page = encodeBoardPage(rows.slice(0, 1), 0);
    expect(() => decodeBoardPage({ ...page, rows: [page.rows[0]!.slice(0, 5)] })).toThrow();
    expect(() => decodeBoardPage({ ...page, extra: 1 })).toThrow();
    expect(() => decodeBoardPage({ ...page, strings: [] })).toThrow(/names string/);
    expect(() => decodeBoardPage({ ...page, strings: page.strings.map((s) => (s === 'reviewed' ? 'deleted' : s)) })).toThrow(/phase "deleted"/);
  });

  it('orders the rows most urgent first, as the board lists them, so the first page is the board\u2019s top', () => {
    const ordered = urgentFirst(rows);
    expect(ordered.map((r) => r.sessionId)).toEqual(['bg-e-0004', 'bg-a-0006', 'bg-a-0005', 'bg-c-0003', 'bg-c-0002', 'bg-r-0001']);
    // The board derived from the urgent order, from any split into pages, is the board derived from the service's order.
    const now = at('2026-11-28T09:50:00.000Z');
    const whole = deriveBoard(indexRows(rows), NO_FILTERS, now);
    const paged = [encodeBoardPage(ordered.slice(0, 2), 0), encodeBoardPage(ordered.slice(2), 2)].flatMap((p) => decodeBoardPage(JSON.parse(JSON.stringify(p))).rows);
    expect(deriveBoard(indexRows(paged), NO_FILTERS, now)).toStrictEqual(whole);
  });

  it('counts each group at the service\u2019s instant as the renderer does over every row', () => {
    for (const now of ['2026-11-28T09:30:00.000Z', '2026-11-28T09:50:00.000Z', '2026-11-30T00:00:00.000Z'].map(at)) {
      const t = totalsAt(indexRows(rows), now);
      expect(boardTotals(rows, now)).toEqual({ ...t.counts, overdue: t.overdue });
    }
  });
});

describe('instants on the wire', () => {
  it('round-trip exactly: canonical ones as numbers, every other text as itself', () => {
    const texts = [
      '2026-02-28T23:59:59.999Z', '2024-02-29T00:00:00.000Z', '2026-01-31T12:00:00.000Z', '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '0001-01-01T00:00:00.000Z',
      '2026-02-31T00:00:00.000Z', '2026-04-31T10:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-11-28T09:00:00Z', '2026-11-28T09:00:00.000+00:00', 'not a date',
    ];
    const page = encodeBoardPage(texts.map((t, i) => view({ sessionId: `bg-t-${i}`, declaredAt: t })), 0);
    expect(page.rows.map((r) => typeof r[10])).toEqual([...Array(6).fill('number'), ...Array(6).fill('string')]);
    expect(decodeBoardPage(JSON.parse(JSON.stringify(page))).rows.map((r) => r.declaredAt)).toEqual(texts);
    for (let ms = Date.parse('2023-12-31T00:00:00.000Z'); ms < Date.parse('2024-03-02T00:00:00.000Z'); ms += 3_599_999) {
      const t = new Date(ms).toISOString();
      expect(decodeBoardPage(encodeBoardPage([view({ sessionId: 'bg-x', declaredAt: t })], 0)).rows[0]!.declaredAt).toBe(t);
    }
  });
});
