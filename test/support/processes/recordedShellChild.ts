// A child Node process for the crash test: a governed bash recorded chunk by chunk into a folder
// (one fsynced file per chunk, as a commit would make it durable), driven by a loop that prints
// the time; reports `{"ready":…}` on stdout once the first chunks are on disk, then waits for kill -9.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { startRecordedShell } from '../../../main/process/recordedShell';
import { TEST_DOUBLE_REDACTOR_MODULE } from '../testDoubleRedactor';

const [dir, marker, intervalMs] = process.argv.slice(2) as [string, string, string];
let chunks = 0;
const shell = await startRecordedShell({
  shell: '/bin/bash', cwd: dir, cols: 100, rows: 30, mode: 'strict', maxChunkMs: Number(intervalMs),
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' },
  redactor: TEST_DOUBLE_REDACTOR_MODULE,
  onChunk: async (chunk) => {
    const fd = openSync(path.join(dir, `chunk-${String(chunk.seq).padStart(6, '0')}.json`), 'w');
    writeSync(fd, JSON.stringify(chunk));
    fsyncSync(fd);
    closeSync(fd);
    if (++chunks === 3) process.stdout.write(`${JSON.stringify({ ready: true, pid: shell.pid, containment: shell.containment })}\n`);
  },
});
shell.input(`setsid sleep ${marker} & (sleep ${marker} &) ; while :; do echo "tick $(date +%s%3N)"; sleep 0.1; done\r`);
await shell.ended;
