import { spawn } from 'node:child_process';

/**
 * Runs a program to its exit in a process group of its own, keeping the last 8 KB of what it
 * printed; after `timeoutMs` the whole group is killed (a hung Chromium print is stopped with
 * every helper process it started) and `code` is null. Rejects only when it cannot be started.
 */
export function runToExit(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    const keep = (d: Buffer) => {
      log = (log + d.toString('utf8')).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, log });
    });
  });
}
