import { z } from 'zod';
import { sha256Hex } from '../chain';
import { asciicastLine, utf8Length } from './asciicast';

// The recording's data model (issue 17): what a chunk of a recording is, the redactor it passes
// through, and the recorder's public face. The recorder itself is recorder.ts.

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

/** What a finished recording amounts to. */
export interface RecordingSummary {
  chunks: number;
  bytes: number;
  durationSeconds: number;
  ended: RecordingEnd;
  redactionCount: number;
  redactionKinds: Record<string, number>;
}

/** A running recording (recorder.ts in this thread; main/process/recorderHost.ts in a worker). */
export interface Recorder {
  /** Output read from the PTY; `at` is when it was read (epoch ms, default now). */
  write(data: string, at?: number): void;
  resize(cols: number, rows: number): void;
  /** A labelled point in time (expiry warning, operator marker). */
  mark(label: string): void;
  /** Ends the recording; resolves once every chunk is committed. */
  end(how: Exclude<RecordingEnd, 'crash-recovered'>, exit?: { exitCode: number | null }): Promise<RecordingSummary>;
  status(): RecorderStatus;
}

/** A marker's label: short, no control characters. */
export const markLabelSchema = z.string().min(1).max(200).regex(/^[^\p{Cc}]*$/u, 'no control characters');
/** A terminal size in columns and rows. */
export const terminalSizeSchema = z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) });

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
