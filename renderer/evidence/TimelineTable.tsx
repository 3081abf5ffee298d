import type { TimelineEntry } from '../../app/views';
import { formatCount, formatLocalDateTime, formatLocalTime, formatUtc } from '../format';
import { recordLabel } from '../session/Timeline';
import { CommitId, PushBadge } from './present';

/** Every record of the session, oldest first: who, where, what, its evidence commit, and whether it reached the remote. */
export function TimelineSection({ timeline }: { timeline: readonly TimelineEntry[] }) {
  const pending = timeline.filter((e) => e.pushed === false).length;
  return (
    <section className="card sp-section" aria-labelledby="sp-timeline-h">
      <h3 id="sp-timeline-h">Timeline</h3>
      <p className="sp-hint">
        {formatCount(timeline.length, 'record')}, each committed to the evidence repository before it took effect.
        {pending > 0 && ` ${formatCount(pending, 'record')} not pushed yet: safe on the host that made them.`} Click a commit id to select all of it.
      </p>
      <div className="table-wrap">
        <table className="sp-timeline">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Record</th>
              <th scope="col">By, on host</th>
              <th scope="col">Summary</th>
              <th scope="col">Evidence commit</th>
              <th scope="col">Push</th>
            </tr>
          </thead>
          <tbody>
            {timeline.map((e) => (
              <tr key={e.seq} data-seq={e.seq}>
                <th scope="row" className="sp-seq">
                  {e.seq}
                </th>
                <td className="nowrap">
                  <time dateTime={e.at} title={`${formatLocalDateTime(e.at)} — ${e.at}`}>
                    {formatLocalTime(e.at)}
                  </time>
                  <span className="utc block">{formatUtc(e.at, { seconds: true })}</span>
                </td>
                <td>
                  <span className={`sp-rec sp-rec--${e.type}`}>{recordLabel(e.type)}</span>
                </td>
                <td className="sp-by">
                  <span className="block">{e.actor.name}</span>
                  <span className="muted sp-small">on {e.host.name}</span>
                </td>
                <td className="sp-summary">
                  {e.summary}
                  {e.redactions > 0 && (
                    <>
                      {' '}
                      <span className="sp-redacted">{formatCount(e.redactions, 'secret')} redacted</span>
                    </>
                  )}
                </td>
                <td>
                  <CommitId commit={e.commit} />
                </td>
                <td>
                  <PushBadge pushed={e.pushed} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
