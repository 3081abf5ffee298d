import type { AckStatus } from '../../app/acknowledgement/state';
import type { BoardSignatures, SessionView } from '../../app/views';

/**
 * The board's rows, grouped and filtered (issue 6). Pure functions over the loaded rows, so that
 * a keystroke in a filter re-derives 10,000 rows in a few milliseconds: everything that does not
 * depend on the filters (parsed times, lower-cased keys, the order inside each group) is computed
 * once per load by {@link indexRows}.
 *
 * Time moves a row only at two kinds of instant: an active session's expiry (it becomes expired,
 * awaiting closure) and a closed session's review due date (its review becomes overdue). Those
 * instants are the board's "boundaries"; the clock re-derives the board only when one is passed,
 * never on every tick.
 */

/** The board's groups, in the order shown. */
export const GROUPS = ['active', 'expired', 'review', 'reviewed'] as const;
export type GroupKey = (typeof GROUPS)[number];

export const GROUP_LABELS: Record<GroupKey, string> = {
  active: 'Active',
  expired: 'Expired, awaiting closure',
  review: 'Awaiting review',
  reviewed: 'Reviewed',
};

/** The state filter: a group, or the overdue part of "awaiting review". */
export type StateFilter = 'all' | GroupKey | 'overdue';

export const STATE_FILTER_LABELS: Record<StateFilter, string> = {
  all: 'All states',
  active: 'Active',
  expired: 'Expired, awaiting closure',
  review: 'Awaiting review',
  overdue: 'Review overdue',
  reviewed: 'Reviewed',
};

export interface BoardFilters {
  environment: string;
  state: StateFilter;
  operator: string;
  host: string;
  /** Part of an incident ID (or session ID), any case. */
  incident: string;
}

export const NO_FILTERS: BoardFilters = { environment: '', state: 'all', operator: '', host: '', incident: '' };

/** True when any filter narrows the list. */
export function isFiltered(f: BoardFilters): boolean {
  return f.environment !== '' || f.state !== 'all' || f.operator !== '' || f.host !== '' || f.incident.trim() !== '';
}

/** One loaded row with what filtering and grouping need, computed once. */
export interface IndexedRow {
  view: SessionView;
  /** Lower-cased incident ID and session ID, for the search. */
  key: string;
  expiresMs: number;
  dueMs: number | null;
  /** Its records not proven by a roster key (issue 15); null when all are, or when not checked. */
  signatures: { unsigned: number; invalid: number } | null;
  /** Its acknowledgements that are not confirmed (issue 16): awaited, provisional, mismatched or missing; null when none, or when not checked. */
  acknowledgements: readonly AckStatus[] | null;
}

export interface IndexedBoard {
  total: number;
  /** Active and expired sessions, soonest expiry first (a session moves between the two groups with time only). */
  byExpiry: IndexedRow[];
  /** Closed sessions, earliest review due date first (overdue ones lead). */
  byDue: IndexedRow[];
  /** Reviewed sessions, newest first. */
  reviewed: IndexedRow[];
  /** The instants at which a row changes group or becomes overdue, ascending. */
  boundaries: number[];
  environments: string[];
  operators: string[];
  hosts: Array<{ id: string; name: string; mine: boolean }>;
}

const byText = (a: string, b: string) => a.localeCompare(b);

/** Prepares loaded rows (in the service's order, newest first) for fast filtering. */
export function indexRows(rows: readonly SessionView[], signatures?: BoardSignatures, acknowledgements?: Record<string, AckStatus[]>): IndexedBoard {
  const byExpiry: IndexedRow[] = [];
  const byDue: IndexedRow[] = [];
  const reviewed: IndexedRow[] = [];
  const boundaries: number[] = [];
  const environments = new Set<string>();
  const operators = new Set<string>();
  const hosts = new Map<string, { id: string; name: string; mine: boolean }>();
  for (const view of rows) {
    const row: IndexedRow = {
      view,
      key: `${view.incidentId}\n${view.sessionId}`.toLowerCase(),
      expiresMs: Date.parse(view.expiresAt),
      dueMs: view.reviewDueAt ? Date.parse(view.reviewDueAt) : null,
      signatures: signatures?.sessions[view.sessionId] ?? null,
      acknowledgements: acknowledgements?.[view.sessionId] ?? null,
    };
    environments.add(view.environment);
    operators.add(view.operator.name);
    if (!hosts.has(view.host.id)) hosts.set(view.host.id, { ...view.host, mine: view.mine });
    switch (view.phase) {
      case 'active':
        byExpiry.push(row);
        boundaries.push(row.expiresMs);
        break;
      case 'expired':
        byExpiry.push(row);
        break;
      case 'closed':
        byDue.push(row);
        // Overdue strictly after the due instant (as the service decides), so from the next millisecond.
        if (!view.reviewOverdue && row.dueMs !== null) boundaries.push(row.dueMs + 1);
        break;
      case 'reviewed':
        reviewed.push(row);
        break;
    }
  }
  byExpiry.sort((a, b) => a.expiresMs - b.expiresMs);
  byDue.sort((a, b) => (a.dueMs ?? 0) - (b.dueMs ?? 0));
  boundaries.sort((a, b) => a - b);
  return {
    total: rows.length,
    byExpiry,
    byDue,
    reviewed,
    boundaries,
    environments: [...environments].sort(byText),
    operators: [...operators].sort(byText),
    hosts: [...hosts.values()].sort((a, b) => Number(b.mine) - Number(a.mine) || byText(a.name, b.name)),
  };
}

/**
 * The last boundary at or before `now` (-Infinity before the first): the board derived at this
 * instant groups every row as it would at `now`, and it changes only when a boundary is passed —
 * so a clock selector returning it re-renders the board a handful of times, not every second.
 */
export function lastBoundary(board: IndexedBoard, now: number): number {
  const b = board.boundaries;
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b[mid]! <= now) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? Number.NEGATIVE_INFINITY : b[lo - 1]!;
}

/** A row's group at `at` (an active session past its expiry is expired, awaiting closure). */
export function groupAt(row: IndexedRow, at: number): GroupKey {
  switch (row.view.phase) {
    case 'active':
      return row.expiresMs > at ? 'active' : 'expired';
    case 'expired':
      return 'expired';
    case 'closed':
      return 'review';
    case 'reviewed':
      return 'reviewed';
  }
}

/** True when a closed session's review is overdue at `at`. */
export function overdueAt(view: SessionView, at: number): boolean {
  return view.phase === 'closed' && (view.reviewOverdue || (view.reviewDueAt !== null && Date.parse(view.reviewDueAt) < at));
}

/** One line of the virtualized list. */
export type BoardItem =
  | { kind: 'header'; group: GroupKey; count: number; overdue: number }
  | { kind: 'empty'; group: GroupKey }
  | { kind: 'row'; group: GroupKey; row: IndexedRow };

export interface DerivedBoard {
  items: BoardItem[];
  /** Rows shown (after filters). */
  shown: number;
  /** Rows per group after filters. */
  counts: Record<GroupKey, number>;
  /** Overdue reviews after filters. */
  overdue: number;
}

/** Groups and filters the indexed rows as they stand at `at`. */
export function deriveBoard(board: IndexedBoard, filters: BoardFilters, at: number): DerivedBoard {
  const query = filters.incident.trim().toLowerCase();
  const matches = (r: IndexedRow): boolean =>
    (filters.environment === '' || r.view.environment === filters.environment) &&
    (filters.operator === '' || r.view.operator.name === filters.operator) &&
    (filters.host === '' || r.view.host.id === filters.host) &&
    (query === '' || r.key.includes(query));
  const wants = (g: GroupKey) => filters.state === 'all' || filters.state === g || (filters.state === 'overdue' && g === 'review');

  const groups: Record<GroupKey, IndexedRow[]> = { active: [], expired: [], review: [], reviewed: [] };
  if (wants('active') || wants('expired')) {
    for (const r of board.byExpiry) if (matches(r)) groups[groupAt(r, at)].push(r);
  }
  let overdue = 0;
  if (wants('review')) {
    for (const r of board.byDue) {
      if (!matches(r)) continue;
      const late = overdueAt(r.view, at);
      if (filters.state === 'overdue' && !late) continue;
      if (late) overdue += 1;
      groups.review.push(r);
    }
  }
  if (wants('reviewed')) for (const r of board.reviewed) if (matches(r)) groups.reviewed.push(r);

  const items: BoardItem[] = [];
  const counts = { active: 0, expired: 0, review: 0, reviewed: 0 } as Record<GroupKey, number>;
  let shown = 0;
  for (const g of GROUPS) {
    if (!wants(g)) continue;
    const rows = groups[g];
    counts[g] = rows.length;
    shown += rows.length;
    items.push({ kind: 'header', group: g, count: rows.length, overdue: g === 'review' ? overdue : 0 });
    if (rows.length === 0) items.push({ kind: 'empty', group: g });
    for (const row of rows) items.push({ kind: 'row', group: g, row });
  }
  return { items, shown, counts, overdue };
}

/** Every group's count over all rows (the summary above the filters), at `at`. */
export function totalsAt(board: IndexedBoard, at: number): { counts: Record<GroupKey, number>; overdue: number } {
  const counts = { active: 0, expired: 0, review: board.byDue.length, reviewed: board.reviewed.length } as Record<GroupKey, number>;
  for (const r of board.byExpiry) counts[groupAt(r, at)] += 1;
  let overdue = 0;
  for (const r of board.byDue) if (overdueAt(r.view, at)) overdue += 1;
  return { counts, overdue };
}
