import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  markLabelSchema, terminalSizeSchema, type FlowControl, type Recorder, type RecorderStatus,
  type RecordingChunk, type RecordingSummary,
} from '../../app/recording/model';
import type { FromWorker, RedactorModule, ToWorker, WorkerRecorderSettings } from './recorderProtocol';

/**
 * Runs the recorder in a worker thread (issue 17 benchmark: the PTY's thread must keep reading,
 * or the programs writing to the terminal stall while output is redacted, encoded and hashed).
 * Measured on the 2-core build machine: a 10 MB `cat` took about 3× as long with the recorder
 * on the PTY's thread, about 1.2–1.4× with it here. Same Recorder interface; commits still run
 * on this thread, where the evidence store is. If the worker dies, the recording cannot go on:
 * strict mode keeps the shell paused, best-effort reports itself degraded.
 */

/** The worker's entry and the module it loads (the source tree's, unless given for a bundle). */
export interface RecorderWorkerFiles {
  entry: URL;
  main: URL;
  registerTsx: boolean;
}

// In the source tree (tests, tsx) the worker is TypeScript beside this file; built, build/build.mjs
// bundles it as recorderWorker.mjs beside the bundle (unpacked from the asar: a worker thread
// cannot start from inside it).
const fromSource = import.meta.url.endsWith('.ts');
const here = new URL('.', unpacked(import.meta.url));
const DEFAULT_FILES: RecorderWorkerFiles = {
  entry: new URL('recorderWorkerEntry.mjs', here),
  main: new URL(fromSource ? 'recorderWorker.ts' : 'recorderWorker.mjs', here),
  registerTsx: fromSource,
};

/** The stream redactor (app/redaction, issue 13) for a worker: its source, or its bundle beside ours. */
export const STREAM_REDACTOR_MODULE: RedactorModule = fromSource
  ? { module: new URL('../../app/redaction/index.ts', import.meta.url).href, factory: 'createStreamRedactor' }
  : { module: new URL('streamRedactor.mjs', here).href, factory: 'createStreamRedactor' };

/** A file URL inside an Electron asar, as the copy electron-builder unpacks beside it (asarUnpack). */
function unpacked(url: string): string {
  return url.replace(/\/app\.asar\//, '/app.asar.unpacked/');
}

/**
 * Output the worker redacts per timer turn: one host message (WRITE_BATCH_CHARS). When it has
 * fallen 1 MiB behind, the recorder stops the PTY until it is back under that bound, and it
 * checks after each turn: with the whole backlog in one turn the shell stayed stopped while 1 MiB
 * was redacted (15–20 ms, more on a busy machine), several times per 10 MB `cat`; now one turn.
 */
const WORKER_BATCH_CHARS = 256 * 1024;

/**
 * Output gathered on this thread before it is posted to the worker at once, and for how long at
 * most. The stream redactor scans its carried tail (up to 24 KiB) again with every batch it is
 * given: a 10 MB `cat` in 64 KiB messages cost it about 118 ms, in 256 KiB ones about 70 ms.
 */
const WRITE_BATCH_CHARS = 256 * 1024;
const WRITE_BATCH_MS = 5;

/** Options of a worker-hosted recorder: RecorderOptions, with the redactor named by module. */
export interface WorkerRecorderOptions extends Omit<WorkerRecorderSettings, 'groupCommit'> {
  redactor: RedactorModule;
  onChunk(chunk: RecordingChunk): Promise<void>;
  onChunks?(chunks: readonly RecordingChunk[]): Promise<void>;
  flow?: FlowControl;
  onStatus?(status: RecorderStatus): void;
  files?: RecorderWorkerFiles;
}

/** Starts a recorder in a worker; resolves once its header is committed (rejects if it cannot be). */
export function startRecorderInWorker(options: WorkerRecorderOptions): Promise<Recorder> {
  const files = options.files ?? DEFAULT_FILES;
  const { redactor, onChunk, onChunks, flow, onStatus, files: _files, ...rest } = options;
  // Off the PTY's thread, a batch may be all the output waiting (see RecorderOptions.batchChars).
  const settings: WorkerRecorderSettings = { batchChars: WORKER_BATCH_CHARS, ...rest, groupCommit: onChunks !== undefined };
  const worker = new Worker(files.entry, {
    workerData: { main: fileURLToPath(files.main), registerTsx: files.registerTsx, settings, redactor },
  });
  const post = (m: ToWorker) => worker.postMessage(m);
  let status: RecorderStatus = { state: 'recording', committedChunks: 0, pendingChunks: 0, failures: 0 };
  let endedWith: ((s: RecordingSummary) => void) | null = null;
  let ending: Promise<RecordingSummary> | null = null;
  let alive = true;

  const commit = async (id: number, chunks: RecordingChunk[]) => {
    try {
      if (chunks.length > 1 && onChunks) await onChunks(chunks);
      else for (const c of chunks) await onChunk(c);
      post({ type: 'committed', id, ok: true });
    } catch {
      post({ type: 'committed', id, ok: false });
    }
  };

  // The PTY is read 4 KiB at a time, and each read is a turn of the event loop of its own: what
  // is read within WRITE_BATCH_MS goes to the worker as one message (sooner past
  // WRITE_BATCH_CHARS), each read with the time it was read. A message per read cost more than
  // redacting the text in it (a 10 MB `cat` was about 2,400 messages, now about 50), and the
  // worker records each read as before, at its own time. Resizes, marks and the end flush first,
  // keeping the order. Only the recording waits those milliseconds, never the screen (onOutput).
  let unsent: string[] = [];
  let unsentAt: number[] = [];
  let unsentChars = 0;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    if (unsent.length === 0) return;
    const data = unsent;
    const at = unsentAt;
    unsent = [];
    unsentAt = [];
    unsentChars = 0;
    if (alive && !ending) post({ type: 'write', data, at });
  };
  const scheduleFlush = () => {
    flushTimer ??= setTimeout(flush, WRITE_BATCH_MS);
  };

  return new Promise<Recorder>((resolve, reject) => {
    const recorder: Recorder = {
      write: (data, at = Date.now()) => {
        if (!alive || ending || data.length === 0) return;
        // Stamped here, where the PTY was read: the worker's clock would add the message's delay.
        unsent.push(data);
        unsentAt.push(at);
        unsentChars += data.length;
        if (unsentChars >= WRITE_BATCH_CHARS) flush();
        else scheduleFlush();
      },
      resize: (cols, rows) => {
        const size = terminalSizeSchema.parse({ cols, rows });
        flush();
        if (alive && !ending) post({ type: 'resize', ...size });
      },
      mark: (label) => {
        const valid = markLabelSchema.parse(label);
        flush();
        if (alive && !ending) post({ type: 'mark', label: valid });
      },
      end: (how, exit) => {
        flush();
        ending ??= new Promise<RecordingSummary>((done, failed) => {
          endedWith = done;
          if (!alive) failed(new Error('The recording worker stopped: the recording could not be finished.'));
          else post({ type: 'end', how, exitCode: exit?.exitCode ?? null });
        });
        return ending;
      },
      status: () => status,
    };
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'started':
          resolve(recorder);
          return;
        case 'start-failed':
          alive = false;
          void worker.terminate();
          reject(new Error(m.code === 'not-committed' ? 'The recording could not be committed.' : 'The recorder could not be started.'));
          return;
        case 'commit':
          void commit(m.id, m.chunks);
          return;
        case 'flow':
          if (m.paused) flow?.pause();
          else flow?.resume();
          return;
        case 'status':
          if (m.status.state !== status.state) onStatus?.(m.status);
          status = m.status;
          return;
        case 'ended':
          status = { ...status, state: 'ended', pendingChunks: 0 };
          endedWith?.(m.summary);
          void worker.terminate();
          return;
      }
    });
    worker.on('error', () => {
      // A crashed worker takes its unsent chunks with it; no free text from the error is kept.
      alive = false;
      reject(new Error('The recorder could not be started.'));
      status = { ...status, state: options.mode === 'strict' ? 'paused' : 'degraded', failures: status.failures + 1 };
      if (options.mode === 'strict') flow?.pause();
      onStatus?.(status);
    });
  });
}
