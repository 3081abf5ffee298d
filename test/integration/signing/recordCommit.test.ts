import { mkdtempSync, statSync, chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSshPublicKey } from '../../../app/roster/sshKey';
import { Git } from '../../../main/git';
import { verifyCommitSignature } from '../../../main/signing/commitSignature';
import { ensureHostKey, hostKeySigner } from '../../../main/signing/hostKey';
import { RecordCommitConflict, RecordCommitter, type RecordCommitRequest } from '../../../main/signing/recordCommit';
import { agentSigner, listAgentKeys, TOUCH_PROMPT } from '../../../main/signing/signer';
import { opensshFingerprint, startAgent, type TestAgent } from '../../support/sshAgent';
import { git, gitVerifyCommit, mustParseRoster, rawCommit, rosterYaml, peoplePerFile, writeAllowedSigners } from '../../support/signingKit';
import { softKey } from '../../support/softSsh';

// The signed record commit path: trees built from the parent's, compare-and-swap on the branch,
// refusals that leave the branch alone; the host key; the agent's key list.

const kit = peoplePerFile('bg-record-commit-');
const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
const T0 = Date.parse('2026-11-28T09:48:26Z') / 1000;

function req(parent: string | null, file: string, seconds = T0): RecordCommitRequest {
  return { ref: 'refs/heads/main', parent, path: file, content: `{"file":"${file}"}\n`, message: `record ${file}`, author: { ...ADA, seconds }, committer: { ...ADA, seconds: seconds + 1 } };
}

/** A repository with an unsigned history made by fast-import, as today's evidence store writes it. */
function seededRepo(name: string): { repo: string; head: string } {
  const repo = path.join(kit.dir, name);
  git(kit.dir, ['init', '-q', '--bare', repo]);
  const files = ['policy.yaml', 'README.md', 'sessions/2026/10/bg-20261001-000000-00000001/000001-declared.json', 'sessions/2026/11/bg-20261101-000000-00000002/000001-declared.json', 'sessions/2026/11/bg-20261101-000000-00000002/000002-note.json', 'journal/ws-1/000001-lock-recovered.json'];
  const stream = files.map((f, i) => `commit refs/heads/main\ncommitter Seed <seed@example.com> ${T0 - 1000 + i} +0000\ndata 5\nseed\nM 100644 inline ${f}\ndata 3\n${i}\n\n`).join('');
  git(repo, ['fast-import', '--quiet'], `${stream}done\n`);
  return { repo, head: git(repo, ['rev-parse', 'main']) };
}

const ls = (repo: string, rev: string) => git(repo, ['ls-tree', '-r', rev]).split('\n');

describe('RecordCommitter', () => {
  it('adds exactly one file on top of the parent, keeps every other entry, and git fsck --strict is clean', async () => {
    const { repo, head } = seededRepo('builder.git');
    const committer = await RecordCommitter.open(new Git(repo));
    const ada = agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket });
    const paths = [
      'sessions/2026/11/bg-20261101-000000-00000002/000003-note.json', // existing session folder
      'sessions/2026/11/bg-20261128-094826-0a1b2c3d/000001-declared.json', // new session in an existing month
      'sessions/2026/12/bg-20261201-000000-0a1b2c3e/000001-declared.json', // new month
      'sessions/2027/01/bg-20270101-000000-0a1b2c3f/000001-declared.json', // new year
      'journal/ws-1/000002-policy-adopted.json', // root cached, journal/ not: read from the subtree on
      'sessions/2026/10/bg-20261001-000000-00000001/000002-note.json', // month never read: the same
      'roster.yaml',
    ];
    let parent = head;
    for (const p of paths) {
      const before = ls(repo, parent);
      const result = await committer.append(req(parent, p), ada);
      const after = ls(repo, result.commit);
      expect(after.filter((l) => !before.includes(l))).toEqual([`100644 blob ${result.blob}\t${p}`]);
      expect(before.filter((l) => !after.includes(l))).toEqual([]);
      expect(git(repo, ['rev-parse', `${result.commit}^{tree}`])).toBe(result.tree);
      expect(git(repo, ['rev-parse', `${result.commit}^`])).toBe(parent);
      expect(git(repo, ['show', `${result.commit}:${p}`])).toBe(`{"file":"${p}"}`);
      parent = result.commit;
    }
    expect(git(repo, ['rev-parse', 'main'])).toBe(parent);
    expect(git(repo, ['-c', 'fsck.missingTaggerEntry=error', 'fsck', '--strict', '--no-dangling'])).toBe('');
    // Author and committer are what the request said, to the second.
    expect(rawCommit(repo, parent).toString()).toContain(`author Ada Lovelace <ada@example.com> ${T0} +0000\ncommitter Ada Lovelace <ada@example.com> ${T0 + 1} +0000\ngpgsig `);
  });

  it('a second committer (cold cache) and a parent moved by another writer both work', async () => {
    const { repo, head } = seededRepo('cold.git');
    const ada = agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket });
    const a = await (await RecordCommitter.open(new Git(repo))).append(req(head, 'sessions/2026/11/bg-20261101-000000-00000002/000003-note.json'), ada);
    // Another writer (fast-import) adds to the same month folder; a warm committer must read the new trees.
    const warm = await RecordCommitter.open(new Git(repo));
    const b = await warm.append(req(a.commit, 'sessions/2026/11/bg-20261101-000000-00000002/000004-note.json'), ada);
    git(repo, ['fast-import', '--quiet'], `commit refs/heads/main\ncommitter Other <o@example.com> ${T0} +0000\ndata 5\nother\nfrom ${b.commit}\nM 100644 inline sessions/2026/11/bg-20261101-000000-00000009/000001-declared.json\ndata 2\nx\n\ndone\n`);
    const moved = git(repo, ['rev-parse', 'main']);
    const c = await warm.append(req(moved, 'sessions/2026/11/bg-20261101-000000-00000002/000005-note.json'), ada);
    const files = ls(repo, c.commit).map((l) => l.split('\t')[1]);
    expect(files).toContain('sessions/2026/11/bg-20261101-000000-00000009/000001-declared.json');
    expect(files).toContain('sessions/2026/11/bg-20261101-000000-00000002/000005-note.json');
    expect(files).toHaveLength(10);
  });

  it('compare-and-swap: a stale parent is a RecordCommitConflict and the branch stays where the other writer put it', async () => {
    const { repo, head } = seededRepo('cas.git');
    const committer = await RecordCommitter.open(new Git(repo));
    const ada = agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket });
    const first = await committer.append(req(head, 'sessions/2026/11/bg-20261101-000000-00000002/000003-note.json'), ada);
    await expect(committer.append(req(head, 'sessions/2026/11/bg-20261101-000000-00000002/000004-note.json'), ada)).rejects.toBeInstanceOf(RecordCommitConflict);
    expect(git(repo, ['rev-parse', 'main'])).toBe(first.commit);
    // A first commit (no parent) onto an existing branch is refused the same way.
    await expect(committer.append(req(null, 'x.json'), ada)).rejects.toBeInstanceOf(RecordCommitConflict);
  });

  it('refuses to rewrite a record, a file where a folder must be, a bad path and an unknown parent — nothing moves', async () => {
    const { repo, head } = seededRepo('refuse.git');
    const committer = await RecordCommitter.open(new Git(repo));
    const ada = agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket });
    await expect(committer.append(req(head, 'sessions/2026/11/bg-20261101-000000-00000002/000002-note.json'), ada)).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/never rewritten/) });
    await expect(committer.append(req(head, 'policy.yaml/x.json'), ada)).rejects.toMatchObject({ code: 'refused' });
    await expect(committer.append(req(head, '../escape.json'), ada)).rejects.toMatchObject({ code: 'invalid-input', field: 'path' });
    await expect(committer.append({ ...req(head, 'a.json'), author: { name: 'Ada <x>', email: 'ada@example.com', seconds: T0 } }, ada)).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(committer.append(req('1'.repeat(40), 'a.json'), ada)).rejects.toMatchObject({ code: 'evidence-not-committed' });
    expect(git(repo, ['rev-parse', 'main'])).toBe(head);
  });

  it("asks for a security key's touch in words before signing, and fails closed when the key is not there", async () => {
    const { repo, head } = seededRepo('touch.git');
    const committer = await RecordCommitter.open(new Git(repo));
    const messages: string[] = [];
    // A FIDO2 public key whose private half is on no device this agent can reach.
    const sk = agentSigner(softKey('sk-ssh-ed25519@openssh.com').publicKey, { agentSocket: kit.people.ada.agent.socket, onTouch: (m) => messages.push(m) });
    await expect(committer.append(req(head, 'sessions/2026/11/bg-20261101-000000-00000002/000003-note.json'), sk)).rejects.toMatchObject({ code: 'evidence-not-committed' });
    expect(messages).toEqual([TOUCH_PROMPT]);
    expect(TOUCH_PROMPT).toBe('Touch your security key to sign');
    expect(git(repo, ['rev-parse', 'main'])).toBe(head);
    // A software key asks for no touch.
    const plain: string[] = [];
    await committer.append(req(head, 'sessions/2026/11/bg-20261101-000000-00000002/000003-note.json'), agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket, onTouch: (m) => plain.push(m) }));
    expect(plain).toEqual([]);
  });
});

describe('the per-host key', () => {
  it('is created once with mode 0600, signs host records that verify against the roster, and is refused when others can read it', async () => {
    const data = path.join(kit.dir, 'data');
    const [a, b] = await Promise.all([ensureHostKey(data, 'ws-1'), ensureHostKey(data, 'ws-1')]);
    expect(a.publicKey.fingerprint).toBe(b.publicKey.fingerprint);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(statSync(a.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${a.privateKeyPath}.pub`, 'utf8')).toContain(a.publicKey.line);
    const again = await ensureHostKey(data, 'ws-1');
    expect(again).toMatchObject({ created: false, publicKey: { fingerprint: a.publicKey.fingerprint } });

    const { repo, head } = seededRepo('host.git');
    const committer = await RecordCommitter.open(new Git(repo));
    const { commit } = await committer.append(req(head, 'journal/ws-1/000002-policy-adopted.json'), hostKeySigner(a));
    const roster = mustParseRoster(rosterYaml(kit.people, {}, `hosts:\n  - id: ws-1\n    keys:\n      - key: ${a.publicKey.line}\n`));
    expect(gitVerifyCommit(repo, commit, writeAllowedSigners(kit.dir, roster, 'allowed_signers_host')).ok).toBe(true);
    expect(verifyCommitSignature(rawCommit(repo, commit), { expectedFingerprint: a.publicKey.fingerprint }).status).toBe('valid');

    chmodSync(a.privateKeyPath, 0o644);
    await expect(ensureHostKey(data, 'ws-1')).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/readable by other users/) });
  });
});

describe('listAgentKeys', () => {
  let empty: TestAgent;
  beforeAll(async () => {
    empty = await startAgent(mkdtempSync(path.join(kit.dir, 'empty-')));
  });
  afterAll(() => empty?.stop());

  it("lists the agent's keys with OpenSSH's fingerprints; an empty agent gives none; no agent is agent-unreachable", async () => {
    const keys = await listAgentKeys({ agentSocket: kit.people.grace.agent.socket });
    expect(keys.map((k) => k.fingerprint)).toEqual([opensshFingerprint(kit.people.grace.key.line)]);
    expect(keys[0]).toMatchObject({ type: 'ecdsa-sha2-nistp256', securityKey: false, comment: 'grace@test', line: parseSshPublicKey(kit.people.grace.key.line).line });
    expect(await listAgentKeys({ agentSocket: empty.socket })).toEqual([]);
    await expect(listAgentKeys({ agentSocket: path.join(kit.dir, 'gone.sock') })).rejects.toMatchObject({ reason: 'agent-unreachable' });
    await expect(listAgentKeys({ agentSocket: null })).rejects.toMatchObject({ reason: 'agent-unreachable' });
  });
});
