import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { cleanup, cliEnv, runCli, tempDir, type CliResult } from './cli';

/** Creating a user and switching uid needs root (CI runs as root). */
export const IS_ROOT = process.getuid?.() === 0;
/** Shown in the test names when skipped for that reason. */
export const NEEDS_ROOT = IS_ROOT ? '' : ' [skipped: not running as root, cannot create a user or switch uid]';

/** A named unprivileged OS user created for a test (root only), removed with `remove()`. */
export interface NamedUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  remove(): void;
}

/** Creates a user with a home folder, as an operator on an admin host would be (needs root). */
export function createNamedUser(prefix: string): NamedUser {
  const name = `${prefix}${Math.floor(Math.random() * 1e6)}`;
  const add = spawnSync('useradd', ['--create-home', '--shell', '/bin/sh', name], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`useradd failed: ${add.stderr}`);
  const info = spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.trim().split(':');
  return { name, uid: Number(info[2]), gid: Number(info[3]), home: info[5] as string, remove: () => void spawnSync('userdel', ['-r', name], { encoding: 'utf8' }) };
}

/** A named operator and their evidence repository, as on an admin host. */
export interface OperatorRepo {
  named: NamedUser;
  /** The operator's folder (0755, theirs): the repository, its data folder, their files. */
  dir: string;
  repo: string;
  /** The operator's environment for the CLI (their HOME, USER, LOGNAME; the data folder). */
  env: NodeJS.ProcessEnv;
  /** Runs the CLI on the repository as the operator. */
  asUser(args: string[]): Promise<CliResult>;
  remove(): void;
}

/**
 * A new named operator and a fresh evidence repository with the DEFAULT policy, owned by them
 * (needs root): created by a first `status` (exit 3: no session yet), then handed over.
 */
export async function operatorRepo(prefix: string): Promise<OperatorRepo> {
  const named = createNamedUser(prefix);
  const dir = tempDir(`${prefix}-`);
  chmodSync(dir, 0o755);
  const repo = path.join(dir, 'evidence');
  const created = await runCli(['--repo', repo, 'status'], { env: cliEnv(path.join(dir, 'data')) });
  expect(created.code, created.stderr).toBe(3);
  const chown = spawnSync('chown', ['-R', `${named.uid}:${named.gid}`, dir], { encoding: 'utf8' });
  if (chown.status !== 0) throw new Error(`chown failed: ${chown.stderr}`);
  const env = cliEnv(path.join(dir, 'data'), { HOME: named.home, USER: named.name, LOGNAME: named.name });
  return {
    named, dir, repo, env,
    asUser: (args) => runCli(['--repo', repo, ...args], { env, uid: named.uid, gid: named.gid, cwd: dir }),
    remove: () => {
      cleanup(dir);
      named.remove();
    },
  };
}
