import { createHash } from 'node:crypto';
import { parse as parseShellWords } from 'shell-quote';
import { BreakGlassError } from '../../app/errors';
import type { ActionInput } from '../../app/service';
import { startContained, type ContainedExit } from './container';
import type { Containment } from './containment';
import { armDeadline } from './deadline';

/**
 * Runs one command for a session (issue 2 `exec`, issue 5 "Run a command"): the session's
 * environment, output streamed to the caller and hashed in full, the process tree stopped at the
 * absolute expiry or on request — with everything it started (issue 17: its own PID namespace). The measured result becomes an `action` record.
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
  /** The clock the expiry is armed on (default `now`): the service's, which either the wall or the boot clock moves on (issue 16). */
  deadlineNow?: () => number;
}

/** A running command. */
export interface RunningCommand {
  pid: number | undefined;
  /** How it is contained (the fallback says what can escape). */
  containment: Containment;
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

/** The program and arguments a request runs: "run in shell" runs the line under the user's shell, as recorded. */
export function commandArgv(req: Pick<RunRequest, 'argv' | 'shell'>): string[] {
  return req.shell ? [process.env.SHELL || '/bin/sh', '-c', req.argv.join(' ')] : req.argv;
}

/** Starts a command; `done` resolves with the measured action once it has ended. */
export function startCommand(req: RunRequest): RunningCommand {
  const now = req.now ?? Date.now;
  const startedAt = now();
  const argv = commandArgv(req);
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
  // Issue 17: inside the session's container (its own PID namespace where the host allows it), so
  // stopping it — at expiry, on request, or by killing this process — ends every descendant,
  // `setsid` and double forks included.
  const child = startContained({ argv, cwd: req.cwd, env: req.env, stdin: req.stdin ?? 'ignore' });
  let stoppedBy: ActionInput['stoppedBy'] = null;
  let stopped: Promise<ContainedExit> | null = null;
  const stop = (by: 'operator' | 'expiry') => {
    if (stoppedBy || child.mode === 'not-started') return;
    stoppedBy = by;
    stopped = child.stop({ signal: 'SIGTERM', graceMs: 5_000 });
  };
  // Bounded steps that ask the clock again (issue 12 item 9): a long session never overflows setTimeout.
  const expiry = armDeadline(req.expiresAt, () => stop('expiry'), req.deadlineNow ?? now);
  if (child.mode === 'pipes') {
    child.stdout.on('data', (c: Buffer) => collect(c, 'stdout'));
    child.stderr.on('data', (c: Buffer) => collect(c, 'stderr'));
  }
  // Once stopped, how it ended is what stop() says (a namespace's PID 1 ended as SIGTERM would have).
  const done = child.done.then(async (ended): Promise<ActionInput> => {
    const exit = stopped ? await stopped : ended;
    expiry.cancel();
    if (exit.startError) collect(Buffer.from(`breakglass: could not start ${req.argv[0]}: ${exit.startError}\n`), 'stderr');
    return {
      kind: 'command', argv: req.shell ? argv : req.argv, shell: req.shell, cwd: req.cwd,
      startedAt, endedAt: now(), exitCode: exit.startError ? 127 : exit.exitCode, signal: exit.signal, stoppedBy, via: req.via,
      outputSha256: hash.digest('hex'), outputBytes: total, output: Buffer.concat(kept).toString('utf8'),
    };
  });
  return { pid: child.mode === 'not-started' ? undefined : child.pid, containment: child.containment, stop: (by = 'operator') => stop(by), done };
}
