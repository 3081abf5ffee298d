import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, RosterStatus } from '../../../app/contract';
import { ConsoleBackend } from '../../../main/console/backend';
import { cleanup, editPolicy, tempDir } from '../../support/cli';
import { startAgent, type TestAgent } from '../../support/sshAgent';
import { gitVerifyCommit, mustParseRoster, startPeople, writeAllowedSigners, type People } from '../../support/signingKit';

// Issue 15, "Before a roster exists": the console's roster calls through the real dispatcher, on
// real repositories, with real ssh-agents holding real ssh-keygen keys. The backend signs through
// the SSH_AUTH_SOCK of its environment, as the app does.

let dir = '';
let people: People;
let emptyAgent: TestAgent;
const backends: ConsoleBackend[] = [];

async function consoleOn(name: string, agentSocket: string): Promise<{ backend: ConsoleBackend; repo: string }> {
  const repo = path.join(dir, name, 'evidence');
  const env = { ...process.env, BREAKGLASS_DATA_DIR: path.join(dir, name, 'data'), BREAKGLASS_HOST_ID: `${name}-host`, SSH_AUTH_SOCK: agentSocket };
  const backend = await ConsoleBackend.create({ repo, env });
  backends.push(backend);
  return { backend, repo };
}

const refs = (repo: string) => spawnSync('git', ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'], { cwd: repo, encoding: 'utf8' }).stdout;
const ada = () => ({ id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', accounts: ['ada'], fingerprint: people.ada.key.publicKey.fingerprint });
const value = <T>(r: Envelope<unknown>): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};

beforeAll(async () => {
  dir = tempDir('bg-roster-console-');
  people = await startPeople(dir);
  emptyAgent = await startAgent(mkdirSync(path.join(dir, 'empty-agent'), { recursive: true })!);
});
afterAll(() => {
  backends.forEach((b) => b.stop());
  people?.stop();
  emptyAgent?.stop();
  cleanup(dir);
});

describe('the console creates the first roster (issue 15)', () => {
  it('before a roster: no roster, no anchor, and the agent\'s keys by fingerprint and type (no key text, no comment)', async () => {
    const { backend } = await consoleOn('status', people.ada.agent.socket);
    const status = value<RosterStatus>(await backend.dispatch('roster.status', {}));
    expect(status).toEqual({ roster: false, anchor: null, agent: { ok: true, keys: [{ fingerprint: people.ada.key.publicKey.fingerprint, type: 'ssh-ed25519', securityKey: false }] }, governance: { pending: [], notInForce: [] } });
    expect(JSON.stringify(status)).not.toContain('ada@test');
  });

  it('says when the agent holds no key, and when no agent answers', async () => {
    const { backend: empty } = await consoleOn('empty', emptyAgent.socket);
    expect(value<RosterStatus>(await empty.dispatch('roster.status', {})).agent).toEqual({ ok: true, keys: [] });
    const { backend: none } = await consoleOn('none', path.join(dir, 'no-such-agent.sock'));
    expect(value<RosterStatus>(await none.dispatch('roster.status', {})).agent).toEqual({ ok: false, reason: 'agent-unreachable' });
  });

  it('"Check again" sees a key added to the agent since the last look', async () => {
    const agent = await startAgent(mkdirSync(path.join(dir, 'later-agent'), { recursive: true })!);
    try {
      const { backend } = await consoleOn('later', agent.socket);
      expect(value<RosterStatus>(await backend.dispatch('roster.status', {})).agent).toEqual({ ok: true, keys: [] });
      agent.add(people.grace.key.privatePath);
      expect(value<RosterStatus>(await backend.dispatch('roster.status', {})).agent).toEqual({ ok: true, keys: [{ fingerprint: people.grace.key.publicKey.fingerprint, type: 'ecdsa-sha2-nistp256', securityKey: false }] });
    } finally {
      agent.stop();
    }
  });

  it('refuses a fingerprint the agent does not hold, says so, and writes nothing', async () => {
    const { backend, repo } = await consoleOn('wrong-key', people.ada.agent.socket);
    const before = refs(repo);
    const r = await backend.dispatch('roster.init', { ...ada(), fingerprint: people.mallory.key.publicKey.fingerprint });
    expect(r).toEqual({ ok: false, error: { code: 'refused', message: `The ssh-agent does not hold key ${people.mallory.key.publicKey.fingerprint}. Add it with ssh-add.` } });
    expect(refs(repo)).toBe(before);
    expect(value<RosterStatus>(await backend.dispatch('roster.status', {})).roster).toBe(false);
  });

  it('refuses input that is not an id, a named person or a fingerprint before anything runs, naming the field', async () => {
    const { backend, repo } = await consoleOn('bad-input', people.ada.agent.socket);
    const before = refs(repo);
    expect(await backend.dispatch('roster.init', { ...ada(), id: 'Ada Lovelace' })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'id' } });
    expect(await backend.dispatch('roster.init', { ...ada(), fingerprint: 'ssh-ed25519 AAAA' })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'fingerprint', message: 'Choose one of the keys the ssh-agent holds.' } });
    expect(await backend.dispatch('roster.init', { ...ada(), email: 'not an address' })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'email' } });
    // A shared or role name is not a person (the roster's own rule), said at the name.
    expect(await backend.dispatch('roster.init', { ...ada(), name: 'Admin', email: 'admin@example.com' })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'name' } });
    expect(refs(repo)).toBe(before);
  });

  it('creates the roster signed by the chosen key: the anchor is its commit, plain git verifies it, verify is clean, and a second one is refused', async () => {
    const { backend, repo } = await consoleOn('create', people.ada.agent.socket);
    const { anchor } = value<{ anchor: string }>(await backend.dispatch('roster.init', ada()));
    expect(anchor).toMatch(/^[0-9a-f]{40}$/);
    expect(spawnSync('git', ['rev-parse', 'refs/heads/main'], { cwd: repo, encoding: 'utf8' }).stdout.trim()).toBe(anchor);

    const roster = mustParseRoster(spawnSync('git', ['show', `${anchor}:roster.yaml`], { cwd: repo, encoding: 'utf8' }).stdout);
    expect(roster.people).toEqual([expect.objectContaining({ id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', roles: ['operator', 'roster-admin'], accounts: ['ada'] })]);
    // This host's key is registered for host-level records, as `breakglass roster init` does.
    expect(roster.hosts.map((h) => h.id)).toEqual(['create-host']);
    const plain = gitVerifyCommit(repo, anchor, writeAllowedSigners(dir, roster, 'create_allowed_signers'));
    expect(plain.ok, plain.output).toBe(true);
    expect(plain.output).toContain(people.ada.key.publicKey.fingerprint);

    expect(value<RosterStatus>(await backend.dispatch('roster.status', {}))).toMatchObject({ roster: true, anchor });
    const verify = value<{ ok: boolean; problems: unknown[] }>(await backend.dispatch('ledger.verify', {}));
    expect(verify.problems).toEqual([]);
    expect(verify.ok).toBe(true);

    // A policy weakened by a plain commit after the roster exists: in the tree, not in force, and the console says why.
    editPolicy(repo, (p) => ({ ...p, justificationMinLength: 1 }));
    const weakened = value<RosterStatus>(await backend.dispatch('roster.status', {}));
    expect(weakened.governance).toEqual({ pending: [], notInForce: [{ file: 'policy.yaml', reason: expect.stringMatching(/^policy\.yaml changed with no signature, not by a roster admin \(commit [0-9a-f]{12}\): the change is not in force\.$/) }] });
    const inForce = value<{ policy: { justificationMinLength: number } | null }>(await backend.dispatch('policy.get', {}));
    expect(inForce.policy?.justificationMinLength).toBe(40);
    const head = spawnSync('git', ['rev-parse', 'refs/heads/main'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
    spawnSync('git', ['update-ref', 'refs/heads/main', anchor, head], { cwd: repo });

    const again = await backend.dispatch('roster.init', { ...ada(), id: 'grace', name: 'Grace Hopper', email: 'grace@example.com' });
    expect(again).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringContaining('already has a roster') } });
    expect(spawnSync('git', ['rev-parse', 'refs/heads/main'], { cwd: repo, encoding: 'utf8' }).stdout.trim()).toBe(anchor);
  });
});
