import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { cleanup, cliEnv, editPolicy, git, runCli, tempDir, type CliResult } from './cli';

/**
 * The one test workspace (issue 11): a temporary folder with an evidence repository created by
 * the real CLI, a data dir, and the environment both the CLI and the console's backend are given.
 * Every e2e file and the CLI lifecycle tests start from it.
 */

/** A temporary folder holding an evidence repository and a CLI data dir. */
export interface Workspace {
  dir: string;
  repo: string;
  /** The data dir (`BREAKGLASS_DATA_DIR` in `env`): session.env, settings, drafts, saved reports. */
  data: string;
  env: NodeJS.ProcessEnv;
  /** Runs the CLI against this workspace's repository. */
  cli(args: string[], options?: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
}

/** How the workspace's repository starts. */
export interface WorkspaceOptions {
  /** Commit a policy that lets uid 0 declare (tests run as root; issue 2). Default true. */
  root?: boolean;
  /** More policy settings, committed with `root`'s in the same policy change. */
  policy?: Record<string, unknown>;
  /** The repository's git identity (`git config user.name/email`), as on the operator's admin host. */
  gitIdentity?: { name: string; email: string };
  /** More environment for the CLI and the console (e.g. `BREAKGLASS_HOST_ID`). */
  env?: Record<string, string>;
  /** False: the folder, paths and env only; the caller makes the repository (bench/generate.ts, or its own CLI run). Default true. */
  init?: boolean;
}

const created: string[] = [];

/** Creates a workspace; with `init` (default) the evidence repository is created through the CLI (`status`, exit 3). */
export async function workspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  const dir = tempDir('bg-ws-');
  created.push(dir);
  const repo = path.join(dir, 'evidence');
  const data = path.join(dir, 'data');
  const env = cliEnv(data, options.env);
  const cli: Workspace['cli'] = (args, o = {}) => runCli(['--repo', repo, ...args], { env: o.env ?? env, ...(o.input !== undefined ? { input: o.input } : {}), ...(o.cwd ? { cwd: o.cwd } : {}) });
  if (options.init ?? true) {
    const status = await cli(['status']);
    if (status.code !== 3) throw new Error(`creating the evidence repository failed (${status.code}): ${status.stderr}`);
    const root = options.root ?? true;
    if (root || options.policy) editPolicy(repo, (p) => ({ ...p, ...(root ? { allowRootOperator: true } : {}), ...options.policy }));
    if (options.gitIdentity) {
      git(repo, ['config', 'user.name', options.gitIdentity.name]);
      git(repo, ['config', 'user.email', options.gitIdentity.email]);
    }
  }
  return { dir, repo, data, env, cli };
}

/**
 * One workspace shared by the tests of a describe block (call inside it): made before them,
 * removed after them. The object returned is filled in when the block starts.
 */
export function workspacePerBlock(options: WorkspaceOptions = {}): Workspace {
  const ws = {} as Workspace;
  beforeAll(async () => {
    Object.assign(ws, await workspace(options));
  });
  afterAll(() => {
    if (ws.dir) cleanup(ws.dir);
  });
  return ws;
}

/** Removes every workspace this test file created so far (call it from `afterEach` or `afterAll`). */
export function removeWorkspaces(): void {
  cleanup(...created.splice(0));
}
