import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { parse as parseShellWords } from 'shell-quote';
import treeKill from 'tree-kill';
import { BreakGlassError } from '../../app/errors';
import type { ActionInput } from '../../app/service';
import { armDeadline } from './deadline';

/**
 * Runs one command for a session (issue 2 `exec`, issue 5 "Run a command"): the session's
 * environment, output streamed to the caller and hashed in full, the process tree stopped at the
 * absolute expiry or on request. The measured result becomes an `action` record.
 */

/** What a run needs. */
export interface RunRequest {
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  expiresAt: number;
  via: ActionInput['via'];
  stdin?: 'inherit' | 'ignore';
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  now?: () => number;
}

/** A running command. */
export interface RunningCommand {
  pid: number | undefined;
  /** Stops the command's whole process tree; the record says who stopped it. */
  stop(by?: 'operator' | 'expiry'): void;
  done: Promise<ActionInput>;
}

/** Keeps enough output to redact and cap at 64 KiB; the hash covers everything. */
const KEEP_BYTES = 8 * 1024 * 1024;

/**
 * Splits a command line into argv without a shell (quotes respected). Pipes, redirects and other
 * shell operators are refused: they need "run in shell", which is recorded.
 */
export function parseCommandLine(line: string): string[] {
  const words = parseShellWords(line, (name) => `$${name}`);
  const argv: string[] = [];
  for (const w of words) {
    if (typeof w === 'string') argv.push(w);
    else if ('op' in w && w.op === 'glob') argv.push(w.pattern);
    else {
      throw new BreakGlassError('invalid-input', `"${'op' in w ? w.op : 'comment'}" needs a shell: tick "Run in shell" (recorded as such), or remove it.`, { field: 'commandLine' });
    }
  }
  if (argv.length === 0) throw new BreakGlassError('invalid-input', 'Enter a command.', { field: 'commandLine' });
  return argv;
}

/** Starts a command; `done` resolves with the measured action once it has ended. */
export function startCommand(req: RunRequest): RunningCommand {
  const now = req.now ?? Date.now;
  const startedAt = now();
  const [file, ...args] = req.shell ? [process.env.SHELL || '/bin/sh', '-c', req.argv.join(' ')] : req.argv;
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  const collect = (chunk: Buffer, stream: 'stdout' | 'stderr') => {
    hash.update(chunk);
    total += chunk.length;
    if (keptBytes < KEEP_BYTES) {
      kept.push(chunk);
      keptBytes += chunk.length;
    }
    req.onOutput?.(chunk, stream);
  };
  const child = spawn(file!, args, { cwd: req.cwd, env: req.env, stdio: [req.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let stoppedBy: ActionInput['stoppedBy'] = null;
  const stopTree = (signal: NodeJS.Signals) => {
    if (child.pid !== undefined) treeKill(child.pid, signal, () => {});
  };
  const stop = (by: 'operator' | 'expiry') => {
    if (stoppedBy) return;
    stoppedBy = by;
    // The whole tree: a script's own children must not outlive the session either.
    stopTree('SIGTERM');
    setTimeout(() => stopTree('SIGKILL'), 5_000).unref();
  };
  const expiry = armDeadline(req.expiresAt, () => stop('expiry'), now);
  child.stdout.on('data', (c: Buffer) => collect(c, 'stdout'));
  child.stderr.on('data', (c: Buffer) => collect(c, 'stderr'));
  const done = new Promise<ActionInput>((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError: Error | null) => {
      expiry.cancel();
      if (spawnError) collect(Buffer.from(`breakglass: could not start ${req.argv[0]}: ${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message}\n`), 'stderr');
      resolve({
        kind: 'command', argv: req.shell ? [file!, ...args] : req.argv, shell: req.shell, cwd: req.cwd,
        startedAt, endedAt: now(), exitCode: spawnError ? 127 : exitCode, signal: signal ?? null, stoppedBy, via: req.via,
        outputSha256: hash.digest('hex'), outputBytes: total, output: Buffer.concat(kept).toString('utf8'),
      });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('exit', (code, signal) => {
      // A background process the command left behind may hold the pipes open: once the command
      // itself has exited, give its output a moment to drain, then stop waiting for the pipes.
      const drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal, null);
      }, 1_000);
      child.on('close', () => {
        clearTimeout(drain);
        finish(code, signal, null);
      });
    });
  });
  return { pid: child.pid, stop: (by = 'operator') => stop(by), done };
}
