import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordingChunk, StreamRedactor } from '../../app/recording/model';
import { startRecorder } from '../../app/recording/recorder';
import type { FromWorker, RedactorModule, ToWorker, WorkerRecorderSettings } from './recorderProtocol';

/**
 * The recorder's worker (see recorderHost.ts): runs app/recording's recorder with the stream
 * redactor off the thread that reads the PTY. Every commit goes back to the host, which owns
 * the evidence store.
 */
const port = parentPort!;
const { settings, redactor: where } = workerData as { settings: WorkerRecorderSettings; redactor: RedactorModule };
const send = (message: FromWorker) => port.postMessage(message);

let nextId = 0;
const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
const commit = (chunks: RecordingChunk[]) =>
  new Promise<void>((resolve, reject) => {
    const id = ++nextId;
    waiting.set(id, { resolve, reject });
    send({ type: 'commit', id, chunks });
  });

const pending: ToWorker[] = [];
let handle: ((m: ToWorker) => void) | null = null;
port.on('message', (m: ToWorker) => {
  if (m.type === 'committed') {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) w?.resolve();
    else w?.reject(new Error('not committed'));
    return;
  }
  if (handle) handle(m);
  else pending.push(m);
});

try {
  const specifier = where.module.startsWith('file:') ? where.module : pathToFileURL(where.module).href;
  const loaded = (await import(specifier)) as Record<string, unknown>;
  const factory = loaded[where.factory];
  if (typeof factory !== 'function') throw new Error('no such redactor factory');
  const { groupCommit, ...recorderSettings } = settings;
  const recorder = await startRecorder({
    ...recorderSettings,
    redactor: (factory as () => StreamRedactor)(),
    // Synchronous: this thread has nothing else to do meanwhile (see RecorderOptions.hashBytes).
    hashBytes: (bytes) => createHash('sha256').update(bytes).digest('hex'),
    onChunk: (chunk) => commit([chunk]),
    ...(groupCommit ? { onChunks: (chunks: readonly RecordingChunk[]) => commit([...chunks]) } : {}),
    flow: { pause: () => send({ type: 'flow', paused: true }), resume: () => send({ type: 'flow', paused: false }) },
    onStatus: (status) => send({ type: 'status', status }),
  });
  const sendStatus = () => send({ type: 'status', status: recorder.status() });
  handle = (m) => {
    switch (m.type) {
      case 'write':
        for (let i = 0; i < m.data.length; i++) recorder.write(m.data[i]!, m.at[i]);
        return;
      case 'resize':
        recorder.resize(m.cols, m.rows);
        return;
      case 'mark':
        recorder.mark(m.label);
        return;
      case 'end':
        void recorder.end(m.how, { exitCode: m.exitCode }).then((summary) => {
          sendStatus();
          send({ type: 'ended', summary });
        });
        return;
      case 'committed':
        return;
    }
  };
  send({ type: 'started' });
  for (const m of pending.splice(0)) handle(m);
  // Commits change the backlog without a state change: report it after each one.
  port.on('message', (m: ToWorker) => {
    if (m.type === 'committed') queueMicrotask(sendStatus);
  });
} catch (e) {
  // The header could not be committed, or the redactor not loaded: no free text crosses back.
  send({ type: 'start-failed', code: e instanceof Error && e.message === 'not committed' ? 'not-committed' : 'failed' });
}
