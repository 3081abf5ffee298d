import { describeClockSkew, describeDeadline } from '../../app/clock';
import type { SessionView, TimelineEntry } from '../../app/views';
import { CommitId } from './CommitId';
import { recordsOf } from './records';
import { Stamp } from './Stamp';

/**
 * The session's clock-skew records (issues 5, 16): for each, what was proven — the wall clock's
 * elapsed time against the boot clock's — and which deadline the session ends by. Shown only
 * when the session has one.
 */
export function ClockSection({ timeline, session }: { timeline: readonly TimelineEntry[]; session: Pick<SessionView, 'expiresAt' | 'wallExpiresAt'> }) {
  const skews = recordsOf(timeline, 'clock-skew');
  if (skews.length === 0) return null;
  const bootChecked = skews.some((s) => s.record.payload.elapsed !== undefined);
  return (
    <section className="card sp-section" aria-labelledby="sp-clock-h">
      <h3 id="sp-clock-h">Clock</h3>
      <ul className="sp-clock">
        {skews.map(({ entry, record }) => (
          <li key={entry.commit}>
            <strong>Record #{entry.seq}, clock skew</strong> at <Stamp iso={entry.at} />: {describeClockSkew(record.payload)}{' '}
            <span className="muted">
              Evidence commit <CommitId commit={entry.commit} short />.
            </span>
          </li>
        ))}
      </ul>
      {bootChecked && <p>{describeDeadline(session)}</p>}
    </section>
  );
}
