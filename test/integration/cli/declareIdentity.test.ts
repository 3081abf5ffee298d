import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSURE, REVIEW, declaration, jsonFile } from '../../support/cli';
import { assertCliBuilt, gitx, workspace, type Workspace } from '../../support/lifecycleKit';
import { startPeople, type People } from '../../support/signingKit';

// Issue 15, "Identity is checked where it is claimed", through the real CLI with real ssh-agents:
// `declare` says which roster key signed, and refuses an OS account the roster does not list for
// the operator before anything is written. The account is this test process's own (the CLI is its
// child), so the roster lists it, or lists only another name.

let people: People;
const account = os.userInfo().username;
const refs = (ws: Workspace) => gitx(ws.repo, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads']);

async function rosterWorkspace(accounts: string[], policy?: Record<string, unknown>): Promise<Workspace> {
  const ws = await workspace(policy ? { policy } : {});
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

describe('without the operator\'s roster key, the policy decides (issue 15)', () => {
  const noAgentEnv = (ws: Workspace) => {
    const env = { ...ws.env };
    delete env.SSH_AUTH_SOCK;
    return env;
  };

  it('by default the declaration and the operator\'s records are committed unsigned, declare says so, and verify names each as a finding', async () => {
    const ws = await rosterWorkspace([account]);
    const file = jsonFile(ws.dir, 'declaration.json', declaration());
    const r = await ws.cli(['--json', 'declare', '--file', file], { env: noAgentEnv(ws) });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { sessionId: string; commit: string; signing: { status: string; detail: string } };
    expect(out.signing).toEqual({ id: 'signing-key', status: 'warn', detail: expect.stringContaining('verify names each as a finding, and the review must address it') });
    expect(gitx(ws.repo, ['cat-file', 'commit', out.commit])).not.toContain('BEGIN SSH SIGNATURE');
    // A note with an agent that holds only somebody else's key: also unsigned, never signed by that key.
    const note = await ws.cli(['note', '--session', out.sessionId, 'Lock released by hand.'], { env: { ...ws.env, SSH_AUTH_SOCK: people.mallory.agent.socket } });
    expect(note.code, note.stderr).toBe(0);
    expect(gitx(ws.repo, ['cat-file', 'commit', 'refs/heads/hosts/test-host'])).not.toContain('BEGIN SSH SIGNATURE');
    const verify = await ws.cli(['verify', '--json']);
    expect(verify.code).not.toBe(0);
    const report = JSON.parse(verify.stdout) as { problems: Array<{ seq?: number; message: string }>; signatures: { records: Array<{ status: string; fingerprint: string | null }> } };
    expect(report.problems.filter((p) => /record is not signed/.test(p.message)).map((p) => p.seq)).toEqual([1, 2]);
    // Not proven by any key: a finding (status invalid, no fingerprint), which the board counts as unsigned.
    expect(report.signatures.records.map((x) => [x.status, x.fingerprint])).toEqual([['invalid', null], ['invalid', null]]);
  });

  it('a review of a session with unsigned records cannot be plainly "justified": it must address them, in the CLI\'s words and on its outcome', async () => {
    const ws = await rosterWorkspace([account]);
    const asAda = { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } };
    const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer', '--public-key', people.grace.key.line], asAda);
    expect(add.code, add.stderr).toBe(0);
    const declared = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'declaration.json', declaration())], { env: noAgentEnv(ws) });
    expect(declared.code, declared.stderr).toBe(0);
    const sessionId = (JSON.parse(declared.stdout) as { sessionId: string }).sessionId;
    const closed = await ws.cli(['close', '--session', sessionId, '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)], { env: noAgentEnv(ws) });
    expect(closed.code, closed.stderr).toBe(0);
    const asGrace = { env: { ...ws.env, SSH_AUTH_SOCK: people.grace.agent.socket } };
    const before = refs(ws);
    const plain = await ws.cli(['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'review.json', REVIEW)], asGrace);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('2 records of this session are not proven by a roster key: a finding this review must address. Choose "justified-with-findings" or "not-justified"');
    expect(refs(ws)).toBe(before);
    const addressed = { ...REVIEW, outcome: 'justified-with-findings', findings: 'Declared unsigned: Ada\'s security key was at home. Her identity was confirmed by video call with the incident commander.' };
    const ok = await ws.cli(['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'addressed.json', addressed)], asGrace);
    expect(ok.code, ok.stderr).toBe(0);
    // The review itself is signed by the reviewer: only the operator's records went unsigned.
    expect(gitx(ws.repo, ['cat-file', 'commit', 'refs/heads/hosts/test-host'])).toContain('BEGIN SSH SIGNATURE');
  });

  it('a person the roster does not list as an operator is refused all the same, and nothing is written', async () => {
    const ws = await rosterWorkspace([account]);
    const before = refs(ws);
    const r = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'mallory.json', declaration({ operator: { name: 'Mallory Mallet', email: 'mallory@example.com' } }))], { env: noAgentEnv(ws) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not in the roster');
    expect(refs(ws)).toBe(before);
  });

  it('with unsignedDeclarations: refuse, no agent and a wrong key are refused and nothing is written', async () => {
    const ws = await rosterWorkspace([account], { unsignedDeclarations: 'refuse' });
    const before = refs(ws);
    const file = jsonFile(ws.dir, 'declaration.json', declaration());
    const noAgent = await ws.cli(['declare', '--file', file], { env: noAgentEnv(ws) });
    expect(noAgent.code).toBe(4);
    expect(noAgent.stderr).toMatch(/No ssh-agent answers.*nothing was recorded/);
    const wrongKey = await ws.cli(['declare', '--file', file], { env: { ...ws.env, SSH_AUTH_SOCK: people.mallory.agent.socket } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain("None of Ada Lovelace's roster keys");
    expect(refs(ws)).toBe(before);
  });
});
