import { z } from 'zod';
import type { SessionPhase } from './lifecycle';
import type { BoardData, SessionView } from './views';

/**
 * The board's rows on the wire (issue 18: the board's first rows within 1 s at 10,000 sessions).
 * `board.get` sends 10,000 `SessionView` objects, their keys repeated in every one (7 MB of JSON);
 * `board.open` and `board.rows` send pages of tuples instead: each row one array in a fixed order,
 * its repeated texts (phase, environment, trigger, scopes, people, hosts, outcome) as indexes into
 * the page's own table of strings, and its instants as epoch milliseconds where the ISO text is
 * the canonical one (`toISOString`), else the text itself. {@link decodeBoardPage} gives back the
 * very rows {@link encodeBoardPage} was given.
 *
 * The rows are sent most urgent first ({@link urgentFirst}): the first page holds what the board
 * shows at its top, and the rest follows in pages of the same read (one snapshot, so the pages
 * agree with each other whatever is written meanwhile).
 */

/** An instant: epoch ms when its ISO text is canonical, else the text. */
const Instant = z.union([z.number().int(), z.string().max(64)]);
const Index = z.number().int().min(0);
const ClockSkew = z.object({
  at: z.string(), wallClockAt: z.string(), expectedAt: z.string(), skewMs: z.number(),
  elapsed: z.object({ sinceSeq: z.number(), wallMs: z.number(), bootMs: z.number() }).strict().optional(),
}).strict();

/** One row: see {@link encodeRow} for the order. */
const WireRowSchema = z.tuple([
  z.string(), // 0 sessionId
  Index, // 1 phase
  z.string(), // 2 incidentId
  Index, // 3 environment
  Index, // 4 trigger
  z.array(Index), // 5 scopes
  Index, // 6 operator name
  Index, // 7 operator email
  Index, // 8 host id
  Index, // 9 host name
  Instant, // 10 declaredAt
  Instant, // 11 expiresAt
  Instant.nullable(), // 12 wallExpiresAt (absent: null)
  z.number().int(), // 13 extensions
  Instant.nullable(), // 14 closedAt
  Instant.nullable(), // 15 reviewDueAt
  z.number().int().min(0).max(3), // 16 flags: 1 reviewOverdue, 2 mine
  Index.nullable(), // 17 reviewOutcome
  z.number().int(), // 18 standingReviews
  Instant, // 19 lastActivityAt
  z.tuple([Instant, z.string()]).nullable(), // 20 lastAction
  z.number().int(), // 21 records
  ClockSkew.nullable(), // 22 lastClockSkew
]);

/** A page of rows as it crosses to the renderer. */
export const BoardPageSchema = z.object({
  /** The position of its first row in the read's order. */
  offset: z.number().int().min(0),
  strings: z.array(z.string()),
  rows: z.array(WireRowSchema),
}).strict();

export type BoardPage = z.infer<typeof BoardPageSchema>;
type WireRow = z.infer<typeof WireRowSchema>;

/** How many sessions each group holds at the service's instant (the board's summary before every page has arrived). */
export interface BoardTotals {
  active: number;
  expired: number;
  review: number;
  overdue: number;
  reviewed: number;
}

/** The answer of `board.open`: everything `board.get` gives but the rows, and the first page of them. */
export interface BoardOpened extends Omit<BoardData, 'rows'> {
  /** The read the further pages are asked of (`board.rows`). */
  snapshot: string;
  /** How many rows the read holds. */
  total: number;
  totals: BoardTotals;
  first: BoardPage;
}

/** The largest page either call sends. */
export const BOARD_PAGE_MAX = 5_000;

/** The input of `board.open`. */
export const BoardOpenSchema = z.object({ limit: z.number().int().min(1).max(BOARD_PAGE_MAX) }).strict();
/** The input of `board.rows`. */
export const BoardRowsSchema = z.object({
  snapshot: z.string().regex(/^[0-9a-f]{16}$/, 'Not a board read.'),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1).max(BOARD_PAGE_MAX),
}).strict();

const PHASE_RANK: Record<SessionPhase, number> = { active: 0, expired: 0, closed: 1, reviewed: 2 };

/**
 * The rows (in the service's order, newest first) as the board lists them: active and expired
 * sessions soonest expiry first, then closed ones earliest review due first, then reviewed ones
 * newest first. A stable sort, so ties keep the service's order, as renderer/board/derive.ts's.
 */
export function urgentFirst(rows: readonly SessionView[]): SessionView[] {
  const key = (v: SessionView): number => (PHASE_RANK[v.phase] === 0 ? Date.parse(v.expiresAt) : PHASE_RANK[v.phase] === 1 && v.reviewDueAt ? Date.parse(v.reviewDueAt) : 0);
  return rows
    .map((v, i) => ({ v, i, rank: PHASE_RANK[v.phase], k: key(v) }))
    .sort((a, b) => a.rank - b.rank || a.k - b.k || a.i - b.i)
    .map((x) => x.v);
}

/** Each group's count at `now` over every row (what the board's summary says once all have arrived). */
export function boardTotals(rows: readonly SessionView[], now: number): BoardTotals {
  const t: BoardTotals = { active: 0, expired: 0, review: 0, overdue: 0, reviewed: 0 };
  for (const v of rows) {
    if (v.phase === 'active') t[Date.parse(v.expiresAt) > now ? 'active' : 'expired'] += 1;
    else if (v.phase === 'expired') t.expired += 1;
    else if (v.phase === 'reviewed') t.reviewed += 1;
    else {
      t.review += 1;
      if (v.reviewOverdue || (v.reviewDueAt !== null && Date.parse(v.reviewDueAt) < now)) t.overdue += 1;
    }
  }
  return t;
}

const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const DAY_MS = 86_400_000;

/** An ISO instant as epoch ms when it is `toISOString`'s own text (without calling it on every row: it is the costly part), else the text. */
const instant = (text: string): number | string => {
  const m = CANONICAL.exec(text);
  if (!m) return text;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return text;
  // Date.parse takes "02-31" as March 3rd; a day past the 28th is checked the slow way.
  return Number(m[2]) <= 28 || new Date(ms).toISOString() === text ? ms : text;
};

/** The date part ("2026-11-28T") of recent days, as `toISOString` writes it. */
const datePrefixes = new Map<number, string>();

/** `new Date(ms).toISOString()`, with each day's date part computed once. */
function isoOf(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    const full = new Date(ms).toISOString();
    if (full.length !== 24) return full;
    prefix = full.slice(0, 11);
    if (datePrefixes.size > 50_000) datePrefixes.clear();
    datePrefixes.set(day, prefix);
  }
  const inDay = ms - day * DAY_MS;
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  const milli = inDay % 1000;
  return `${prefix}${two(Math.floor(inDay / 3_600_000))}:${two(Math.floor(inDay / 60_000) % 60)}:${two(Math.floor(inDay / 1000) % 60)}.${milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : milli}Z`;
}

const iso = (i: number | string): string => (typeof i === 'number' ? isoOf(i) : i);

/** Encodes `rows` (already in the read's order) as the page starting at `offset`. */
export function encodeBoardPage(rows: readonly SessionView[], offset: number): BoardPage {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const s = (text: string): number => {
    let i = index.get(text);
    if (i === undefined) {
      i = strings.length;
      strings.push(text);
      index.set(text, i);
    }
    return i;
  };
  const encodeRow = (v: SessionView): WireRow => [
    v.sessionId, s(v.phase), v.incidentId, s(v.environment), s(v.trigger), v.scopes.map(s), s(v.operator.name), s(v.operator.email), s(v.host.id), s(v.host.name),
    instant(v.declaredAt), instant(v.expiresAt), v.wallExpiresAt === undefined ? null : instant(v.wallExpiresAt), v.extensions,
    v.closedAt === null ? null : instant(v.closedAt), v.reviewDueAt === null ? null : instant(v.reviewDueAt),
    (v.reviewOverdue ? 1 : 0) | (v.mine ? 2 : 0), v.reviewOutcome === null ? null : s(v.reviewOutcome), v.standingReviews,
    instant(v.lastActivityAt), v.lastAction ? [instant(v.lastAction.at), v.lastAction.summary] : null, v.records, v.lastClockSkew,
  ];
  return { offset, strings, rows: rows.map(encodeRow) };
}

/** The rows of a page, validated (zod) at the renderer's side of the boundary; throws on a malformed page. */
export function decodeBoardPage(input: unknown): { offset: number; rows: SessionView[] } {
  const page = BoardPageSchema.parse(input);
  const { strings } = page;
  const s = (i: number): string => {
    const text = strings[i];
    if (text === undefined) throw new Error(`The board's page names string ${i} of ${strings.length}.`);
    return text;
  };
  const phase = (i: number): SessionPhase => {
    const p = s(i);
    if (!(p in PHASE_RANK)) throw new Error(`The board's page gives a session the phase "${p}".`);
    return p as SessionPhase;
  };
  const rows = page.rows.map((r): SessionView => ({
    sessionId: r[0], phase: phase(r[1]), incidentId: r[2], environment: s(r[3]), trigger: s(r[4]), scopes: r[5].map(s),
    operator: { name: s(r[6]), email: s(r[7]) }, host: { id: s(r[8]), name: s(r[9]) },
    declaredAt: iso(r[10]), expiresAt: iso(r[11]), ...(r[12] === null ? {} : { wallExpiresAt: iso(r[12]) }), extensions: r[13],
    closedAt: r[14] === null ? null : iso(r[14]), reviewDueAt: r[15] === null ? null : iso(r[15]),
    reviewOverdue: (r[16] & 1) !== 0, reviewOutcome: r[17] === null ? null : s(r[17]), standingReviews: r[18],
    lastActivityAt: iso(r[19]), lastAction: r[20] ? { at: iso(r[20][0]), summary: r[20][1] } : null, records: r[21], mine: (r[16] & 2) !== 0,
    lastClockSkew: r[22] as SessionView['lastClockSkew'],
  }));
  return { offset: page.offset, rows };
}
