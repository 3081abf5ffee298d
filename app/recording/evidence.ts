import type { EvidenceRecord, RecordOf } from '../records';
import type { RecordingChunk } from './model';
import { verifyRecordingChunks, type RecordingProblem } from './verifyRecording';

// A session's recordings as its records hold them (issue 17): grouped by recording id, chunks
// turned back into the recorder's RecordingChunk, checked the way `verify` checks them.

/** One recording of a session, as committed. */
export interface RecordingEvidence {
  recordingId: string;
  started: RecordOf<'recording-started'> | null;
  chunks: RecordingChunk[];
  /** The chunk records, in the order committed (their seq in the session's chain is the record's). */
  chunkRecords: Array<RecordOf<'recording-chunk'>>;
  degraded: Array<RecordOf<'recording-degraded'>>;
  ended: RecordOf<'recording-ended'> | null;
}

/** A chunk record's payload as the recorder made it (the redaction counts are the record's). */
export function chunkOf(record: RecordOf<'recording-chunk'>): RecordingChunk {
  const { recordingId: _id, ...chunk } = record.payload;
  return { ...chunk, redactionCount: record.redactions, redactionKinds: { ...(record.redactionKinds ?? {}) } };
}

/** The recordings among a session's records, in the order they were started. */
export function recordingsOf(records: readonly EvidenceRecord[]): RecordingEvidence[] {
  const byId = new Map<string, RecordingEvidence>();
  const of = (id: string) => {
    let r = byId.get(id);
    if (!r) byId.set(id, (r = { recordingId: id, started: null, chunks: [], chunkRecords: [], degraded: [], ended: null }));
    return r;
  };
  for (const record of records) {
    switch (record.type) {
      case 'recording-started':
        of(record.payload.recordingId).started = record;
        break;
      case 'recording-chunk': {
        const r = of(record.payload.recordingId);
        r.chunks.push(chunkOf(record));
        r.chunkRecords.push(record);
        break;
      }
      case 'recording-degraded':
        of(record.payload.recordingId).degraded.push(record);
        break;
      case 'recording-ended':
        of(record.payload.recordingId).ended = record;
        break;
      default:
        break;
    }
  }
  return [...byId.values()];
}

/** The whole asciicast file of a recording (chunk texts in sequence order). */
export function asciicastOf(recording: Pick<RecordingEvidence, 'chunks'>): string {
  return [...recording.chunks].sort((a, b) => a.seq - b.seq).map((c) => c.text).join('');
}

/** A problem `verify` reports about one recording. */
export interface RecordingEvidenceProblem {
  recordingId: string;
  /** The session record the problem is at (a chunk's record), or null for the whole recording. */
  recordSeq: number | null;
  message: string;
}

const MESSAGES: Record<RecordingProblem['problem'], string> = {
  'missing-chunk': 'A chunk of the recording is missing (its sequence has a gap).',
  'offset-gap': 'A chunk does not start where the previous one ended.',
  'hash-mismatch': "A chunk's text does not match its SHA-256.",
  'length-mismatch': "A chunk's offsets do not match the length of its text.",
  'not-closed': 'The recording has no closing chunk.',
  'chunk-after-close': 'A chunk follows the recording\'s closing chunk.',
  'not-asciicast': 'The chunks do not form an asciicast v2 file.',
};

/**
 * Checks each recording of a session: the chunk chain (no gaps, offsets, hashes, a closing chunk),
 * a `recording-started` and a `recording-ended` record. A recording of a session that is still
 * open may be running, so its missing end is a problem only once the session is closed.
 */
export async function verifySessionRecordings(records: readonly EvidenceRecord[]): Promise<RecordingEvidenceProblem[]> {
  const closed = records.some((r) => r.type === 'closed');
  const problems: RecordingEvidenceProblem[] = [];
  for (const rec of recordingsOf(records)) {
    const running = !closed && rec.ended === null;
    if (!rec.started) problems.push({ recordingId: rec.recordingId, recordSeq: null, message: 'The recording has no recording-started record.' });
    for (const p of await verifyRecordingChunks(rec.chunks)) {
      if (running && (p.problem === 'not-closed' || p.problem === 'not-asciicast')) continue;
      const at = p.seq === null ? null : (rec.chunkRecords.find((c) => c.payload.seq === p.seq)?.seq ?? null);
      problems.push({ recordingId: rec.recordingId, recordSeq: at, message: MESSAGES[p.problem] });
    }
    if (!running && !rec.ended) problems.push({ recordingId: rec.recordingId, recordSeq: null, message: 'The recording has no recording-ended record.' });
  }
  return problems;
}
