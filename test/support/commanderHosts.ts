import path from 'node:path';
import { expect } from 'vitest';
import { cliEnv, runCli } from './cli';
import { gitx } from './lifecycleKit';
import { startPeople, type People } from './signingKit';
import { workspace, type Workspace } from './workspace';

/**
 * Two hosts that meet only through one bare remote (issue 16): Ada operates on the workspace's
 * repository (host `test-host`, her ssh-agent), the roster names Grace with `graceRoles`, and
 * Grace's host (`commander-host`, her agent) is a bare clone of the remote made after Ada's first
 * push. `beforeClone` runs before that push (a declaration the clone should already hold).
 */
export interface CommanderHosts {
  ws: Workspace;
  people: People;
  remote: string;
  commanderRepo: string;
  commanderEnv: NodeJS.ProcessEnv;
  /** The CLI on Ada's host, as Ada. */
  operator(args: string[]): ReturnType<typeof runCli>;
}

export async function commanderHosts(options: { graceRoles: string; beforeClone?: (h: Pick<CommanderHosts, 'ws' | 'operator'>) => Promise<void> }): Promise<CommanderHosts> {
  const ws = await workspace();
  const people = await startPeople(ws.dir);
  const operator = (args: string[]) => runCli(['--repo', ws.repo, ...args], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
  const remote = path.join(ws.dir, 'remote.git');
  gitx(ws.dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  expect((await operator(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com'])).code).toBe(0);
  const add = await operator(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', options.graceRoles, '--public-key', people.grace.key.line]);
  expect(add.stdout, add.stderr).toContain('adopted in commit');
  expect((await operator(['remote', 'set', remote])).code).toBe(0);
  await options.beforeClone?.({ ws, operator });
  expect((await operator(['push'])).code).toBe(0);
  const commanderRepo = path.join(ws.dir, 'commander.git');
  gitx(ws.dir, ['clone', '--quiet', '--bare', remote, commanderRepo]);
  const commanderEnv = { ...cliEnv(path.join(ws.dir, 'commander-data'), { BREAKGLASS_HOST_ID: 'commander-host' }), SSH_AUTH_SOCK: people.grace.agent.socket };
  return { ws, people, remote, commanderRepo, commanderEnv, operator };
}
