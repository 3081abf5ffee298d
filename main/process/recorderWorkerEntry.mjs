// Entry of the recorder's worker thread (main/process/recorderHost.ts). In the source tree (tests,
// tsx) the worker is TypeScript, so tsx's loader is registered first; a built bundle points
// `main` at plain JavaScript and sets `registerTsx` false.
import { workerData } from 'node:worker_threads';

if (workerData.registerTsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.main);
