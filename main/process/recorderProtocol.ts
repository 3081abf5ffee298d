import type { RecorderStatus, RecordingChunk, RecordingEnd, RecordingSummary } from '../../app/recording/model';

/**
 * Messages between recorderHost.ts (this thread, next to the PTY) and recorderWorker.ts (the
 * worker that redacts, encodes and hashes). Only plain data crosses: structured clone.
 */

/** Where the worker finds the stream redactor: a module and the name of its factory export. */
export interface RedactorModule {
  /** A file path or file: URL of the module (TypeScript in the source tree, JavaScript built). */
  module: string;
  /** The export to call, with no arguments, for a fresh StreamRedactor. */
  factory: string;
}

/** Recorder settings that cross to the worker (RecorderOptions without functions). */
export interface WorkerRecorderSettings {
  cols: number;
  rows: number;
  mode: 'strict' | 'best-effort';
  term?: string;
  shell?: string;
  maxChunkMs?: number;
  maxChunkBytes?: number;
  maxPendingChunks?: number;
  batchChars?: number;
  groupCommit: boolean;
}

/** From the host to the worker. */
export type ToWorker =
  /** PTY reads in order, each with the time it was read (several per message: see recorderHost). */
  | { type: 'write'; data: string[]; at: number[] }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'mark'; label: string }
  | { type: 'end'; how: Exclude<RecordingEnd, 'crash-recovered'>; exitCode: number | null }
  | { type: 'committed'; id: number; ok: boolean };

/** From the worker to the host. */
export type FromWorker =
  | { type: 'started' }
  | { type: 'start-failed'; code: string }
  | { type: 'commit'; id: number; chunks: RecordingChunk[] }
  | { type: 'flow'; paused: boolean }
  | { type: 'status'; status: RecorderStatus }
  | { type: 'ended'; summary: RecordingSummary };
