import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openContext } from '../../main/application/context';
import { nodeHostInfo } from '../../main/host/hostInfo';
import { CLI, ROOT, declaration, type CliResult } from './cli';
import type { LogEntry } from './cliJson';
import type { Workspace } from './workspace';

export type { LogEntry };

/** Fails fast with a clear reason when the CLI was not built (`npm run build`). */
export function assertCliBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` before the integration tests.');
}

/** Runs git synchronously with stdin and extra env; throws with stderr on failure. `safe.directory=*` lets root read repos owned by a test user. */
export function gitx(cwd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; ok?: number[] } = {}): string {
  const r = spawnSync('git', ['-c', 'safe.directory=*', ...args], {
    cwd,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test Harness', GIT_AUTHOR_EMAIL: 'harness@example.com',
      GIT_COMMITTER_NAME: 'Test Harness', GIT_COMMITTER_EMAIL: 'harness@example.com',
      ...options.env,
    },
  });
  if (!(options.ok ?? [0]).includes(r.status ?? -1)) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** SHA-256 hex of a string's UTF-8 bytes. */
export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

// The workspace lives in test/support/workspace.ts (one for every test tier); re-exported for the lifecycle tests.
export { workspace, workspacePerBlock, type Workspace } from './workspace';

/** A session's records through the real CLI (`log --session ID --json`). */
export async function sessionLog(ws: Workspace, sessionId: string): Promise<LogEntry[]> {
  const r = await ws.cli(['--json', 'log', '--session', sessionId]);
  if (r.code !== 0) throw new Error(`log --session ${sessionId} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as LogEntry[];
}

/** A CLI child whose output can be awaited while it runs (for streaming checks). */
export interface LiveCli {
  stdout(): string;
  /** Resolves once stdout matches `pattern` (rejects if the child exits first). */
  waitForStdout(pattern: RegExp): Promise<void>;
  done: Promise<CliResult & { elapsedMs: number }>;
}

/** Spawns the real CLI and exposes its output as it arrives. */
export function spawnCli(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): LiveCli {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: options.env, cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void; reject: (e: Error) => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(stdout)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (d) => {
    stdout += d;
    check();
  });
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end();
  const done = new Promise<CliResult & { elapsedMs: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`CLI exited (${code}) before stdout matched ${w.pattern}; stdout=${JSON.stringify(stdout)} stderr=${JSON.stringify(stderr)}`));
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
  return {
    stdout: () => stdout,
    waitForStdout: (pattern) => new Promise<void>((resolve, reject) => {
      waiters.push({ pattern, resolve, reject });
      check();
    }),
    done,
  };
}

/** Every object in the repository (reachable or not) as one text blob, to prove a secret never reached git. */
export function allObjectsText(repo: string): string {
  return gitx(repo, ['cat-file', '--batch-all-objects', '--batch']);
}

/** Declares a session in `repo` as if `agoMs` ago (tests of the expiry: a 1-minute session then expires 60 s − agoMs from now). */
export async function declaredAgo(repo: string, agoMs: number, overrides: Record<string, unknown>) {
  const ctx = await openContext({
    repo,
    clock: { now: () => Date.now() - agoMs, monotonicMs: () => performance.now() },
    host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'test-host' }),
  });
  return (await ctx.service.declare(declaration(overrides))).state;
}
