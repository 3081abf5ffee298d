import type { TimelineEntry } from '../../app/views';
import { formatCount } from '../format';
import { TimelineTable } from './TimelineTable';
import { FULL_COLUMNS } from './timelineColumns';

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
      <TimelineTable entries={timeline} columns={FULL_COLUMNS} />
    </section>
  );
}
