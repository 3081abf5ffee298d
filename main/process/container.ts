import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { catchesSignal, containmentPlan, namespaceInit, namespaceMembers, signalContained, type Containment } from './containment';
import { spawnPty, type PtyHandle, type PtySize } from './pty';

/**
 * Starts a command or shell inside the session's container (issue 17): see containment.ts for how.
 * `main/runner.ts` switches to it by replacing its `spawn(…)` with `startContained({ argv, cwd, env,
 * stdin })`, reading `stdout`/`stderr` from the result, stopping through `stop()` instead of
 * tree-kill, and taking exit code and signal from `done`.
 */

/** How a contained process ended. `startError` is set when it never started (e.g. 'ENOENT'). */
export interface ContainedExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  startError: string | null;
}

/** What to start. `pty` runs it on a new PTY; otherwise it gets pipes. */
export interface StartContainedOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  pty?: PtySize;
  /** Pipes mode only: the command's stdin (default 'ignore'). */
  stdin?: 'inherit' | 'ignore' | 'pipe';
}

interface ContainedCommon {
  /** The wrapper's pid (unshare's, or the command's own in the fallback), as seen from here. */
  pid: number;
  containment: Containment;
  /** Signals every process the command started (see signalContained). */
  kill(signal?: NodeJS.Signals): void;
  /** `signal` (default SIGTERM) to everything, then SIGKILL after `graceMs`; resolves when it ended. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ContainedExit>;
  done: Promise<ContainedExit>;
}

/** A contained command on pipes. */
export interface ContainedPipes extends ContainedCommon {
  mode: 'pipes';
  stdin: Writable | null;
  stdout: Readable;
  stderr: Readable;
}

/** A contained command on a PTY. */
export interface ContainedPty extends ContainedCommon {
  mode: 'pty';
  pty: PtyHandle;
}

/** Finds an executable the way execvp would, so a missing one is reported before anything starts. */
export function findExecutable(name: string, envPath: string | undefined): string | null {
  const runnable = (p: string) => {
    try {
      accessSync(p, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return runnable(name) ? name : null;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (runnable(candidate)) return candidate;
  }
  return null;
}

const optionsSchema = z.object({
  argv: z.array(z.string().min(1).max(100_000)).min(1).max(10_000),
  cwd: z.string().min(1).max(4096),
  env: z.record(z.string(), z.string()),
  pty: z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000), term: z.string().max(100).optional() }).strict().optional(),
  stdin: z.enum(['inherit', 'ignore', 'pipe']).optional(),
}).strict();

/** Starts a contained command; with `pty` it runs on a PTY. Throws (zod) on malformed options. */
export function startContained(options: StartContainedOptions & { pty: PtySize }): ContainedPty | ContainedNotStarted;
export function startContained(options: StartContainedOptions & { pty?: undefined }): ContainedPipes | ContainedNotStarted;
export function startContained(given: StartContainedOptions): ContainedPty | ContainedPipes | ContainedNotStarted {
  const options = optionsSchema.parse(given);
  const command = options.argv[0]!;
  // Our own environment decides, never the command's: a session's env cannot turn containment off.
  const plan = containmentPlan();
  // Resolved against the command's own PATH, as the shell inside the container would.
  const resolved = findExecutable(command, options.env.PATH);
  if (!resolved) return notStarted(plan.containment, 'ENOENT');
  const [file, ...args] = [...plan.prefix, resolved, ...options.argv.slice(1)] as [string, ...string[]];
  if (options.pty) {
    const { pty, exited } = spawnPty(file, args, { ...options.pty, cwd: options.cwd, env: options.env });
    const done = exited.then((e) => ({ ...e, startError: null }));
    return { mode: 'pty', pty, ...controls(plan.containment, pty.pid, done) };
  }
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    // The fallback's process group: stopping signals the group. In a namespace the group is
    // unnecessary, and staying in ours lets a terminal's Ctrl-C reach the command. (On Windows
    // `detached` would open a console window; tree-kill stops the tree there.)
    detached: plan.containment.kind === 'process-group' && process.platform !== 'win32',
  });
  // Both are pipes (stdio above); Node's types cannot see that through the variable stdin.
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  const done = new Promise<ContainedExit>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ exitCode: null, signal: null, startError: e.code ?? 'spawn-failed' }));
    child.on('exit', (exitCode, signal) => {
      // In the fallback a left-behind process may hold the pipes open: once the command has
      // exited, give its output a moment to drain, then stop waiting for the pipes.
      const drain = setTimeout(() => {
        stdout.destroy();
        stderr.destroy();
        resolve({ exitCode, signal, startError: null });
      }, 1_000);
      child.on('close', () => {
        clearTimeout(drain);
        resolve({ exitCode, signal, startError: null });
      });
    });
  });
  return { mode: 'pipes', stdin: child.stdin, stdout, stderr, ...controls(plan.containment, child.pid ?? -1, done) };
}

/** Returned instead of a process when the command could not be started (nothing ran). */
export interface ContainedNotStarted {
  mode: 'not-started';
  containment: Containment;
  done: Promise<ContainedExit>;
}

function notStarted(containment: Containment, code: string): ContainedNotStarted {
  return { mode: 'not-started', containment, done: Promise.resolve({ exitCode: null, signal: null, startError: code }) };
}

function controls(containment: Containment, pid: number, done: Promise<ContainedExit>): ContainedCommon {
  let ended = false;
  void done.then(() => {
    ended = true;
    // A namespace ends with its PID 1. The fallback's group can outlive its leader: end it too,
    // so what a command leaves behind does not outlast it either (a pgid is not reused while
    // the group has members).
    if (containment.kind === 'process-group' && pid > 0) signalContained(containment, pid, 'SIGKILL');
  });
  const kill = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!ended && pid > 0) signalContained(containment, pid, signal);
  };
  const stop = async ({ signal = 'SIGTERM', graceMs = 5_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {}) => {
    kill(signal);
    let graceOver = false;
    let emulated = false;
    const timer = setTimeout(() => {
      graceOver = true;
      kill('SIGKILL');
    }, graceMs);
    timer.unref();
    // A namespace's PID 1 that does not catch the signal never receives it: once everything
    // else in the namespace has ended (their own clean-up done), end it the way the signal's
    // default action would have.
    const poll = containment.kind === 'pid-namespace' ? setInterval(() => {
      const init = namespaceInit(pid);
      if (init !== null && !catchesSignal(init, signal) && namespaceMembers(init).length <= 1) {
        emulated = true;
        kill('SIGKILL');
      }
    }, 25) : null;
    const exit = await done;
    clearTimeout(timer);
    if (poll) clearInterval(poll);
    // Ended the way `signal`'s default action would have (above), not by the grace period's
    // SIGKILL: report it as ended by `signal`, as it would be outside a namespace.
    if (emulated && !graceOver && exit.signal === 'SIGKILL') return { ...exit, signal };
    return exit;
  };
  return { pid, containment, kill, stop, done };
}
