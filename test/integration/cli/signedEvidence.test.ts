import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { CLOSURE, REVIEW, declaration, editPolicy, jsonFile, runCli } from '../../support/cli';
import { assertCliBuilt, gitx, workspace, type Workspace } from '../../support/lifecycleKit';
import { startPeople, type People } from '../../support/signingKit';
import type { VerifyResult } from '../../../app/verifyResult';
import { computeRecordHash } from '../../../app/chain';
import { Git } from '../../../main/git';
import { RecordCommitter } from '../../../main/signing/recordCommit';
import { agentSigner } from '../../../main/signing/signer';

// Issue 15 end to end through the real CLI: a roster, every record signed through the person's
// ssh-agent, fail closed without agent or roster key, governed roster and policy changes, and the
// auditor's plain-git command from the README.

let ws: Workspace;
let people: People;
const withAgent = (agent: { socket: string } | null) => {
  const env = { ...ws.env };
  if (agent) env.SSH_AUTH_SOCK = agent.socket;
  else delete env.SSH_AUTH_SOCK;
  return env;
};
/** The organisation branch: governance (roster.yaml, proposals, approvals, policy.yaml) lives there (issue 14). */
const head = () => gitx(ws.repo, ['rev-parse', 'main']).trim();
/** This host's own ref: every record it writes is committed there (issue 14). */
const HOST_REF = 'refs/heads/hosts/test-host';
/** Every branch and its commit: a refused write moves none of them. */
const refs = () => gitx(ws.repo, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads']);
const verify = async (args: string[] = []) => {
  const r = await ws.cli(['verify', '--json', ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyResult, stdout: r.stdout };
};

beforeAll(async () => {
  assertCliBuilt();
  ws = await workspace();
  people = await startPeople(ws.dir);
});
afterAll(() => people?.stop());

describe('signed evidence through the CLI (issue 15)', () => {
  let anchor = '';
  let sessionId = '';

  it('without a roster everything works unsigned, and verify says the names are claimed, not proven', async () => {
    const v = await ws.cli(['verify']);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('Unsigned: this repository has no roster');
    expect(v.stdout).toContain('claimed, not proven');
    const show = await ws.cli(['roster', 'show']);
    expect(show.stdout).toContain('ssh-keygen -t ed25519-sk');
  });

  it('roster init makes the operator its first admin with their agent key; the commit is the trust anchor', async () => {
    const none = await ws.cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com'], { env: withAgent(null) });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('start ssh-agent');
    const r = await ws.cli(['--json', 'roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--account', 'root'], { env: withAgent(people.ada.agent) });
    expect(r.code, r.stderr).toBe(0);
    anchor = (JSON.parse(r.stdout) as { anchor: string }).anchor;
    expect(anchor).toBe(head());
    // One admin: adding Grace (reviewer, second admin) needs one approval; it is adopted at once.
    const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer,roster-admin', '--public-key', people.grace.key.line], { env: withAgent(people.ada.agent) });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('adopted in commit');
    const show = await ws.cli(['roster', 'show'], { env: withAgent(people.ada.agent) });
    expect(show.stdout).toContain(`trust anchor: commit ${anchor}`);
    expect(show.stdout).toContain('grace: Grace Hopper <grace@example.com> — reviewer, roster-admin');
    expect(show.stdout).toContain('host test-host: key ssh-ed25519');
  });

  // Without an agent or a roster key, the policy decides (unsignedDeclarations): both ways are
  // tested in declareIdentity.test.ts, where the refusals this test once made still stand.
  it('a declaration is signed by the operator\'s key; a person not listed, or without the operator role, is refused and nothing is written', async () => {
    const before = refs();
    const file = jsonFile(ws.dir, 'declaration.json', declaration());
    const notListed = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'mallory.json', declaration({ operator: { name: 'Mallory Mallet', email: 'mallory@example.com' } }))], { env: withAgent(people.mallory.agent) });
    expect(notListed.code).toBe(1);
    expect(notListed.stderr).toContain('is not in the roster');
    const noRole = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'grace.json', declaration({ operator: { name: 'Grace Hopper', email: 'grace@example.com' } }))], { env: withAgent(people.grace.agent) });
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('does not have the operator role');
    expect(refs()).toBe(before);

    const ok = await ws.cli(['--json', 'declare', '--file', file], { env: withAgent(people.ada.agent) });
    expect(ok.code, ok.stderr).toBe(0);
    sessionId = (JSON.parse(ok.stdout) as { sessionId: string }).sessionId;
    expect(gitx(ws.repo, ['cat-file', 'commit', HOST_REF])).toContain('-----BEGIN SSH SIGNATURE-----');
  });

  it('the review is signed by the reviewer; the operator\'s key cannot sign it', async () => {
    const close = await ws.cli(['close', '--session', sessionId, '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)], { env: withAgent(people.ada.agent) });
    expect(close.code, close.stderr).toBe(0);
    const before = refs();
    const asGraceWithAdasKey = await ws.cli(['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'review.json', REVIEW)], { env: withAgent(people.ada.agent) });
    expect(asGraceWithAdasKey.code).toBe(1);
    expect(asGraceWithAdasKey.stderr).toContain("None of Grace Hopper's roster keys");
    expect(refs()).toBe(before);
    const ok = await ws.cli(['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'review.json', REVIEW)], { env: withAgent(people.grace.agent) });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('verify proves every record against the roster, and the README\'s plain-git command agrees', async () => {
    const v = await verify(['--anchor', anchor]);
    expect(v.report.problems).toEqual([]);
    expect(v.code).toBe(0);
    expect(v.report.signatures).toMatchObject({ roster: true, anchor, invalid: 0 });
    expect(v.report.signatures!.proven).toBe(3);
    expect(v.report.signatures!.records.map((r) => [r.status, r.signer?.id])).toEqual([['proven', 'ada'], ['proven', 'ada'], ['proven', 'grace']]);
    // README "Signed evidence": the auditor's commands, exactly.
    const signers = path.join(ws.dir, 'allowed_signers');
    const show = await ws.cli(['roster', 'show', '--allowed-signers', signers]);
    expect(show.code).toBe(0);
    const auditor = spawnSync('git', ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signers}`, 'verify-commit', HOST_REF], { cwd: ws.repo, encoding: 'utf8' });
    expect(auditor.status, auditor.stderr).toBe(0);
    expect(auditor.stderr).toContain('Good "git" signature for grace@example.com');
    const log = spawnSync('git', ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signers}`, 'log', '--show-signature', '--format=%H %an', '-n', '3', HOST_REF], { cwd: ws.repo, encoding: 'utf8' });
    expect(log.stdout.match(/Good "git" signature for/g)).toHaveLength(3);
    // The report names who signed what, with which key, and the trust anchor.
    const report = await ws.cli(['report', '--session', sessionId, '--format', 'md']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`Signatures: 3 record(s) proven by roster keys; trust anchor ${anchor}.`);
    expect(report.stdout).toContain('Who signed what');
    expect(report.stdout).toContain('proven: Grace Hopper');
    expect(report.stdout).toContain(people.grace.key.publicKey.fingerprint);
  });

  it('a policy weakened by a plain git commit fails verify and is named', async () => {
    const saved = head();
    editPolicy(ws.repo, (p) => ({ ...p, justificationMinLength: 1, extension: { stepMinutes: 30, maxCount: 20, maxTotalMinutes: 10080 } }));
    const v = await verify();
    expect(v.code).toBe(1);
    expect(v.report.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^policy\.yaml changed with no signature, not by a roster admin \(commit [0-9a-f]{12}\): the change is not in force\.$/)]);
    // Not in force for the CLI either: the governed policy still decides, and status says why.
    const before = refs();
    const weak = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'weak.json', declaration({ justification: 'Lock held.' }))], { env: withAgent(people.ada.agent) });
    expect(weak.stderr).toContain('the policy needs at least 40');
    expect(weak.code).toBe(2);
    expect(refs()).toBe(before);
    const status = await ws.cli(['status']);
    expect(status.stdout).toMatch(/Policy: policy\.yaml on the organisation branch \(sha256 [0-9a-f]{12}\) is not in force: policy\.yaml changed with no signature, not by a roster admin \(commit [0-9a-f]{12}\)\./);
    const json = JSON.parse((await ws.cli(['--json', 'status'])).stdout) as { policyNotInForce?: { reason: string } };
    expect(json.policyNotInForce?.reason).toMatch(/not in force/);
    gitx(ws.repo, ['update-ref', 'refs/heads/main', saved]);
    expect((await ws.cli(['status'])).stdout).not.toContain('is not in force');
  });

  it('a policy change proposed by one admin is pending until a second admin approves it', async () => {
    const policy = parse(gitx(ws.repo, ['show', 'main:policy.yaml'])) as Record<string, unknown>;
    const file = path.join(ws.dir, 'policy.yaml');
    writeFileSync(file, stringify({ ...policy, reviewWindowDays: 3 }));
    const p = await ws.cli(['--json', 'policy', 'propose', '--file', file], { env: withAgent(people.ada.agent) });
    expect(p.code, p.stderr).toBe(0);
    const proposal = JSON.parse(p.stdout) as { id: string; approvers: string[]; required: number; adoptedIn: string | null };
    expect(proposal).toMatchObject({ approvers: ['ada'], required: 2, adoptedIn: null });
    expect(gitx(ws.repo, ['show', 'main:policy.yaml'])).not.toContain('reviewWindowDays: 3');
    expect((await ws.cli(['roster', 'show'])).stdout).toContain(`${proposal.id} (policy.yaml): PENDING, 1 of 2`);
    const again = await ws.cli(['policy', 'approve', proposal.id], { env: withAgent(people.ada.agent) });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('another roster admin must approve it');
    const ok = await ws.cli(['--json', 'policy', 'approve', proposal.id], { env: withAgent(people.grace.agent) });
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { adoptedIn: string }).adoptedIn).toBe(head());
    expect(gitx(ws.repo, ['show', 'main:policy.yaml'])).toContain('reviewWindowDays: 3');
    const v = await verify(['--anchor', anchor]);
    expect(v.report.problems).toEqual([]);
  });

  it('two names, one key: a superseding review naming Grace but signed with Ada\'s key fails verify naming the record, commit and key', async () => {
    const saved = gitx(ws.repo, ['rev-parse', HOST_REF]).trim();
    const files = gitx(ws.repo, ['ls-tree', '-r', '--name-only', HOST_REF, 'sessions/']).trim().split('\n');
    // Issue 14: a review sits outside the chain, as review-<reviewer host>-<n>.json.
    const reviewPath = files.find((f) => /\/review-test-host-\d{6}\.json$/.test(f))!;
    const review = JSON.parse(gitx(ws.repo, ['show', `${HOST_REF}:${reviewPath}`])) as Record<string, unknown> & { seq: number; hash: string; payload: { review: Record<string, unknown> } };
    // A host's reviews of a session chain among themselves: the second names the first.
    const forged: Record<string, unknown> = { ...review, seq: review.seq + 1, prev: review.hash, payload: { ...review.payload, review: { ...review.payload.review, outcome: 'justified', drill: true, supersedes: review.hash } } };
    delete forged.hash;
    forged.hash = computeRecordHash(forged);
    const forgedPath = reviewPath.replace(/-\d{6}\.json$/, `-${String(review.seq + 1).padStart(6, '0')}.json`);
    const stamp = { name: 'Grace Hopper', email: 'grace@example.com', seconds: Math.floor(Date.now() / 1000) };
    const committer = await RecordCommitter.open(new Git(ws.repo));
    const forgedCommit = await committer.append({ ref: HOST_REF, parent: saved, path: forgedPath, content: `${JSON.stringify(forged, null, 2)}\n`, message: 'breakglass: reviewed', author: stamp, committer: stamp },
      agentSigner(people.ada.key.publicKey, { agentSocket: people.ada.agent.socket }));
    try {
      const v = await verify();
      expect(v.code).toBe(1);
      expect(v.report.problems).toEqual([expect.objectContaining({
        seq: review.seq + 1, path: forgedPath, commit: forgedCommit.commit,
        message: `The reviewed record names another person than the holder of its signing key ${people.ada.key.publicKey.fingerprint} (person "ada") (key ${people.ada.key.publicKey.fingerprint}, commit ${forgedCommit.commit.slice(0, 12)}).`,
      })]);
    } finally {
      gitx(ws.repo, ['update-ref', HOST_REF, saved]);
    }
  });

  it('a revoked key signs nothing from its revocation on, and what it signed before stays proven', async () => {
    const current = parse(gitx(ws.repo, ['show', 'main:roster.yaml'])) as { people: Array<{ id: string; keys: Array<Record<string, unknown>> }> };
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const next = { ...current, people: current.people.map((p) => (p.id === 'ada' ? { ...p, keys: p.keys.map((k) => ({ ...k, revoked: { at: revokedAt, reason: 'laptop lost' } })) } : p)) };
    const file = path.join(ws.dir, 'roster-revoke.yaml');
    writeFileSync(file, stringify(next));
    const p = await ws.cli(['--json', 'roster', 'propose', '--file', file], { env: withAgent(people.grace.agent) });
    expect(p.code, p.stderr).toBe(0);
    const id = (JSON.parse(p.stdout) as { id: string }).id;
    const a = await ws.cli(['roster', 'approve', id], { env: withAgent(people.ada.agent) });
    expect(a.code, a.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 2100));
    const before = refs();
    const refused = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'after-revoke.json', declaration({ incidentId: 'INC-777' }))], { env: withAgent(people.ada.agent) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`signed by key ${people.ada.key.publicKey.fingerprint} of person "ada", revoked at the commit's time`);
    expect(refs()).toBe(before);
    const v = await verify(['--anchor', anchor]);
    expect(v.report.problems).toEqual([]);
    expect(v.report.signatures!.records.filter((r) => r.signer?.id === 'ada').map((r) => r.status)).toEqual(['proven', 'proven']);
  });

  it('a revocation adopted on the organisation branch binds a host whose ref started before it: a record it signs afterwards fails verify', async () => {
    // The host's ref started at the organisation tip of its first record, before the revocation
    // above; it is never merged, so its own history still holds the old roster (issue 14).
    const saved = gitx(ws.repo, ['rev-parse', HOST_REF]).trim();
    const files = gitx(ws.repo, ['ls-tree', '-r', '--name-only', HOST_REF, 'sessions/']).trim().split('\n');
    const declaredPath = files.find((f) => f.endsWith('/000001-declared.json'))!;
    const declared = JSON.parse(gitx(ws.repo, ['show', `${HOST_REF}:${declaredPath}`])) as Record<string, unknown> & { sessionId: string };
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sessionId = `bg-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-0badc0de`;
    const forged: Record<string, unknown> = { ...declared, sessionId, at: iso };
    delete forged.hash;
    forged.hash = computeRecordHash(forged);
    const forgedPath = `sessions/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${sessionId}/000001-declared.json`;
    const stamp = { name: 'Ada Lovelace', email: 'ada@example.com', seconds: Math.floor(at.getTime() / 1000) };
    const committer = await RecordCommitter.open(new Git(ws.repo));
    const forgedCommit = await committer.append({ ref: HOST_REF, parent: saved, path: forgedPath, content: `${JSON.stringify(forged, null, 2)}\n`, message: 'breakglass: declared', author: stamp, committer: stamp },
      agentSigner(people.ada.key.publicKey, { agentSocket: people.ada.agent.socket }));
    try {
      const v = await verify();
      expect(v.code).toBe(1);
      expect(v.report.problems).toEqual([expect.objectContaining({
        sessionId, seq: 1, path: forgedPath, commit: forgedCommit.commit,
        message: expect.stringContaining(`signed by key ${people.ada.key.publicKey.fingerprint} of person "ada", revoked at the commit's time`),
      })]);
    } finally {
      gitx(ws.repo, ['update-ref', HOST_REF, saved]);
    }
  });

  it('history re-hashed by fast-export | fast-import fails verify for every record, and a rebuilt roster fails the pinned anchor', async () => {
    const copy = path.join(ws.dir, 'rebuilt.git');
    gitx(ws.dir, ['init', '-q', '--bare', '-b', 'main', copy]);
    const stream = spawnSync('git', ['fast-export', '--signed-tags=strip', 'main', HOST_REF], { cwd: ws.repo });
    const imported = spawnSync('git', ['fast-import', '--quiet'], { cwd: copy, input: stream.stdout });
    expect(imported.status, String(imported.stderr)).toBe(0);
    expect(stream.status, String(stream.stderr)).toBe(0);
    const r = await runCli(['--repo', copy, 'verify', '--json', '--anchor', anchor], { env: ws.env });
    const report = JSON.parse(r.stdout) as VerifyResult;
    expect(r.code).toBe(1);
    const messages = report.problems.map((p) => p.message);
    expect(messages).toContain(`The roster's trust anchor is commit ${report.signatures!.anchor}, not the pinned ${anchor}: the history was rebuilt from another roster.`);
    // Declared (1) and closed (2) on the session's chain, and the review: the host's first review of the session (1, issue 14).
    expect(report.problems.filter((p) => /record is not signed/.test(p.message)).map((p) => [p.seq, p.path?.split('/').pop()])).toEqual([[1, '000001-declared.json'], [2, '000002-closed.json'], [1, 'review-test-host-000001.json']]);
  });
});
