import { z } from 'zod';

/**
 * Columns of the verify checkpoint (issue 18): one value per session, stored as one string, the
 * values joined by newlines. zod checks such a column in one step (a regular expression over the
 * whole), where an array of ten thousand strings or numbers costs a check of each — most of an
 * incremental verify's time at 100,000 records. Every value is still checked before it is used.
 */

/** Non-empty values without a newline (session ids): the rows of a table. */
export const IdsColumn = z.string().regex(/^(?:[^\n]+(?:\n[^\n]+)*)?$/, 'not a column of ids');
/** Any values without a newline ('' stands for null where a column allows it). */
export const TextColumn = z.string();
/** Non-negative integers. */
export const CountColumn = z.string().regex(/^(?:(?:0|[1-9][0-9]{0,14})(?:\n(?:0|[1-9][0-9]{0,14}))*)?$/, 'not a column of counts');

/** The column of `values`, or null when one holds a newline (then no checkpoint is written: the next verify is full). */
export function joinColumn(values: readonly string[]): string | null {
  for (const v of values) if (v.includes('\n')) return null;
  return values.join('\n');
}

/** The values of a column of `rows` rows (a column of ids gives the rows), or null when it has another number of rows. */
export function splitColumn(column: string, rows: number): string[] | null {
  const values = rows === 0 ? (column === '' ? [] : null) : column.split('\n');
  return values && values.length === rows ? values : null;
}

/** The rows of an ids column. */
export function rowsOf(ids: string): string[] {
  return ids === '' ? [] : ids.split('\n');
}
