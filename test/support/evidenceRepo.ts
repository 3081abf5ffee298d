import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { allowRoot, cliEnv, runCli, type CliResult } from './cli';
import { GitDaemon } from './gitDaemon';

/** Creates an evidence repository at `dir` through the real CLI (first command on an absent folder), then lets root declare. */
export async function createEvidenceRepo(dir: string, dataDir: string, extraPolicy: Record<string, unknown> = {}): Promise<void> {
  const r = await runCli(['--repo', dir, '--json', 'status'], { env: cliEnv(dataDir) });
  // status exits 3 (no open session) on a new repository; anything else means it was not created.
  if (r.code !== 3) throw new Error(`creating ${dir} failed (exit ${r.code}): ${r.stderr}`);
  allowRoot(dir, extraPolicy);
}

/** Raw stdout of a git command (untrimmed), for hashing exact file contents. */
export function gitRaw(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** SHA-256 (hex) of a text, as the product hashes policy texts. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Commit ids on `ref` of a repository (newest first); by default the whole evidence history: every branch and fetched ref (the organisation branch and each host's own ref, issue 14). */
export function revList(cwd: string, ref: string | string[] = ['--branches', '--remotes'], extra: string[] = []): string[] {
  return gitRaw(cwd, ['rev-list', ...extra, ...(Array.isArray(ref) ? ref : [ref])]).split('\n').filter(Boolean);
}

/** Throws with the CLI's output when the exit code is not the expected one. */
export function expectExit(r: CliResult, code: number, what: string): CliResult {
  if (r.code !== code) throw new Error(`${what}: expected exit ${code}, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/**
 * For one describe block: a new evidence remote (`<base>/org.git`) served by a real `git daemon`
 * on 127.0.0.1 from beforeAll to afterAll. Tests read `daemon` and `base` once it has started.
 */
export function servedEvidenceRemote(fresh: (name: string) => string, label: string): { readonly daemon: GitDaemon; readonly base: string } {
  let daemon: GitDaemon | undefined;
  let base = '';
  beforeAll(async () => {
    base = fresh(`daemon-${label}`);
    await createEvidenceRepo(path.join(base, 'org.git'), fresh(`data-org-${label}`));
    daemon = await GitDaemon.start(base);
  });
  afterAll(async () => {
    await daemon?.stop();
  });
  return {
    get daemon() {
      if (!daemon) throw new Error('The git daemon starts in beforeAll.');
      return daemon;
    },
    get base() {
      return base;
    },
  };
}
