import type { TimelineEntry } from '../../app/views';
import { formatPerson } from '../format';
import { CommitId } from './CommitId';
import { Stamp } from './Stamp';

/** "Declared by Ada Lovelace <ada@example.com> at …, evidence commit …": who made a record, when, and where it is in git. */
export function RecordedBy({ verb, entry }: { verb: string; entry: Pick<TimelineEntry, 'actor' | 'at' | 'commit'> }) {
  return (
    <p className="sp-hint">
      {verb} by {formatPerson(entry.actor)} at <Stamp iso={entry.at} />, evidence commit <CommitId commit={entry.commit} />.
    </p>
  );
}
