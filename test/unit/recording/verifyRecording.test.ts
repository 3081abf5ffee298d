import { describe, expect, it } from 'vitest';
import { crashRecoveryChunk, type RecordingChunk } from '../../../app/recording/model';
import { startRecorder } from '../../../app/recording/recorder';
import { verifyRecordingChunks } from '../../../app/recording/verifyRecording';
import { testDoubleRedactor } from '../../support/testDoubleRedactor';

async function recording(): Promise<RecordingChunk[]> {
  const chunks: RecordingChunk[] = [];
  const rec = await startRecorder({ cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), maxChunkBytes: 4096, onChunk: async (c) => void chunks.push(c) });
  for (let i = 0; i < 100; i++) rec.write(`${'line '.repeat(60)}${i}\r\n`);
  await rec.end('exit', { exitCode: 0 });
  return chunks;
}

describe('verifying a recording', () => {
  it('finds nothing wrong with a whole recording, in any order', async () => {
    const chunks = await recording();
    expect(chunks.length).toBeGreaterThan(3);
    expect(await verifyRecordingChunks([...chunks].reverse())).toEqual([]);
  });

  it('finds a missing chunk, an edited chunk and a recording never closed', async () => {
    const chunks = await recording();
    const without = chunks.filter((c) => c.seq !== 2);
    expect(await verifyRecordingChunks(without)).toEqual(expect.arrayContaining([{ seq: 2, problem: 'missing-chunk' }, { seq: 3, problem: 'offset-gap' }]));
    const edited = chunks.map((c) => (c.seq === 1 ? { ...c, text: c.text.replace('line', 'LINE') } : c));
    expect(await verifyRecordingChunks(edited)).toEqual([{ seq: 1, problem: 'hash-mismatch' }]);
    const unclosed = chunks.slice(0, -1);
    expect(await verifyRecordingChunks(unclosed)).toEqual([{ seq: null, problem: 'not-closed' }]);
  });

  it('accepts a recording closed by the next start after a crash', async () => {
    const chunks = (await recording()).slice(0, -1);
    expect(await verifyRecordingChunks([...chunks, crashRecoveryChunk(chunks.at(-1)!)])).toEqual([]);
  });
});
