/**
 * The columns a timeline table can show (issue 11: one table, its columns chosen by the caller).
 * The active session shows what the operator needs while acting; the session page and the review
 * form show everything an auditor checks.
 */
export type TimelineColumn = 'seq' | 'time' | 'record' | 'by' | 'summary' | 'commit' | 'shortCommit' | 'push';

/** One column as the table draws it. */
export interface ColumnSpec {
  key: TimelineColumn;
  heading: string;
  /** The cell is the row's header (`<th scope="row">`): the record's number names its row. */
  rowHeader: boolean;
}

/** Every column, in the order every timeline table shows them. */
const ALL: readonly ColumnSpec[] = [
  { key: 'seq', heading: '#', rowHeader: true },
  { key: 'time', heading: 'Time', rowHeader: false },
  { key: 'record', heading: 'Record', rowHeader: false },
  { key: 'by', heading: 'By, on host', rowHeader: false },
  { key: 'summary', heading: 'Summary', rowHeader: false },
  { key: 'commit', heading: 'Evidence commit', rowHeader: false },
  { key: 'shortCommit', heading: 'Evidence commit', rowHeader: false },
  { key: 'push', heading: 'Push', rowHeader: false },
];

/** The columns the active session's timeline shows (issue 5). */
export const ACTIVE_SESSION_COLUMNS: readonly TimelineColumn[] = ['time', 'record', 'summary', 'shortCommit', 'push'];

/** The columns the session page and the review form show (issues 6 and 7): who, where, and the whole commit id. */
export const FULL_COLUMNS: readonly TimelineColumn[] = ['seq', 'time', 'record', 'by', 'summary', 'commit', 'push'];

/**
 * The columns to draw for the ones a caller chose: in the one order every table uses, each once,
 * and the commit once (the whole id wins over the short one). At least the time and the record:
 * a timeline row without them says nothing.
 */
export function selectColumns(chosen: readonly TimelineColumn[]): ColumnSpec[] {
  const wanted = new Set<TimelineColumn>([...chosen, 'time', 'record']);
  if (wanted.has('commit')) wanted.delete('shortCommit');
  return ALL.filter((c) => wanted.has(c.key));
}
