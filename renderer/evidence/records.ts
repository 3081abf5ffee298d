import { assertNever } from '../../app/errors';
import { isChainRecord, type RecordType } from '../../app/records';
import type { TimelineEntry } from '../../app/views';

/** How each record type reads wherever records are listed. */
export function recordLabel(type: RecordType): string {
  switch (type) {
    case 'declared':
      return 'Declared';
    case 'action':
      return 'Action';
    case 'action-started':
      return 'Command started';
    case 'note':
      return 'Note';
    case 'extended':
      return 'Extended';
    case 'expired':
      return 'Expired';
    case 'closed':
      return 'Closed';
    case 'reviewed':
      return 'Reviewed';
    case 'lock-recovered':
      return 'Lock recovered';
    case 'clock-skew':
      return 'Clock skew';
    case 'policy-adopted':
      return 'Policy adopted';
    case 'forwarding-state':
      return 'Forwarding state';
    case 'recording-started':
      return 'Shell opened';
    case 'recording-chunk':
      return 'Recording';
    case 'recording-degraded':
      return 'Recording degraded';
    case 'recording-ended':
      return 'Shell ended';
    case 'acknowledgement':
      return 'Commander acknowledgement';
    case 'acknowledged':
      return 'Acknowledged';
    case 'witnessed':
      return 'Witnessed';
    default:
      return assertNever(type, 'record type');
  }
}

/** The records of one type in a timeline, each with its entry, typed. */
export function recordsOf<T extends TimelineEntry['record']['type']>(timeline: readonly TimelineEntry[], type: T): Array<{ entry: TimelineEntry; record: Extract<TimelineEntry['record'], { type: T }> }> {
  return timeline
    .filter((e) => e.record.type === type)
    .map((e) => ({ entry: e, record: e.record as Extract<TimelineEntry['record'], { type: T }> }));
}

/** "850 ms", "4.2 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** How a control's closing answer reads (procedure.md §8). */
export function restoredLabel(answer: 'yes' | 'no' | 'not-applicable'): string {
  return answer === 'yes' ? 'Yes' : answer === 'no' ? 'No' : 'Not applicable';
}

/** Whether a record reached the remote, in words and as the badge's kind: null is a repository with no remote. */
export function pushState(pushed: TimelineEntry['pushed']): { kind: 'local' | 'pushed' | 'pending'; label: string } {
  if (pushed === null) return { kind: 'local', label: 'Local only' };
  return pushed ? { kind: 'pushed', label: 'Pushed' } : { kind: 'pending', label: 'Pending' };
}

/**
 * How a record is referred to: `Record #3` on the session's chain; a review filed on the
 * reviewer's host sits outside the chain with that host's own count (issue 14), so it is
 * `Review 1 from host-r1` — two reviews from two hosts are never both "#1".
 */
export function recordRef(entry: Pick<TimelineEntry, 'seq' | 'record'>): string {
  return isChainRecord(entry.record) ? `Record #${entry.seq}` : `Review ${entry.seq} from ${entry.record.host.id}`;
}

/** The number in a timeline's first column: the chain's sequence, or `R<n>` for a review outside the chain. */
export function recordNumber(entry: Pick<TimelineEntry, 'seq' | 'record'>): string {
  return isChainRecord(entry.record) ? String(entry.seq) : `R${entry.seq}`;
}
