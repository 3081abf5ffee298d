import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizeRecordSigner } from '../../../app/roster/lookup';
import { recordPath } from '../../../app/records';
import { Git } from '../../../main/git';
import { verifyCommitSignature, verifyCommitSignatures } from '../../../main/signing/commitSignature';
import { RecordCommitter, type RecordCommitRequest } from '../../../main/signing/recordCommit';
import { agentSigner } from '../../../main/signing/signer';
import { SignatureCheckPool } from '../../../main/signing/verifyPool';
import { SshToolFailure } from '../../../main/signing/sshTools';
import { git, gitVerifyCommit, inProcessVerdict, mustParseRoster, rawCommit, rosterYaml, peoplePerFile, writeAllowedSigners } from '../../support/signingKit';

// Issue 15, "How it is checked": the in-process verifier agrees with `git verify-commit` (using
// the allowed_signers file generated from the roster) on signed, unsigned, wrong-key and
// tampered commits; impersonation fails; a revoked key's later commits fail, earlier ones stand.

const kit = peoplePerFile('bg-signed-commits-');
const BRANCH = 'refs/heads/main';
const SESSION = 'bg-20261128-094826-0a1b2c3d';
const T0 = Date.parse('2026-11-28T09:48:26Z') / 1000;

function newRepo(name: string, format: 'sha1' | 'sha256' = 'sha1'): string {
  const repo = path.join(kit.dir, name);
  git(kit.dir, ['init', '-q', '--bare', `--object-format=${format}`, repo]);
  return repo;
}

function request(parent: string | null, seq: number, actor: { name: string; email: string }, seconds: number, type = 'note'): RecordCommitRequest {
  const file = recordPath({ sessionId: SESSION, seq, type: type as 'note' }, '2026-11-28T09:48:26.000Z');
  return {
    ref: BRANCH, parent, path: file,
    content: `${JSON.stringify({ seq, type, actor, text: `record ${seq}` }, null, 2)}\n`,
    message: `breakglass(${SESSION}): ${type}\n\nBreakglass-Session: ${SESSION}\n`,
    author: { ...actor, seconds }, committer: { ...actor, seconds },
  };
}

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
const GRACE = { name: 'Grace Hopper', email: 'grace@example.com' };

describe('in-process verification agrees with git verify-commit', () => {
  it('on signed, unsigned, wrong-key, tampered and git-made commits', async () => {
    const repo = newRepo('agree.git');
    const roster = mustParseRoster(rosterYaml(kit.people));
    const signers = writeAllowedSigners(kit.dir, roster);
    const committer = await RecordCommitter.open(new Git(repo));
    const ada = agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket });
    const mallory = agentSigner(kit.people.mallory.key.publicKey, { agentSocket: kit.people.mallory.agent.socket });

    const signed = (await committer.append(request(null, 1, ADA, T0, 'declared'), ada)).commit;
    const byOutsider = (await committer.append(request(signed, 2, ADA, T0 + 60), mallory)).commit;
    const tree = git(repo, ['rev-parse', `${byOutsider}^{tree}`]);
    const unsigned = git(repo, ['commit-tree', tree, '-p', byOutsider, '-m', 'unsigned'], undefined, { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada Lovelace', GIT_COMMITTER_EMAIL: 'ada@example.com' });
    // Tampered: the signed commit with its message changed, written as a new object.
    const tampered = git(repo, ['hash-object', '-t', 'commit', '-w', '--stdin'], rawCommit(repo, signed).toString('utf8').replace('breakglass(', 'breakglass!('));
    // git's own `commit-tree -S` through Ada's agent: our split of the payload must match git's.
    const byGit = git(repo, ['-c', 'gpg.format=ssh', '-c', `user.signingKey=key::${kit.people.ada.key.publicKey.line}`, 'commit-tree', '-S', tree, '-p', unsigned, '-m', 'signed by git'], undefined, {
      SSH_AUTH_SOCK: kit.people.ada.agent.socket, GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada Lovelace', GIT_COMMITTER_EMAIL: 'ada@example.com', GIT_COMMITTER_DATE: `${T0 + 120} +0000`,
    });

    const expected = { signed: true, byOutsider: false, unsigned: false, tampered: false, byGit: true };
    const commits = { signed, byOutsider, unsigned, tampered, byGit };
    for (const [name, commit] of Object.entries(commits)) {
      const viaGit = gitVerifyCommit(repo, commit, signers).ok;
      const inProcess = inProcessVerdict(rawCommit(repo, commit), roster);
      expect({ name, viaGit, inProcess }).toEqual({ name, viaGit: expected[name as keyof typeof expected], inProcess: expected[name as keyof typeof expected] });
    }
    expect(verifyCommitSignature(rawCommit(repo, unsigned))).toMatchObject({ status: 'unsigned' });
    expect(verifyCommitSignature(rawCommit(repo, tampered))).toMatchObject({ status: 'invalid', reason: 'bad-signature' });
    expect(verifyCommitSignature(rawCommit(repo, byOutsider), { expectedFingerprint: kit.people.ada.key.publicKey.fingerprint })).toMatchObject({ status: 'invalid', reason: 'wrong-key' });
    // The batch reader (cat-file --batch) gives the same verdicts as one-by-one.
    const batch = await verifyCommitSignatures(new Git(repo), Object.values(commits));
    expect(batch.map((b) => b.check.status)).toEqual(['valid', 'valid', 'unsigned', 'invalid', 'valid']);
    // …and so does the worker-thread path that long histories take.
    const pool = new SignatureCheckPool(2);
    const pooled = await verifyCommitSignatures(new Git(repo), Object.values(commits), { pool, chunk: 2 });
    await pool.close();
    expect(pooled).toEqual(batch);
  });

  it("splits the payload exactly as git: another hash's signature header is not signed, any other added header is", async () => {
    const repo = newRepo('split.git');
    const roster = mustParseRoster(rosterYaml(kit.people));
    const signers = writeAllowedSigners(kit.dir, roster, 'allowed_signers_split');
    const committer = await RecordCommitter.open(new Git(repo));
    const { commit } = await committer.append(request(null, 1, ADA, T0, 'declared'), agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket }));
    const raw = rawCommit(repo, commit).toString('utf8');
    const withHeader = (header: string) => git(repo, ['hash-object', '-t', 'commit', '-w', '--stdin', '--literally'], raw.replace('\ngpgsig ', `\n${header}\ngpgsig `));
    const otherHash = withHeader('gpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----');
    const extra = withHeader('encoding ISO-8859-1');
    for (const [c, valid] of [[otherHash, true], [extra, false]] as const) {
      expect({ c, git: gitVerifyCommit(repo, c, signers).ok, inProcess: inProcessVerdict(rawCommit(repo, c), roster) }).toEqual({ c, git: valid, inProcess: valid });
    }
  });

  it('git log --show-signature with the roster-generated allowed_signers says Good for the named person', async () => {
    const repo = newRepo('log.git');
    const roster = mustParseRoster(rosterYaml(kit.people));
    const signers = writeAllowedSigners(kit.dir, roster, 'allowed_signers_log');
    const committer = await RecordCommitter.open(new Git(repo));
    const first = await committer.append(request(null, 1, ADA, T0, 'declared'), agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket }));
    await committer.append({ ...request(first.commit, 2, GRACE, T0 + 86_400, 'reviewed') }, agentSigner(kit.people.grace.key.publicKey, { agentSocket: kit.people.grace.agent.socket }));
    const log = git(repo, ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signers}`, 'log', '--show-signature', 'main']);
    expect(log).toContain(`Good "git" signature for ada@example.com with ED25519 key ${kit.people.ada.key.publicKey.fingerprint}`);
    expect(log).toContain(`Good "git" signature for grace@example.com with ECDSA key ${kit.people.grace.key.publicKey.fingerprint}`);
    expect(log).not.toMatch(/BAD signature|No principal matched/);
  });

  it('works the same in a SHA-256 repository (gpgsig-sha256 header)', async () => {
    const repo = newRepo('sha256.git', 'sha256');
    const roster = mustParseRoster(rosterYaml(kit.people));
    const signers = writeAllowedSigners(kit.dir, roster, 'allowed_signers_256');
    const committer = await RecordCommitter.open(new Git(repo));
    expect(committer.format).toBe('sha256');
    const { commit } = await committer.append(request(null, 1, ADA, T0, 'declared'), agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket }));
    expect(commit).toHaveLength(64);
    expect(rawCommit(repo, commit).toString()).toContain('\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----');
    expect(gitVerifyCommit(repo, commit, signers).ok).toBe(true);
    expect(inProcessVerdict(rawCommit(repo, commit), roster, 'sha256')).toBe(true);
    expect(verifyCommitSignature(rawCommit(repo, commit), { format: 'sha1' }).status).toBe('unsigned');
  });
});

describe('impersonation', () => {
  it("Ada's key cannot produce a signature that verifies as Grace", async () => {
    const repo = newRepo('impersonation.git');
    const roster = mustParseRoster(rosterYaml(kit.people));
    const signers = writeAllowedSigners(kit.dir, roster, 'allowed_signers_imp');
    const committer = await RecordCommitter.open(new Git(repo));
    const declared = await committer.append(request(null, 1, ADA, T0, 'declared'), agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket }));

    // 1. Asking Ada's agent to sign with Grace's key: the agent does not hold it; nothing is committed.
    const asGrace = agentSigner(kit.people.grace.key.publicKey, { agentSocket: kit.people.ada.agent.socket });
    await expect(asGrace.sign(Buffer.from('x'))).rejects.toMatchObject({ name: 'SshToolFailure', reason: 'key-not-in-agent' });
    await expect(committer.append(request(declared.commit, 2, GRACE, T0 + 86_400, 'reviewed'), asGrace)).rejects.toMatchObject({ code: 'evidence-not-committed' });
    expect(git(repo, ['rev-parse', 'main'])).toBe(declared.commit);

    // 2. A review naming Grace, signed with Ada's own key: git says Good — for ada@example.com — and the roster refuses it.
    const forged = await committer.append(request(declared.commit, 2, GRACE, T0 + 86_400, 'reviewed'), agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket }));
    const viaGit = gitVerifyCommit(repo, forged.commit, signers);
    expect(viaGit.output).toContain('for ada@example.com');
    expect(viaGit.output).not.toContain('signature for grace@example.com');
    const check = verifyCommitSignature(rawCommit(repo, forged.commit));
    expect(check.status).toBe('valid');
    const verdict = authorizeRecordSigner(roster, {
      record: { type: 'reviewed', sessionId: SESSION, actor: GRACE, host: { id: 'ws-1' } },
      fingerprint: check.status === 'valid' ? check.key.fingerprint : null,
      atMs: T0 * 1000,
      operator: { person: ADA, fingerprints: [kit.people.ada.key.publicKey.fingerprint] },
    });
    expect(verdict).toMatchObject({ ok: false, finding: { code: 'wrong-person', fingerprint: kit.people.ada.key.publicKey.fingerprint } });

    // 3. Grace's public key spliced into a signature Ada made: it verifies for nobody.
    const raw = rawCommit(repo, forged.commit).toString('utf8');
    const adaBlob = Buffer.from(kit.people.ada.key.publicKey.blob);
    const lines = raw.split('\n');
    const start = lines.findIndex((l) => l.startsWith('gpgsig '));
    const end = lines.findIndex((l, i) => i > start && l.includes('END SSH SIGNATURE'));
    const body = lines.slice(start + 1, end).map((l) => l.trim()).join('');
    const blob = Buffer.from(body, 'base64');
    const at = blob.indexOf(adaBlob);
    expect(at).toBeGreaterThan(0);
    // Same-length splice is only possible for a key of the same type: use Mallory's ed25519 key, then list Mallory as Grace.
    const spliced = Buffer.concat([blob.subarray(0, at), Buffer.from(kit.people.mallory.key.publicKey.blob), blob.subarray(at + adaBlob.length)]);
    const rebuilt = [...lines.slice(0, start), `gpgsig -----BEGIN SSH SIGNATURE-----`, ...spliced.toString('base64').match(/.{1,70}/g)!.map((l) => ` ${l}`), ...lines.slice(end)].join('\n');
    const splicedCommit = git(repo, ['hash-object', '-t', 'commit', '-w', '--stdin'], rebuilt);
    const graceIsMallory = mustParseRoster(rosterYaml(kit.people).replace(kit.people.grace.key.line, kit.people.mallory.key.line));
    const signers2 = writeAllowedSigners(kit.dir, graceIsMallory, 'allowed_signers_imp2');
    expect(gitVerifyCommit(repo, splicedCommit, signers2).ok).toBe(false);
    expect(inProcessVerdict(rawCommit(repo, splicedCommit), graceIsMallory)).toBe(false);
    expect(verifyCommitSignature(rawCommit(repo, splicedCommit))).toMatchObject({ status: 'invalid', reason: 'bad-signature' });
  });

  it('a signer failure leaves the branch where it was', async () => {
    const repo = newRepo('fail-closed.git');
    const committer = await RecordCommitter.open(new Git(repo));
    const dead = agentSigner(kit.people.ada.key.publicKey, { agentSocket: path.join(kit.dir, 'no-such-agent.sock') });
    const failure = await committer.append(request(null, 1, ADA, T0, 'declared'), dead).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'evidence-not-committed' });
    expect((failure as Error).message).toContain('No ssh-agent answers');
    expect((failure as Error).cause).toBeInstanceOf(SshToolFailure);
    expect(git(repo, ['for-each-ref'])).toBe('');
  });
});

describe('validity windows and revocation', () => {
  it("a revoked key's later commits fail while its earlier ones stay valid — in git and in-process, to the second", async () => {
    const repo = newRepo('revoked.git');
    const revokedAt = T0 + 3600;
    const roster = mustParseRoster(rosterYaml(kit.people, {
      validAfter: new Date((T0 - 86_400) * 1000).toISOString().replace('.000', ''),
      revoked: { at: new Date(revokedAt * 1000).toISOString().replace('.000', ''), reason: 'Laptop lost' },
    }));
    const signers = writeAllowedSigners(kit.dir, roster, 'allowed_signers_rev');
    const committer = await RecordCommitter.open(new Git(repo));
    const ada = agentSigner(kit.people.ada.key.publicKey, { agentSocket: kit.people.ada.agent.socket });
    const cases: Array<[string, number, boolean]> = [
      ['before the window', T0 - 86_400 - 1, false],
      ['first second of the window', T0 - 86_400, true],
      ['an hour before revocation', revokedAt - 3600, true],
      ['the last second before revocation', revokedAt - 1, true],
      ['the second of revocation', revokedAt, false],
      ['a day after revocation', revokedAt + 86_400, false],
    ];
    let parent: string | null = null;
    for (const [i, [what, seconds, valid]] of cases.entries()) {
      const { commit }: { commit: string } = await committer.append(request(parent, i + 1, ADA, seconds), ada);
      parent = commit;
      expect({ what, git: gitVerifyCommit(repo, commit, signers).ok, inProcess: inProcessVerdict(rawCommit(repo, commit), roster) }).toEqual({ what, git: valid, inProcess: valid });
    }
  });
});
