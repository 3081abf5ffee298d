import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration, jsonFile } from '../../support/cli';
import { assertCliBuilt, gitx, workspace, type Workspace } from '../../support/lifecycleKit';
import { startPeople, type People } from '../../support/signingKit';

// Issue 15, "Identity is checked where it is claimed", through the real CLI with real ssh-agents:
// `declare` says which roster key signed, and refuses an OS account the roster does not list for
// the operator before anything is written. The account is this test process's own (the CLI is its
// child), so the roster lists it, or lists only another name.

let people: People;
const account = os.userInfo().username;
const refs = (ws: Workspace) => gitx(ws.repo, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads']);

async function rosterWorkspace(accounts: string[]): Promise<Workspace> {
  const ws = await workspace();
  people ??= await startPeople(ws.dir);
  const init = await ws.cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--account', ...accounts], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
  expect(init.code, init.stderr).toBe(0);
  return ws;
}

beforeAll(() => assertCliBuilt());
afterAll(() => people?.stop());

describe('declare checks who signs, and the OS account, against the roster (issue 15)', () => {
  it('names the key that signs, and records the OS account check in the declaration', async () => {
    const ws = await rosterWorkspace([account]);
    const file = jsonFile(ws.dir, 'declaration.json', declaration());
    const env = { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket };
    const human = await ws.cli(['declare', '--file', file], { env });
    expect(human.code, human.stderr).toBe(0);
    const fingerprint = people.ada.key.publicKey.fingerprint;
    expect(human.stdout).toContain(`Signed by Ada Lovelace (ada) with the ssh-ed25519 key (${fingerprint}) in the ssh-agent.`);
    expect(human.stdout).not.toContain('Touch your security key');
    // The commit's signature is by that very key (OpenSSH's own fingerprint of it).
    const commit = /Evidence commit ([0-9a-f]{40})/.exec(human.stdout)![1]!;
    const shown = gitx(ws.repo, ['show', '--format=', '--name-only', commit]).trim();
    const record = JSON.parse(gitx(ws.repo, ['show', `${commit}:${shown}`])) as { payload: { preconditions: Array<{ id: string; status: string; detail: string }> } };
    expect(record.payload.preconditions.find((p) => p.id === 'signing-key')).toEqual({ id: 'signing-key', status: 'pass', detail: `Signed by Ada Lovelace (ada) with the ssh-ed25519 key (${fingerprint}) in the ssh-agent.` });
    expect(record.payload.preconditions.find((p) => p.id === 'roster-account')).toEqual({ id: 'roster-account', status: 'pass', detail: `Logged in as ${account}, one of Ada Lovelace's accounts in the roster (${account}).` });
    const verify = await ws.cli(['verify', '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    const signatures = (JSON.parse(verify.stdout) as { signatures: { records: Array<{ status: string; fingerprint: string }> } }).signatures;
    expect(signatures.records.map((r) => [r.status, r.fingerprint])).toEqual([['proven', fingerprint]]);
  });

  it('the JSON output carries the signing row', async () => {
    const ws = await rosterWorkspace([account]);
    const r = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'declaration.json', declaration())], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { signing: unknown }).signing).toEqual({ id: 'signing-key', status: 'pass', detail: expect.stringContaining(people.ada.key.publicKey.fingerprint) });
  });

  it('refuses an OS account the roster does not list for the operator, says what to do, and writes nothing', async () => {
    const ws = await rosterWorkspace(['ada-login', 'alovelace']);
    const before = refs(ws);
    const r = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'declaration.json', declaration())], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`OS account in the roster: The OS account "${account}" is not one of Ada Lovelace's accounts in the roster (ada-login, alovelace). Log in as one of them, or have a roster admin add this account`);
    expect(refs(ws)).toBe(before);
  });

  it('refuses a person the roster lists without the operator role before asking the agent to sign; nothing is written', async () => {
    const ws = await rosterWorkspace([account]);
    const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer', '--public-key', people.grace.key.line], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
    expect(add.code, add.stderr).toBe(0);
    const before = refs(ws);
    const r = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'grace.json', declaration({ operator: { name: 'Grace Hopper', email: 'grace@example.com' } }))], { env: { ...ws.env, SSH_AUTH_SOCK: people.grace.agent.socket } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Precondition failed: Signing key: Grace Hopper (grace) does not have the operator role in the roster.');
    expect(refs(ws)).toBe(before);
  });
});
