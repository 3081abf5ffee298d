import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT, type CliResult } from './cli';

/** A CLI child the test can kill mid-flight (runCli only resolves at exit). */
export interface LiveCli {
  child: ChildProcess;
  /** Resolves at exit, with the signal that ended it, if any. */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  /** What the child has printed so far. */
  stdout(): string;
}

/**
 * Spawns the real CLI (`node bin/breakglass.js …`) and hands back the process. With `detached`
 * it leads its own process group, so a test can kill it together with the git it runs.
 */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, options: { detached?: boolean } = {}): LiveCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

/** Parses the last JSON line a `--json` command printed (throws with the output when there is none). */
export function lastJson<T = Record<string, unknown>>(r: CliResult): T {
  const line = r.stdout.trim().split('\n').filter(Boolean).pop();
  if (!line) throw new Error(`no JSON output (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(line) as T;
}
