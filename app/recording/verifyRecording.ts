import { AsciicastError, parseAsciicast, sha256HexAsync, utf8Length } from './asciicast';
import type { RecordingChunk } from './model';

// What `verify` checks of each recording (issue 17, "Playback"): the chunks as committed form one
// whole asciicast file — every sequence number once, in order, each starting where the previous
// ended, each hash matching its text — and the recording is closed by a last chunk saying how.

/** One thing wrong with a recording, with the chunk it was found at (or null for the whole). */
export interface RecordingProblem {
  seq: number | null;
  problem: 'missing-chunk' | 'offset-gap' | 'hash-mismatch' | 'length-mismatch' | 'not-closed' | 'chunk-after-close' | 'not-asciicast';
}

/** Checks the committed chunks of one recording (in any order); an empty list means it is whole. */
export async function verifyRecordingChunks(chunks: readonly RecordingChunk[]): Promise<RecordingProblem[]> {
  const problems: RecordingProblem[] = [];
  const sorted = [...chunks].sort((a, b) => a.seq - b.seq);
  let closedAt: number | null = null;
  for (const [i, chunk] of sorted.entries()) {
    const previous = sorted[i - 1];
    if (chunk.seq !== i) problems.push({ seq: i, problem: 'missing-chunk' });
    if (chunk.startOffset !== (previous ? previous.endOffset : 0)) problems.push({ seq: chunk.seq, problem: 'offset-gap' });
    if (chunk.endOffset - chunk.startOffset !== utf8Length(chunk.text)) problems.push({ seq: chunk.seq, problem: 'length-mismatch' });
    if ((await sha256HexAsync(chunk.text)) !== chunk.sha256) problems.push({ seq: chunk.seq, problem: 'hash-mismatch' });
    if (closedAt !== null) problems.push({ seq: chunk.seq, problem: 'chunk-after-close' });
    if (chunk.ended !== null) closedAt ??= chunk.seq;
  }
  if (closedAt === null) problems.push({ seq: null, problem: 'not-closed' });
  try {
    parseAsciicast(sorted.map((c) => c.text).join(''));
  } catch (e) {
    if (!(e instanceof AsciicastError)) throw e;
    problems.push({ seq: null, problem: 'not-asciicast' });
  }
  return problems;
}
