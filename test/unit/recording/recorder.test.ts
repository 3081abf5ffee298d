import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAsciicast, utf8Length } from '../../../app/recording/asciicast';
import { sha256Hex } from '../../../app/chain';
import { crashRecoveryChunk, type RecordingChunk } from '../../../app/recording/model';
import { startRecorder, type RecorderTimers } from '../../../app/recording/recorder';
import { createStreamRedactor } from '../../../app/redaction';
import { testDoubleRedactor, testSecret } from '../../support/testDoubleRedactor';
import { waitFor } from '../../support/waitFor';

/** A clock and timers that move only when the test says (the one thing tests may fake). */
function manualTime(start = 1_750_000_000_000) {
  let now = start;
  let id = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: RecorderTimers = {
    setTimeout: (fn, ms) => {
      pending.set(++id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      pending.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = until;
  };
  return { now: () => now, timers, advance };
}

/** The output ("o" events) a chunk carries, joined. */
function outputOf(chunk: RecordingChunk): string {
  return chunk.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown).filter((e): e is [number, string, string] => Array.isArray(e) && e[1] === 'o').map((e) => e[2]).join('');
}

/** Chunks cut so far (committed or waiting): known at once, unlike the asynchronous commits. */
const cutSoFar = (rec: { status(): { committedChunks: number; pendingChunks: number } }) => rec.status().committedChunks + rec.status().pendingChunks;

function collector() {
  const chunks: RecordingChunk[] = [];
  return { chunks, onChunk: async (c: RecordingChunk) => void chunks.push(c) };
}

describe('recorder', () => {
  it('writes a valid asciicast v2 whose chunks are contiguous, hashed and end with the exit event', async () => {
    const time = manualTime();
    const { chunks, onChunk } = collector();
    const rec = await startRecorder({ cols: 100, rows: 30, mode: 'strict', shell: '/bin/bash', redactor: testDoubleRedactor(), onChunk, now: time.now, timers: time.timers });
    rec.write('hello, this is the first line of output\r\n');
    time.advance(1_500);
    rec.write('and this is the second one, later\r\n');
    rec.resize(120, 40);
    rec.mark('operator marker');
    const summary = await rec.end('exit', { exitCode: 0 });
    const text = chunks.map((c) => c.text).join('');
    const cast = parseAsciicast(text);
    expect(cast.header).toMatchObject({ version: 2, width: 100, height: 30, timestamp: 1_750_000_000, env: { TERM: 'xterm-256color', SHELL: '/bin/bash' } });
    // The redactor holds back a short tail (it could begin a secret): released later, it keeps
    // the time it arrived at; the last of it comes out with the flush at the end. The resize and
    // the marker wait behind it, where they happened in the stream. (This test once expected that
    // tail after them — ['o', 'o', 'o', 'r', 'm', 'o', 'm', 'x'] — which put output before the
    // events that followed it; playback showed it, issue 17.)
    expect(cast.events.map((e) => e[1])).toEqual(['o', 'o', 'o', 'o', 'r', 'm', 'm', 'x']);
    expect(cast.events.slice(0, 3).map((e) => e[0])).toEqual([0, 0, 1.5]);
    expect(cast.events[0]![2] + cast.events[1]![2]).toBe('hello, this is the first line of output\r\n');
    expect(cast.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toBe('hello, this is the first line of output\r\nand this is the second one, later\r\n');
    expect(cast.events[4]).toEqual([1.5, 'r', '120x40']);
    expect(cast.events.at(-2)).toEqual([1.5, 'm', 'recording-ended: exit']);
    expect(cast.events.at(-1)).toEqual([1.5, 'x', '0']);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    for (const [i, c] of chunks.entries()) {
      expect(c.sha256).toBe(sha256Hex(c.text));
      expect(c.endOffset - c.startOffset).toBe(utf8Length(c.text));
      if (i > 0) expect(c.startOffset).toBe(chunks[i - 1]!.endOffset);
    }
    expect(chunks.at(-1)!.ended).toBe('exit');
    expect(summary).toMatchObject({ chunks: chunks.length, bytes: utf8Length(text), ended: 'exit', durationSeconds: 1.5 });
  });

  it('keeps each output\'s time and its place before later markers although the real redactor holds it back', async () => {
    const time = manualTime();
    const { chunks, onChunk } = collector();
    // The product's stream redactor holds back up to 8 KiB, so short interactive output is
    // released only at an idle flush or the end.
    const rec = await startRecorder({ cols: 80, rows: 24, mode: 'strict', shell: '/bin/bash', redactor: createStreamRedactor(), onChunk, now: time.now, timers: time.timers });
    rec.write('$ echo one\r\none\r\n');
    time.advance(2_000);
    rec.mark('after one');
    time.advance(1_000);
    rec.write('$ echo two\r\ntwo\r\n');
    time.advance(2_000);
    rec.mark('after two');
    await rec.end('exit', { exitCode: 0 });
    const cast = parseAsciicast(chunks.map((c) => c.text).join(''));
    expect(cast.events).toEqual([
      [0, 'o', '$ echo one\r\none\r\n'],
      [2, 'm', 'after one'],
      [3, 'o', '$ echo two\r\ntwo\r\n'],
      [5, 'm', 'after two'],
      [5, 'm', 'recording-ended: exit'],
      [5, 'x', '0'],
    ]);
  });

  it('cuts a chunk at least every interval and at the size limit, whichever comes first', async () => {
    const time = manualTime();
    const { chunks, onChunk } = collector();
    const rec = await startRecorder({ cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), onChunk, now: time.now, timers: time.timers, maxChunkMs: 10_000, maxChunkBytes: 8192 });
    rec.write('some output that keeps coming\r\n');
    time.advance(5_000);
    rec.write('more output, five seconds later\r\n');
    time.advance(4_999);
    expect(cutSoFar(rec)).toBe(1);
    time.advance(1);
    expect(cutSoFar(rec)).toBe(2);
    await waitFor('chunk 1 committed', () => chunks.length === 2);
    expect(outputOf(chunks[1]!)).toContain('some output that keeps coming');
    // The held-back tail follows after an interval of silence; an idle terminal adds no chunks.
    time.advance(10_000);
    expect(cutSoFar(rec)).toBe(3);
    await waitFor('chunk 2 committed', () => chunks.length === 3);
    expect(outputOf(chunks[1]!) + outputOf(chunks[2]!)).toBe('some output that keeps coming\r\nmore output, five seconds later\r\n');
    time.advance(60_000);
    expect(cutSoFar(rec)).toBe(3);
    const lines = Array.from({ length: 100 }, (_, i) => `${'x'.repeat(200)} line ${i}\r\n`);
    for (const line of lines) rec.write(line);
    time.advance(0);
    await waitFor('the size cuts committed', () => chunks.length === cutSoFar(rec) && chunks.length >= 5);
    const sizeCut = chunks.slice(3);
    expect(sizeCut.length).toBeGreaterThanOrEqual(2);
    for (const c of sizeCut) expect(utf8Length(c.text)).toBeLessThanOrEqual(8192);
    await rec.end('close');
    expect(chunks.slice(3).map(outputOf).join('')).toBe(lines.join(''));
  });

  // The worker hashes synchronously, and then reuses each chunk's buffer for the next one.
  const hashings = [['Web Crypto', undefined], ['a synchronous hash, buffers reused', (b: Uint8Array) => createHash('sha256').update(b).digest('hex')]] as const;
  it.each(hashings)('sizes and hashes chunks of multi-byte output by its UTF-8 bytes, cut at the limit (%s)', async (_, hashBytes) => {
    const time = manualTime();
    const { chunks, onChunk } = collector();
    const rec = await startRecorder({ cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), onChunk, now: time.now, timers: time.timers, maxChunkBytes: 4096, ...(hashBytes ? { hashBytes } : {}) });
    // Two, three and four bytes a character, control characters JSON escapes, and lines long
    // enough that most cuts leave a measured event over for the next chunk.
    const pieces = ['é', '€', '✓', '😀', '\u001b[1m', '\u0007', '"', '\\', 'x'];
    const written: string[] = [];
    for (let i = 0; i < 300; i++) {
      const line = `${Array.from({ length: 20 + ((i * 37) % 200) }, (_, k) => pieces[(i + k) % pieces.length]).join('')}\r\n`;
      written.push(line);
      rec.write(line);
      if (i % 7 === 0) time.advance(0);
    }
    const summary = await rec.end('exit', { exitCode: 0 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const [i, c] of chunks.entries()) {
      expect(c.sha256).toBe(sha256Hex(c.text));
      expect(c.endOffset - c.startOffset).toBe(utf8Length(c.text));
      expect(utf8Length(c.text)).toBeLessThanOrEqual(4096);
      if (i > 0) expect(c.startOffset).toBe(chunks[i - 1]!.endOffset);
    }
    const text = chunks.map((c) => c.text).join('');
    expect(parseAsciicast(text).events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toBe(written.join(''));
    expect(summary.bytes).toBe(utf8Length(text));
  });

  it('redacts before a chunk leaves, including a secret split across two chunks, and counts kinds per chunk', async () => {
    const time = manualTime();
    const { chunks, onChunk } = collector();
    const secret = testSecret(42);
    const rec = await startRecorder({ cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), onChunk, now: time.now, timers: time.timers, maxChunkMs: 1_000 });
    rec.write('some output before the secret\r\n');
    time.advance(600);
    rec.write(`token: ${secret.slice(0, 9)}`);
    time.advance(400);
    // The interval ended in the middle of the secret; the rest comes in the next chunk.
    expect(cutSoFar(rec)).toBe(2);
    time.advance(100);
    rec.write(`${secret.slice(9)}\r\nafter\r\n`);
    await rec.end('exit', { exitCode: 0 });
    const all = chunks.map((c) => c.text).join('');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(secret.slice(7));
    expect(all).toContain('[REDACTED:test-secret]');
    expect(chunks.reduce((n, c) => n + c.redactionCount, 0)).toBe(1);
    expect(chunks.find((c) => c.text.includes('[REDACTED:test-secret]'))!.redactionKinds).toEqual({ 'test-secret': 1 });
  });

  it('refuses to start when the header cannot be committed (fail closed)', async () => {
    await expect(startRecorder({ cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), onChunk: async () => { throw new Error('disk full'); } })).rejects.toThrow('disk full');
  });

  it('strict: pauses the shell while a chunk cannot be committed and resumes once it can, in order', async () => {
    const time = manualTime();
    const committed: RecordingChunk[] = [];
    let failing = false;
    const flowCalls: string[] = [];
    const states: string[] = [];
    const rec = await startRecorder({
      cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), now: time.now, timers: time.timers, maxChunkMs: 1_000,
      onChunk: async (c) => {
        if (failing) throw new Error('remote said no');
        committed.push(c);
      },
      flow: { pause: () => flowCalls.push('pause'), resume: () => flowCalls.push('resume') },
      onStatus: (s) => states.push(s.state),
    });
    failing = true;
    rec.write('first output line, long enough\r\n');
    time.advance(1_000);
    await waitFor('the shell paused', () => rec.status().state === 'paused');
    expect(flowCalls).toEqual(['pause']);
    expect(rec.status()).toMatchObject({ state: 'paused', failures: 1 });
    expect(rec.status().pendingChunks).toBeGreaterThanOrEqual(1);
    rec.write('this arrived while paused, in flight\r\n');
    time.advance(1_000);
    failing = false;
    // Retries back off (250 ms, doubling): move the clock until the backlog is committed.
    await waitFor('the backlog committed', () => {
      time.advance(1_000);
      return rec.status().pendingChunks === 0 && rec.status().state === 'recording';
    });
    expect(flowCalls).toEqual(['pause', 'resume']);
    expect(rec.status()).toMatchObject({ state: 'recording', pendingChunks: 0 });
    expect(states).toEqual(['paused', 'recording']);
    expect(committed.map((c) => c.seq)).toEqual(committed.map((_, i) => i));
    expect(committed.slice(1).map(outputOf).join('')).toBe('first output line, long enough\r\nthis arrived while paused, in flight\r\n');
  });

  it('best-effort: keeps the shell running while degraded, and commits the backlog later', async () => {
    const time = manualTime();
    const committed: number[] = [];
    let failing = true;
    const flowCalls: string[] = [];
    const rec = await startRecorder({
      cols: 80, rows: 24, mode: 'best-effort', redactor: testDoubleRedactor(), now: time.now, timers: time.timers, maxChunkMs: 1_000,
      onChunk: async (c) => {
        if (failing && c.seq > 0) throw new Error('no');
        committed.push(c.seq);
      },
      flow: { pause: () => flowCalls.push('pause'), resume: () => flowCalls.push('resume') },
    });
    rec.write('output while the remote is away\r\n');
    time.advance(1_000);
    await waitFor('degraded', () => rec.status().state === 'degraded');
    expect(flowCalls).toEqual([]);
    failing = false;
    const ended = rec.end('expiry');
    await waitFor('the backlog committed', () => {
      time.advance(1_000);
      return rec.status().state === 'ended';
    });
    await ended;
    expect(committed).toEqual(committed.map((_, i) => i));
    expect(committed.length).toBeGreaterThanOrEqual(3);
    expect(flowCalls).toEqual([]);
  });

  it('stops reading the PTY while commits lag behind, whatever the mode', async () => {
    const releases: (() => void)[] = [];
    const flowCalls: string[] = [];
    const rec = await startRecorder({
      cols: 80, rows: 24, mode: 'best-effort', redactor: testDoubleRedactor(), maxChunkBytes: 4096, maxPendingChunks: 2,
      onChunk: (c) => (c.seq === 0 ? Promise.resolve() : new Promise<void>((r) => releases.push(r))),
      flow: { pause: () => flowCalls.push('pause'), resume: () => flowCalls.push('resume') },
    });
    for (let i = 0; i < 20; i++) rec.write(`${'y'.repeat(1000)}\r\n`);
    await waitFor('reading paused', () => flowCalls.length === 1);
    expect(flowCalls).toEqual(['pause']);
    await waitFor('the backlog committed', () => {
      releases.shift()?.();
      return rec.status().pendingChunks === 0;
    });
    expect(flowCalls).toEqual(['pause', 'resume']);
  });

  it('commits a burst in groups when the committer takes several chunks at once, all or none', async () => {
    const groups: number[][] = [];
    let failOnce = true;
    let release: (() => void) | null = null;
    const rec = await startRecorder({
      cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), maxChunkBytes: 4096, maxPendingChunks: 8,
      onChunk: async () => {},
      onChunks: async (chunks) => {
        // The first group waits (a slow commit) while the burst piles up behind it.
        if (groups.length === 0) await new Promise<void>((r) => (release = r));
        if (groups.length === 1 && failOnce) {
          failOnce = false;
          groups.push([]);
          throw new Error('fast-import failed');
        }
        groups.push(chunks.map((c) => c.seq));
      },
      retryMs: { first: 1, max: 1 },
    });
    for (let i = 0; i < 30; i++) rec.write(`${'z'.repeat(1000)} ${i}\r\n`);
    await waitFor('the first group started', () => release !== null);
    release!();
    await rec.end('exit');
    const committedSeqs = groups.flat();
    expect(committedSeqs).toEqual(committedSeqs.map((_, i) => i + 1));
    expect(groups.filter((g) => g.length > 0).length).toBeLessThan(committedSeqs.length / 2);
    expect(groups[1]).toEqual([]);
    expect(Math.max(...groups.map((g) => g.length))).toBeLessThanOrEqual(8);
  });

  it('refuses markers with control characters and resizes out of range', async () => {
    const rec = await startRecorder({ cols: 80, rows: 24, mode: 'strict', redactor: testDoubleRedactor(), onChunk: async () => {} });
    expect(() => rec.mark('bad\u001b]133;A\u0007')).toThrow();
    expect(() => rec.resize(0, 24)).toThrow();
    await rec.end('close');
  });

  it('closes a crashed recording with a chunk that follows the last committed one', () => {
    const closing = crashRecoveryChunk({ seq: 7, endOffset: 1234, endTime: 42.5 });
    expect(closing).toMatchObject({ seq: 8, startOffset: 1234, ended: 'crash-recovered', sha256: sha256Hex(closing.text) });
    expect(closing.endOffset).toBe(1234 + utf8Length(closing.text));
    const header = '{"version":2,"width":80,"height":24,"timestamp":1}\n';
    expect(parseAsciicast(header + closing.text).events).toEqual([[42.5, 'm', 'recording-ended: crash-recovered'], [42.5, 'x', '-1']]);
  });

  it('redacts a backlog in batches of batchChars per timer turn: small on the PTY\'s thread, large in the worker', async () => {
    const batchesFor = async (batchChars?: number) => {
      const time = manualTime();
      const redactor = testDoubleRedactor();
      const rec = await startRecorder({ cols: 80, rows: 24, mode: 'strict', redactor, onChunk: async () => {}, now: time.now, timers: time.timers, ...(batchChars ? { batchChars } : {}) });
      // 512 KiB read from the PTY in 4 KiB pieces before the recorder's first turn.
      for (let i = 0; i < 128; i++) rec.write(`${String(i).padStart(4, '0')}${'x'.repeat(4091)}\n`);
      // Each timer turn redacts one batch (one push): turn the loop until nothing is left.
      for (let before = -1; before !== redactor.pushes; ) {
        before = redactor.pushes;
        time.advance(0);
      }
      const pushes = redactor.pushes;
      await rec.end('exit');
      return pushes;
    };
    // 32 KiB a turn: 16 turns, the loop free to read the PTY between them.
    expect(await batchesFor()).toBe(16);
    // The worker's setting, one host message a turn (a timer turn per 32 KiB capped a recording at about 32 MB/s).
    expect(await batchesFor(256 * 1024)).toBe(2);
    // The largest takes everything waiting in one turn.
    expect(await batchesFor(1024 * 1024)).toBe(1);
  });
});
