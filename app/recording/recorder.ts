import { z } from 'zod';
import { asciicastLine, roundTime, sha256HexAsync, sha256HexOfBytes, utf8Length, type AsciicastEvent, type AsciicastHeader } from './asciicast';
import { ChunkLines } from './chunkLines';
import {
  markLabelSchema, terminalSizeSchema, type FlowControl, type RecorderStatus, type RecordingChunk, type RecordingEnd,
  type RecordingSummary, type Recorder, type RedactionResult, type StreamRedactor,
} from './model';

// The recorder of a governed shell (issue 17, "The recording is evidence"). It turns what the PTY
// shows into asciicast v2 chunks, each committed as evidence by the caller (`onChunk`), cut at
// least every 10 s or 256 KiB so a crash or `kill -9` loses at most one interval.
//
// Only output is recorded ("o" events), never keystrokes ("i"). What the operator types reaches
// the recording only as the terminal's echo, and the echo is the kernel's line discipline (or the
// program's own, e.g. readline) writing the characters back as output. A program asking for a
// password (`read -s`, sudo, ssh, passwd) turns echo off (termios ECHO cleared) before it reads,
// so those keystrokes are never written back and never reach the recorder. That is how the
// product knows it records input only while the terminal echoes: it never sees input at all.
//
// Every byte of output passes through the stream redactor before it is put into an event, so no
// chunk leaves the recorder unredacted. The redactor is not flushed between chunks (only after a
// whole interval of silence, see write): it carries its bounded tail over a chunk boundary, so a
// secret split across two chunks is still caught.

/** Timers the recorder uses (injectable so tests can move time). */
export interface RecorderTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const settingsSchema = z.object({
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(1000),
  mode: z.enum(['strict', 'best-effort']),
  term: z.string().max(100).optional(),
  shell: z.string().max(500).optional(),
  maxChunkMs: z.number().int().min(10).max(600_000).default(10_000),
  maxChunkBytes: z.number().int().min(4096).max(16 * 1024 * 1024).default(256 * 1024),
  /** Chunks waiting to be committed beyond which the PTY is not read (bounded memory). */
  maxPendingChunks: z.number().int().min(1).max(1000).default(16),
  /**
   * Output redacted and encoded per event-loop turn. On the PTY's own thread it is small, so the
   * loop goes back to reading the PTY between batches; in the recorder's worker nothing else
   * waits, and a timer turn per 32 KiB would cap the recording at about 32 MB/s (a 10 MB `cat`
   * ran 2.3× slower than without a recorder, paused by its own backlog).
   */
  batchChars: z.number().int().min(1024).max(1024 * 1024).default(32 * 1024),
  retryMs: z.object({ first: z.number().int().min(1), max: z.number().int().min(1) }).strict().default({ first: 250, max: 5_000 }),
}).strict();

/** Settings of a recorder (validated with zod), plus its collaborators. */
export type RecorderOptions = z.input<typeof settingsSchema> & {
  redactor: StreamRedactor;
  /** Commits one chunk as evidence; a rejection is handled by `mode`. */
  onChunk(chunk: RecordingChunk): Promise<void>;
  /**
   * Optional group commit: commits every chunk given, in order, all or none (one fast-import run
   * with one commit per record and one ref update). When present it is used for everything after
   * the header, with as many waiting chunks as `maxPendingChunks`, so a burst of output costs a
   * few commits instead of one per 256 KiB.
   */
  onChunks?(chunks: readonly RecordingChunk[]): Promise<void>;
  flow?: FlowControl;
  onStatus?(status: RecorderStatus): void;
  /**
   * SHA-256 (hex) of a chunk's UTF-8 bytes (default: Web Crypto, asynchronous). The recorder's
   * worker hashes synchronously with node:crypto: nothing else waits on its thread, and 10 MB
   * of output was about 47 Web Crypto jobs, each a promise, a copy of the bytes and a hop to
   * libuv's thread pool and back.
   */
  hashBytes?(bytes: Uint8Array<ArrayBuffer>): string | Promise<string>;
  /** Epoch milliseconds (default Date.now). */
  now?(): number;
  timers?: RecorderTimers;
};

// Longest output event, in UTF-16 units: even with JSON's worst-case escaping (\u001b is 6
// characters) one line stays well under the default chunk size.
const MAX_EVENT_CHARS = 16 * 1024;
// Output read but not yet redacted beyond which the PTY is not read (bounded memory).
const MAX_UNPROCESSED_CHARS = 1024 * 1024;

function addKinds(into: Record<string, number>, kinds: Readonly<Record<string, number>>): void {
  for (const [kind, n] of Object.entries(kinds)) into[kind] = (into[kind] ?? 0) + n;
}

/** Splits text into pieces of at most `max` UTF-16 units without cutting a surrogate pair. */
function pieces(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + max);
    if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/**
 * Starts a recording: commits chunk 0 (the header) before returning, so a recording that cannot be
 * committed at all fails closed — the caller does not start the shell.
 */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const { redactor, onChunk, onChunks, flow, onStatus, hashBytes = sha256HexOfBytes, now: clock, timers: givenTimers, ...given } = options;
  const settings = settingsSchema.parse(given);
  const now = clock ?? Date.now;
  const timers: RecorderTimers = givenTimers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  const startedAt = now();
  const header: AsciicastHeader = {
    version: 2, width: settings.cols, height: settings.rows, timestamp: Math.floor(startedAt / 1000),
    env: { TERM: settings.term ?? 'xterm-256color', ...(settings.shell ? { SHELL: settings.shell } : {}) },
  };
  const headerText = asciicastLine(header);
  const first: RecordingChunk = {
    seq: 0, startOffset: 0, endOffset: utf8Length(headerText), startTime: 0, endTime: 0, text: headerText,
    redactionCount: 0, redactionKinds: {}, sha256: await sha256HexAsync(headerText), ended: null,
  };
  await onChunk(first);

  let nextSeq = 1;
  let offset = first.endOffset;
  let lastTime = 0;
  // The chunk being filled: its lines, encoded as they come (sizes and the hash from those bytes).
  const lines = new ChunkLines(settings.maxChunkBytes + 64 * 1024);
  let chunkStart = 0;
  let chunkEnd = 0;
  let kinds: Record<string, number> = {};
  let count = 0;
  let cutTimer: unknown = null;
  let batch: string[] = [];
  let batchChars = 0;
  let batchTimer: unknown = null;
  let idleTimer: unknown = null;
  const totalKinds: Record<string, number> = {};
  let totalCount = 0;
  const queue: RecordingChunk[] = [];
  const hashes = new WeakMap<RecordingChunk, Promise<string>>();
  let committed = 1;
  let failures = 0;
  let paused = false;
  let pumping = false;
  let ended: Promise<RecordingSummary> | null = null;
  let drained: (() => void) | null = null;

  const time = (at = now()) => {
    lastTime = Math.max(lastTime, roundTime((at - startedAt) / 1000));
    return lastTime;
  };
  const status = (): RecorderStatus => ({
    state: ended && queue.length === 0 ? 'ended' : failures > 0 ? (settings.mode === 'strict' ? 'paused' : 'degraded') : 'recording',
    committedChunks: committed,
    pendingChunks: queue.length,
    failures,
  });
  let lastState = 'recording';
  const updateFlow = () => {
    // Strict: a chunk that cannot be committed stops the shell until it can. Both modes: a
    // backlog of commits stops reading the PTY, which bounds memory (the programs block).
    const shouldPause = (failures > 0 && settings.mode === 'strict') || (failures === 0 && queue.length > settings.maxPendingChunks) || batchChars > MAX_UNPROCESSED_CHARS;
    if (shouldPause !== paused) {
      paused = shouldPause;
      if (paused) flow?.pause();
      else flow?.resume();
    }
    const s = status();
    if (s.state !== lastState) {
      lastState = s.state;
      onStatus?.(s);
    }
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms));
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (queue.length > 0) {
      try {
        const group = onChunks ? queue.slice(0, settings.maxPendingChunks) : [queue[0]!];
        for (const chunk of group) chunk.sha256 ||= await hashes.get(chunk)!;
        if (onChunks) await onChunks(group);
        else await onChunk(group[0]!);
        queue.splice(0, group.length);
        committed += group.length;
        failures = 0;
        updateFlow();
      } catch {
        // The error is not kept: it may carry text from anywhere. The policy decides (mode).
        failures++;
        updateFlow();
        await sleep(Math.min(settings.retryMs.max, settings.retryMs.first * 2 ** (failures - 1)));
      }
    }
    pumping = false;
    updateFlow();
    drained?.();
  };

  const cut = (how: RecordingEnd | null) => {
    if (cutTimer !== null) timers.clearTimeout(cutTimer);
    cutTimer = null;
    if (how !== null && idleTimer !== null) timers.clearTimeout(idleTimer);
    if (lines.count === 0 && how === null) return;
    const bytes = lines.bytes;
    const taken = lines.take();
    const text = taken.text;
    const chunk: RecordingChunk = {
      seq: nextSeq++, startOffset: offset, endOffset: offset + bytes, startTime: chunkStart, endTime: chunkEnd, text,
      // Filled in before the commit (from `hashes` when asynchronous: Web Crypto hashes off the
      // main thread, and several chunks at once, so the PTY is not held up by it).
      redactionCount: count, redactionKinds: kinds, sha256: '', ended: how,
    };
    const hash = hashBytes(taken.bytes);
    if (typeof hash === 'string') {
      chunk.sha256 = hash;
      // Hashed already: its buffer can hold the next chunk (one allocation per recording).
      lines.recycle(taken.bytes);
    } else hashes.set(chunk, hash);
    offset += bytes;
    kinds = {};
    count = 0;
    queue.push(chunk);
    updateFlow();
    void pump();
  };
  let lastEventTime = 0;
  const addEvent = (given: AsciicastEvent) => {
    // Times never go backwards in the file, even for held-back output released after a marker.
    const event: AsciicastEvent = given[0] >= lastEventTime ? given : [lastEventTime, given[1], given[2]];
    lastEventTime = event[0];
    // One line of asciicast (asciicastLine's, its newline added by `lines`).
    const json = JSON.stringify(event);
    const size = lines.measure(json);
    if (lines.count > 0 && lines.bytes + size > settings.maxChunkBytes) cut(null);
    if (lines.count === 0) {
      chunkStart = event[0];
      cutTimer = timers.setTimeout(() => {
        cutTimer = null;
        takeBatch();
        cut(null);
      }, settings.maxChunkMs);
    }
    lines.accept(json);
    chunkEnd = event[0];
  };
  // When each piece of output arrived, oldest first, for the part the redactor has not released.
  // Released text is given the arrival times of the input it came from (one character for one:
  // exact when nothing was redacted; a redaction marker's different length shifts the boundary
  // by that difference until the next flush), so marks held back with a tail keep their time.
  let arrivals: { chars: number; time: number; ends: number }[] = [];
  // Resizes and markers stand where they happened in the stream: behind output that arrived
  // before them and is still held back, they wait for it (at its arrival time), so a recording
  // keeps its timing and order although the redactor releases text late — a shell's end marker
  // once came before the last 8 KiB of its output, all stamped at the end (issue 17 playback).
  let written = 0;
  let released = 0;
  let held: { at: number; event: AsciicastEvent }[] = [];
  const addInStream = (event: AsciicastEvent) => {
    if (released >= written) addEvent(event);
    else held.push({ at: written, event });
  };
  const releaseHeld = () => {
    while (held.length > 0 && held[0]!.at <= released) addEvent(held.shift()!.event);
  };
  const addOutput = (result: RedactionResult, flushed: boolean) => {
    let rest = result.text;
    while (rest.length > 0) {
      const oldest = arrivals[0];
      if (!oldest) {
        for (const piece of pieces(rest, MAX_EVENT_CHARS)) addEvent([time(), 'o', piece]);
        break;
      }
      // The newest arrival takes whatever is left (a marker longer than the secret it replaced),
      // and text with a redaction in it stays whole, so no marker is cut in two.
      const segment = arrivals.length === 1 || result.count > 0 ? rest : rest.slice(0, oldest.chars);
      for (const piece of pieces(segment, MAX_EVENT_CHARS)) addEvent([oldest.time, 'o', piece]);
      rest = rest.slice(segment.length);
      oldest.chars -= segment.length;
      if (oldest.chars <= 0) {
        arrivals.shift();
        released = oldest.ends;
        releaseHeld();
      }
    }
    if (flushed) {
      arrivals = [];
      released = written;
      releaseHeld();
      held = [];
    }
    // Counted where the redacted text landed (the chunk its markers are in).
    addKinds(kinds, result.kinds);
    addKinds(totalKinds, result.kinds);
    count += result.count;
    totalCount += result.count;
  };

  // A PTY is read 4 KiB at a time. Output is redacted and encoded later, in batches of up to
  // `batchChars` per timer turn: far cheaper per byte than piece by piece, and the event loop goes back
  // to reading the PTY between batches, so the programs writing to it are not held up while the
  // recorder works. `all` takes everything (before a resize, a marker, a cut or the end).
  const takeBatch = (all = true) => {
    if (batchTimer !== null) timers.clearTimeout(batchTimer);
    batchTimer = null;
    while (batch.length > 0) {
      let n = 0;
      let chars = 0;
      while (n < batch.length && (all || chars < settings.batchChars)) chars += batch[n++]!.length;
      // Concatenated, not joined: the redactor puts its carried tail in front and flattens the
      // whole once (a join copied every batch one more time).
      let data = batch[0]!;
      for (let i = 1; i < n; i++) data += batch[i]!;
      batch = batch.slice(n);
      batchChars -= chars;
      addOutput(redactor.push(data), false);
      if (!all) break;
    }
    if (batch.length > 0) batchTimer = timers.setTimeout(() => takeBatch(false), 0);
    updateFlow();
  };

  return {
    write(data, at) {
      if (ended || data.length === 0) return;
      written += data.length;
      arrivals.push({ chars: data.length, time: time(at), ends: written });
      batch.push(data);
      batchChars += data.length;
      if (batchChars > MAX_UNPROCESSED_CHARS) updateFlow();
      batchTimer ??= timers.setTimeout(() => takeBatch(false), 0);
      // The redactor holds back a tail that could be the start of a secret. After a whole
      // interval of silence nothing more of it is coming: flush it, so an idle terminal (a
      // prompt waiting) is recorded within one interval too. A secret whose printing pauses for
      // that long in the middle would be split here; that is the price of the bound.
      if (idleTimer !== null) timers.clearTimeout(idleTimer);
      idleTimer = timers.setTimeout(() => {
        idleTimer = null;
        if (ended) return;
        takeBatch();
        addOutput(redactor.flush(), true);
        cut(null);
      }, settings.maxChunkMs);
    },
    resize(cols, rows) {
      if (ended) return;
      const size = terminalSizeSchema.parse({ cols, rows });
      takeBatch();
      addInStream([time(), 'r', `${size.cols}x${size.rows}`]);
    },
    mark(label) {
      if (ended) return;
      const valid = markLabelSchema.parse(label);
      takeBatch();
      addInStream([time(), 'm', valid]);
    },
    end(how, exit) {
      if (ended) return ended;
      takeBatch();
      addOutput(redactor.flush(), true);
      const t = time();
      addEvent([t, 'm', `recording-ended: ${how}`]);
      addEvent([t, 'x', String(exit?.exitCode ?? -1)]);
      ended = new Promise<RecordingSummary>((resolve) => {
        drained = () => resolve({ chunks: nextSeq, bytes: offset, durationSeconds: t, ended: how, redactionCount: totalCount, redactionKinds: totalKinds });
      });
      cut(how);
      return ended;
    },
    status,
  };
}

