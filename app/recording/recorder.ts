import { z } from 'zod';
import { sha256Hex } from '../chain';
import { asciicastLine, roundTime, utf8Length, type AsciicastEvent, type AsciicastHeader } from './asciicast';

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
// chunk leaves the recorder unredacted. The redactor is never flushed between chunks: it carries
// its bounded tail over a chunk boundary, so a secret split across two chunks is still caught.

/** The outcome of one redaction step: the redacted text and how many of what kinds were removed. */
export interface RedactionResult {
  text: string;
  count: number;
  kinds: Readonly<Record<string, number>>;
}

/** A redactor for text that arrives in pieces (app/redaction implements it, issue 13). */
export interface StreamRedactor {
  push(chunk: string): RedactionResult;
  flush(): RedactionResult;
}

/** What happens when a chunk cannot be committed: pause the shell, or keep going degraded. */
export type RecorderMode = 'strict' | 'best-effort';

/** How a recording ended; `crash-recovered` is written by the next start (crashRecoveryChunk). */
export type RecordingEnd = 'exit' | 'expiry' | 'close' | 'crash-recovered';

/** One piece of the recording, committed as evidence in `seq` order; texts concatenate to the file. */
export interface RecordingChunk {
  seq: number;
  /** UTF-8 byte offsets of this chunk's text within the whole recording. */
  startOffset: number;
  endOffset: number;
  /** Recording time (seconds) of its first and last event. */
  startTime: number;
  endTime: number;
  /** asciicast lines, each ending in a newline (chunk 0 is the header line). */
  text: string;
  redactionCount: number;
  redactionKinds: Record<string, number>;
  /** SHA-256 (hex) of `text` in UTF-8. */
  sha256: string;
  /** Set on the last chunk: how the recording ended. */
  ended: RecordingEnd | null;
}

/** What strict mode stops while chunks cannot be committed (the PTY: stop reading it). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/** The recorder's health, for the UI and for a `recording-degraded` record. */
export interface RecorderStatus {
  state: 'recording' | 'paused' | 'degraded' | 'ended';
  committedChunks: number;
  pendingChunks: number;
  /** Consecutive failed commits of the oldest pending chunk. */
  failures: number;
}

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
  maxPendingChunks: z.number().int().min(1).max(1000).default(4),
  retryMs: z.object({ first: z.number().int().min(1), max: z.number().int().min(1) }).strict().default({ first: 250, max: 5_000 }),
}).strict();

/** Settings of a recorder (validated with zod), plus its collaborators. */
export type RecorderOptions = z.input<typeof settingsSchema> & {
  redactor: StreamRedactor;
  /** Commits one chunk as evidence; a rejection is handled by `mode`. */
  onChunk(chunk: RecordingChunk): Promise<void>;
  flow?: FlowControl;
  onStatus?(status: RecorderStatus): void;
  /** Epoch milliseconds (default Date.now). */
  now?(): number;
  timers?: RecorderTimers;
};

/** What a finished recording amounts to. */
export interface RecordingSummary {
  chunks: number;
  bytes: number;
  durationSeconds: number;
  ended: RecordingEnd;
  redactionCount: number;
  redactionKinds: Record<string, number>;
}

/** A running recording. */
export interface Recorder {
  /** Output read from the PTY. */
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** A labelled point in time (expiry warning, operator marker). */
  mark(label: string): void;
  /** Ends the recording; resolves once every chunk is committed. */
  end(how: Exclude<RecordingEnd, 'crash-recovered'>, exit?: { exitCode: number | null }): Promise<RecordingSummary>;
  status(): RecorderStatus;
}

const markLabel = z.string().min(1).max(200).regex(/^[^\p{Cc}]*$/u, 'no control characters');
const sizeSchema = z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) });

// Longest output event, in UTF-16 units: even with JSON's worst-case escaping (\u001b is 6
// characters) one line stays well under the default chunk size.
const MAX_EVENT_CHARS = 16 * 1024;

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
  const { redactor, onChunk, flow, onStatus, now: clock, timers: givenTimers, ...given } = options;
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
    redactionCount: 0, redactionKinds: {}, sha256: sha256Hex(headerText), ended: null,
  };
  await onChunk(first);

  let nextSeq = 1;
  let offset = first.endOffset;
  let lastTime = 0;
  let lines: string[] = [];
  let bytes = 0;
  let chunkStart = 0;
  let chunkEnd = 0;
  let kinds: Record<string, number> = {};
  let count = 0;
  let cutTimer: unknown = null;
  let idleTimer: unknown = null;
  const totalKinds: Record<string, number> = {};
  let totalCount = 0;
  const queue: RecordingChunk[] = [];
  let committed = 1;
  let failures = 0;
  let paused = false;
  let pumping = false;
  let ended: Promise<RecordingSummary> | null = null;
  let drained: (() => void) | null = null;

  const time = () => {
    lastTime = Math.max(lastTime, roundTime((now() - startedAt) / 1000));
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
    const shouldPause = (failures > 0 && settings.mode === 'strict') || (failures === 0 && queue.length > settings.maxPendingChunks);
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
        await onChunk(queue[0]!);
        queue.shift();
        committed++;
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
    if (lines.length === 0 && how === null) return;
    const text = lines.join('');
    const chunk: RecordingChunk = {
      seq: nextSeq++, startOffset: offset, endOffset: offset + bytes, startTime: chunkStart, endTime: chunkEnd, text,
      redactionCount: count, redactionKinds: kinds, sha256: sha256Hex(text), ended: how,
    };
    offset += bytes;
    lines = [];
    bytes = 0;
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
    const line = asciicastLine(event);
    const size = utf8Length(line);
    if (lines.length > 0 && bytes + size > settings.maxChunkBytes) cut(null);
    if (lines.length === 0) {
      chunkStart = event[0];
      cutTimer = timers.setTimeout(() => cut(null), settings.maxChunkMs);
    }
    lines.push(line);
    bytes += size;
    chunkEnd = event[0];
  };
  // When each piece of output arrived, oldest first, for the part the redactor has not released.
  // Released text is given the arrival times of the input it came from (one character for one:
  // exact when nothing was redacted; a redaction marker's different length shifts the boundary
  // by that difference until the next flush), so marks held back with a tail keep their time.
  let arrivals: { chars: number; time: number }[] = [];
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
      if (oldest.chars <= 0) arrivals.shift();
    }
    if (flushed) arrivals = [];
    // Counted where the redacted text landed (the chunk its markers are in).
    addKinds(kinds, result.kinds);
    addKinds(totalKinds, result.kinds);
    count += result.count;
    totalCount += result.count;
  };

  return {
    write(data) {
      if (ended || data.length === 0) return;
      arrivals.push({ chars: data.length, time: time() });
      addOutput(redactor.push(data), false);
      // The redactor holds back a tail that could be the start of a secret. After a whole
      // interval of silence nothing more of it is coming: flush it, so an idle terminal (a
      // prompt waiting) is recorded within one interval too. A secret whose printing pauses for
      // that long in the middle would be split here; that is the price of the bound.
      if (idleTimer !== null) timers.clearTimeout(idleTimer);
      idleTimer = timers.setTimeout(() => {
        idleTimer = null;
        if (ended) return;
        addOutput(redactor.flush(), true);
        cut(null);
      }, settings.maxChunkMs);
    },
    resize(cols, rows) {
      if (ended) return;
      const size = sizeSchema.parse({ cols, rows });
      addEvent([time(), 'r', `${size.cols}x${size.rows}`]);
    },
    mark(label) {
      if (ended) return;
      addEvent([time(), 'm', markLabel.parse(label)]);
    },
    end(how, exit) {
      if (ended) return ended;
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

/**
 * The closing chunk the next start writes for a recording whose process died (`kill -9`, power
 * loss): it follows the last committed chunk and says the recording was crash-recovered.
 */
export function crashRecoveryChunk(last: Pick<RecordingChunk, 'seq' | 'endOffset' | 'endTime'>): RecordingChunk {
  const text = asciicastLine([last.endTime, 'm', 'recording-ended: crash-recovered']) + asciicastLine([last.endTime, 'x', '-1']);
  return {
    seq: last.seq + 1, startOffset: last.endOffset, endOffset: last.endOffset + utf8Length(text), startTime: last.endTime, endTime: last.endTime,
    text, redactionCount: 0, redactionKinds: {}, sha256: sha256Hex(text), ended: 'crash-recovered',
  };
}
