import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBackend } from '../../../main/console/backend';
import { declaration, git, jsonFile, runCli } from '../../support/cli';
import { assertCliBuilt, type Workspace } from '../../support/lifecycleKit';
import type { People } from '../../support/signingKit';
import { commanderHosts } from '../../support/commanderHosts';
import type { VerifyResult } from '../../../app/verifyResult';
import type { SyncStatus } from '../../../app/views';
import { spawnSync } from 'node:child_process';

// Issue 16: "a commander's console that fetches records" is a witness. The commander's observer
// console, on its own clone of the bare remote with Grace's ssh-agent, fetches Ada's session and
// states — signed by Grace's key, on its own ref, pushed at once — the tip it saw. Ada's later
// rewrite of that history is then a verify finding on every clone. Real git, agents and keys.

let ws: Workspace;
let people: People;
let remote = '';
let commanderRepo = '';
let backend: ConsoleBackend | null = null;

const OWN = 'refs/heads/hosts/test-host';
const operator = (args: string[]) => runCli(['--repo', ws.repo, ...args], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });

async function call<T>(name: string, input: unknown = {}): Promise<T> {
  const r = await backend!.dispatch(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  assertCliBuilt();
  let env: NodeJS.ProcessEnv;
  ({ ws, people, remote, commanderRepo, commanderEnv: env } = await commanderHosts({
    graceRoles: 'commander',
    beforeClone: async (h) => expect((await h.operator(['declare', '--file', jsonFile(h.ws.dir, 'd.json', declaration())])).code).toBe(0),
  }));
  backend = await ConsoleBackend.create({ repo: commanderRepo, env, observer: true });
  await backend.start();
}, 120_000);

afterAll(() => {
  backend?.stop();
  people?.stop();
});

describe("the commander's observer console witnesses what it fetches (issue 16)", () => {
  let seen = '';

  it('after a fetch that brings a host tip, a statement signed by the commander is on its own ref and on the remote', async () => {
    // Ada writes one more record after the clone, so the fetch brings something new.
    expect((await operator(['note', 'Rolled back the payments release.'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0);
    seen = git(ws.repo, ['rev-parse', OWN]).trim();
    const status = await call<SyncStatus>('sync.fetch');
    // The board's fetch state says the fetch was witnessed.
    expect(status.state !== 'local-only' && status.witnessing).toMatchObject({ state: 'witnessed', reason: null });
    const onRemote = git(remote, ['ls-tree', '-r', '--name-only', 'refs/heads/hosts/commander-host']);
    expect(onRemote).toMatch(/^journal\/commander-host\/\d{6}-witnessed\.json$/m);
    const file = onRemote.split('\n').find((p) => p.endsWith('-witnessed.json'))!;
    const statement = JSON.parse(git(remote, ['show', `refs/heads/hosts/commander-host:${file}`])) as { actor: { name: string }; payload: { via: string; tips: Array<{ host: string; commit: string }> } };
    expect(statement.actor.name).toBe('Grace Hopper');
    expect(statement.payload).toMatchObject({ via: 'fetch', tips: [{ host: 'test-host', commit: seen }] });
    expect(git(remote, ['cat-file', 'commit', 'refs/heads/hosts/commander-host'])).toContain('-----BEGIN SSH SIGNATURE-----');
    // A fetch that brings nothing new states nothing new.
    const before = git(commanderRepo, ['rev-parse', 'refs/heads/hosts/commander-host']).trim();
    await call('sync.fetch');
    expect(git(commanderRepo, ['rev-parse', 'refs/heads/hosts/commander-host']).trim()).toBe(before);
  });

  it("Ada's rewrite of the witnessed history is a finding on her own host once she fetches", async () => {
    expect((await operator(['push'])).code).toBe(0); // brings the commander's statement
    const clean = JSON.parse((await operator(['--json', 'verify'])).stdout) as VerifyResult;
    expect(clean.problems).toEqual([]);
    expect(clean.witnesses).toEqual([{ host: 'test-host', witnesses: [expect.objectContaining({ witness: 'Grace Hopper', commit: seen })] }]);
    git(ws.repo, ['update-ref', OWN, `${seen}^`]);
    git(ws.repo, ['update-ref', 'refs/remotes/origin/hosts/test-host', `${seen}^`]);
    const r = await operator(['--json', 'verify']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as VerifyResult;
    expect(report.problems.map((p) => p.message)).toContainEqual(expect.stringContaining(`Host test-host's history was rewritten after it was witnessed: Grace Hopper (host commander-host) saw commit ${seen.slice(0, 12)}`));
  });

  it('with no key to sign (the agent emptied), a fetch that brings a new tip states nothing, and the fetch state says why', async () => {
    // Ada restores the witnessed history she had rewritten above.
    git(ws.repo, ['update-ref', OWN, seen]);
    const before = git(commanderRepo, ['rev-parse', 'refs/heads/hosts/commander-host']).trim();
    expect(spawnSync('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: people.grace.agent.socket } }).status).toBe(0);
    expect((await operator(['note', 'Restarted the payments workers.'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0);
    const status = await call<SyncStatus>('sync.fetch');
    expect(status.state !== 'local-only' && status.witnessing).toMatchObject({ state: 'no-signer', reason: null });
    expect(git(commanderRepo, ['rev-parse', 'refs/heads/hosts/commander-host']).trim()).toBe(before);
  });
});
