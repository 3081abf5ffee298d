import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnCli } from './cliProcess';

/** Paths of the product's writer lock inside a repository's git directory (main/evidence/writerLock.ts). */
export function writerLockPaths(gitDir: string): { lockDir: string; ownerFile: string } {
  return { lockDir: path.join(gitDir, 'breakglass-writer.lock'), ownerFile: path.join(gitDir, 'breakglass-writer.owner') };
}

/** git lock files a killed git leaves in a bare repository's git directory (top level and refs/heads). */
export function gitLockFiles(gitDir: string): string[] {
  const found: string[] = [];
  const scan = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(path.join(gitDir, rel));
    } catch {
      return;
    }
    for (const n of names) if (n.endsWith('.lock') && !n.startsWith('breakglass-')) found.push(rel ? `${rel}/${n}` : n);
  };
  scan('');
  scan('refs/heads');
  return found;
}

/** When to kill the writer. */
export type KillPoint =
  /** after a fixed random delay from spawn (a perturbation, not a wait for a result) */
  | { at: 'delay'; ms: number }
  /** as soon as it holds the writer lock (directory and owner file present), then `ms` later */
  | { at: 'lock'; ms: number }
  /** as soon as git holds the branch's ref lock (fast-import updating refs/heads/<branch>) */
  | { at: 'git-ref-lock' }
  /** right after it printed its success line */
  | { at: 'printed' };

/** Outcome of one killed writer. */
export interface KilledWriter {
  /** The note text it was asked to write. */
  text: string;
  point: KillPoint['at'];
  /** Whether the kill took the whole process group (the CLI and the git it was running). */
  group: boolean;
  /** The kill point was reached before the writer exited on its own. */
  reached: boolean;
  /** What it printed before it died (a `--json` success line, if it got that far). */
  stdout: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The writer lock (directory and owner file) was still there after the kill: it died holding it. */
  leftLock: boolean;
  /** git lock files present right after the kill. */
  leftGitLocks: string[];
}

/**
 * Starts `breakglass … note TEXT` and SIGKILLs it at `point`: the CLI process alone, or with
 * `group` its whole process group (what a session logout or a cgroup kill does), which can also
 * kill a git child mid-write. Points other than `delay` are found by tight polling of the state.
 */
export async function killWriter(args: string[], text: string, env: NodeJS.ProcessEnv, gitDir: string, point: KillPoint, group = false): Promise<KilledWriter> {
  const { lockDir, ownerFile } = writerLockPaths(gitDir);
  const branchLock = path.join(gitDir, 'refs', 'heads', 'main.lock');
  const cli = spawnCli([...args, 'note', text], env, { detached: group });
  let exited = false;
  void cli.done.then(() => (exited = true));
  let reached = false;
  if (point.at === 'delay') {
    await new Promise((r) => setTimeout(r, point.ms));
    reached = !exited;
  } else {
    const hit = point.at === 'lock' ? () => existsSync(lockDir) && existsSync(ownerFile)
      : point.at === 'git-ref-lock' ? () => existsSync(branchLock)
        : () => cli.stdout().includes('\n');
    const deadline = Date.now() + 15_000;
    while (!exited && Date.now() < deadline) {
      if (hit()) {
        reached = true;
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
    if (reached && point.at === 'lock' && point.ms > 0) await new Promise((r) => setTimeout(r, point.ms));
  }
  try {
    if (group && cli.child.pid !== undefined) process.kill(-cli.child.pid, 'SIGKILL');
    else cli.child.kill('SIGKILL');
  } catch {
    /* already gone */
  }
  const r = await cli.done;
  return {
    text, point: point.at, group, reached, stdout: r.stdout, exitCode: r.code, signal: r.signal,
    leftLock: existsSync(lockDir) && existsSync(ownerFile), leftGitLocks: gitLockFiles(gitDir),
  };
}
