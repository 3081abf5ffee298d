import type { TimelineEntry } from '../../app/views';
import { formatCount, formatLocalTime } from '../format';
import { CommitId, PushBadge } from './CommitId';
import { recordLabel, recordNumber, recordRef } from './records';
import { Stamp } from './Stamp';
import { selectColumns, type TimelineColumn } from './timelineColumns';
import './evidence.css';

/**
 * Every record of a session, oldest first, in the columns the caller chose (timelineColumns.ts):
 * the one timeline table of the console (the active session, the session page, the review form).
 */
export function TimelineTable({ entries, columns, className }: { entries: readonly TimelineEntry[]; columns: readonly TimelineColumn[]; className?: string }) {
  const shown = selectColumns(columns);
  return (
    <div className="table-wrap">
      <table className={`sp-timeline${className ? ` ${className}` : ''}`}>
        <thead>
          <tr>
            {shown.map((c) => (
              <th key={c.key} scope="col">
                {c.heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            // A short name per row (type and time) rather than the whole summary read twice.
            // Keyed by commit: a review outside the chain (issue 14) may share its number with a chain record.
            <tr key={e.commit} data-seq={e.seq} aria-label={`${recordLabel(e.type)}, ${formatLocalTime(e.at)}`}>
              {shown.map((c) =>
                c.rowHeader ? (
                  <th key={c.key} scope="row" className="sp-seq" title={recordRef(e)}>
                    {recordNumber(e)}
                  </th>
                ) : (
                  <Cell key={c.key} column={c.key} entry={e} />
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Cell({ column, entry: e }: { column: TimelineColumn; entry: TimelineEntry }) {
  switch (column) {
    case 'seq':
      return <td>{recordNumber(e)}</td>;
    case 'time':
      return (
        <td className="nowrap">
          <Stamp iso={e.at} timeOnly stacked />
        </td>
      );
    case 'record':
      return (
        <td>
          <span className={`sp-rec sp-rec--${e.type}`}>{recordLabel(e.type)}</span>
        </td>
      );
    case 'by':
      return (
        <td className="sp-by">
          <span className="block">{e.actor.name}</span>
          <span className="muted sp-small">on {e.host.name}</span>
        </td>
      );
    case 'summary':
      return (
        <td className="sp-summary">
          {e.summary}
          {e.redactions > 0 && (
            <>
              {' '}
              <span className="sp-redacted">{formatCount(e.redactions, 'secret')} redacted</span>
            </>
          )}
        </td>
      );
    case 'commit':
      return (
        <td>
          <CommitId commit={e.commit} />
        </td>
      );
    case 'shortCommit':
      return (
        <td>
          <CommitId commit={e.commit} short />
        </td>
      );
    case 'push':
      return (
        <td>
          <PushBadge pushed={e.pushed} />
        </td>
      );
  }
}
