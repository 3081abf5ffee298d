import { describe, expect, it } from 'vitest';
import { declaration, git } from '../../support/cli';
import { lastJson } from '../../support/cliProcess';
import type { LogEntry, PushJson, SessionJson, VerifyJson } from '../../support/cliJson';
import { createEvidenceRepo, expectExit } from '../../support/evidenceRepo';
import { scratchFolder } from '../../support/scratch';
import { cliHost } from '../../support/cliHost';

/**
 * Issue 14, "existing repositories migrate": a remote whose evidence is on the single shared
 * branch (as the console wrote it before per-host refs) keeps verifying; a host that wrote there
 * moves to its own ref with its next record, which a `layout-migrated` journal record announces;
 * its open session's chain continues across the move; and a host still on the old layout can go
 * on writing the shared branch while new hosts write their own refs, on one remote.
 */

const { dir: tmp, fresh, json } = scratchFolder('bg-layout-move-');

const host = (id: string, repo: string) => cliHost({ fresh, json }, id, repo);

/**
 * Puts a host's records where the console before issue 14 wrote them: its own ref's commits (one
 * record each, on top of the organisation's root, authored by the record's actor) become the shared
 * branch, and the own ref is gone. That is the old layout commit for commit.
 */
function asSharedBranch(repo: string, hostId: string): void {
  const tip = git(repo, ['rev-parse', `refs/heads/hosts/${hostId}`]);
  git(repo, ['update-ref', 'refs/heads/main', tip]);
  git(repo, ['update-ref', '-d', `refs/heads/hosts/${hostId}`]);
}

describe('moving from the shared branch to per-host refs (issue 14)', () => {
  it('an old repository verifies; its host moves on its next record with a journal note; old and new hosts share the remote', async () => {
    // A host on the old layout: a session declared and noted on the shared branch, then published.
    const old = host('host-old', fresh('old'));
    await createEvidenceRepo(old.repo, fresh('data-init'));
    const d = lastJson<SessionJson>(expectExit(await old.cli('declare', '--file', json('d-old', declaration({ incidentId: 'INC-4100' }))), 0, 'old declare'));
    expectExit(await old.cli('note', 'before the move'), 0, 'old note');
    asSharedBranch(old.repo, old.id);
    const remote = fresh('remote.git');
    git(tmp, ['clone', '--quiet', '--bare', old.repo, remote]);
    expect(git(remote, ['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
    const sharedTip = git(remote, ['rev-parse', 'main']);

    // The old repository as it is verifies clean: the records on the shared branch are read.
    const before = await old.cli('verify');
    expect(lastJson<VerifyJson>(before).problems).toEqual([]);
    expect(before.code).toBe(0);

    // The host's next record: the journal says it moved, then the note continues the session's chain on its own ref.
    expectExit(await old.cli('remote', 'set', remote), 0, 'remote set');
    expectExit(await old.cli('note', '--session', d.sessionId, 'after the move'), 0, 'old note after the move');
    const pushed = await old.cli('push');
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(lastJson<PushJson>(pushed).state).toBe('synced');
    // Nothing on the shared branch was rewritten: it is where the old layout left it.
    expect(git(remote, ['rev-parse', 'main'])).toBe(sharedTip);
    expect(git(remote, ['merge-base', '--is-ancestor', sharedTip, 'refs/heads/hosts/host-old'])).toBe('');

    // A new host joins the same remote and declares on its own ref.
    const fresh1 = host('host-new', fresh('new'));
    git(tmp, ['clone', '--quiet', '--bare', remote, fresh1.repo]);
    const n = lastJson<SessionJson>(expectExit(await fresh1.cli('declare', '--file', json('d-new', declaration({ incidentId: 'INC-4101' }))), 0, 'new declare'));
    expectExit(await fresh1.cli('push'), 0, 'new push');

    // A host still running the old layout writes the shared branch meanwhile (fast-forward, as it always did).
    const legacy = host('host-legacy', fresh('legacy'));
    git(tmp, ['clone', '--quiet', '--bare', remote, legacy.repo]);
    const l = lastJson<SessionJson>(expectExit(await legacy.cli('declare', '--file', json('d-legacy', declaration({ incidentId: 'INC-4102' }))), 0, 'legacy declare'));
    asSharedBranch(legacy.repo, legacy.id);
    git(legacy.repo, ['push', '--quiet', remote, 'refs/heads/main:refs/heads/main']);

    // An auditor's plain clone: all three sessions, the move announced, the chain unbroken, verify clean.
    const auditor = host('auditor', fresh('auditor'));
    git(tmp, ['clone', '--quiet', remote, auditor.repo]);
    const sessions = lastJson<SessionJson[]>(expectExit(await auditor.cli('log'), 0, 'auditor log'));
    expect(sessions.map((s) => s.sessionId).sort()).toEqual([d.sessionId, n.sessionId, l.sessionId].sort());
    const timeline = lastJson<LogEntry[]>(expectExit(await auditor.cli('log', '--session', d.sessionId), 0, 'old session timeline'));
    expect(timeline.map((e) => [e.seq, e.type])).toEqual([[1, 'declared'], [2, 'note'], [3, 'note']]);
    // The first two records are on the shared branch, the third on the host's own ref.
    const onShared = new Set(git(auditor.repo, ['rev-list', 'origin/main']).split('\n'));
    expect(timeline.map((e) => onShared.has(e.commit))).toEqual([true, true, false]);
    const journal = lastJson<LogEntry[]>(expectExit(await auditor.cli('log', '--session', 'journal-host-old'), 0, 'journal'));
    expect(journal.map((e) => String((e.record.payload as { text?: string }).text ?? ''))).toEqual([expect.stringContaining('layout-migrated (issue 14): from this record on, host host-old writes its records only on refs/heads/hosts/host-old')]);
    const v = await auditor.cli('verify');
    const report = lastJson<VerifyJson>(v);
    expect(report.problems).toEqual([]);
    expect(v.code).toBe(0);
    expect(report.records).toBe(3 + 1 + 1 + 1); // the old session, the journal note, the new host's and the legacy host's declarations
  }, 300_000);

  it('a host that merged the shared branch before it moved is not flagged for that merge: only merges after its move are', async () => {
    // Host A on the old layout publishes; host B (old layout too) adds to the shared branch.
    const a = host('host-a', fresh('a'));
    await createEvidenceRepo(a.repo, fresh('data-a'));
    expectExit(await a.cli('declare', '--file', json('d-a', declaration({ incidentId: 'INC-4200' }))), 0, 'a declare');
    asSharedBranch(a.repo, a.id);
    const remote = fresh('remote-merge.git');
    git(tmp, ['clone', '--quiet', '--bare', a.repo, remote]);
    const b = host('host-b', fresh('b'));
    git(tmp, ['clone', '--quiet', '--bare', remote, b.repo]);
    expectExit(await b.cli('declare', '--file', json('d-b', declaration({ incidentId: 'INC-4201', environment: 'pre-production' }))), 0, 'b declare');
    asSharedBranch(b.repo, b.id);
    git(b.repo, ['push', '--quiet', remote, 'refs/heads/main:refs/heads/main']);

    // A, still on the old layout, joined B's records with a merge on its local shared branch, as
    // the console before issue 14 did; the remote's main never got that merge.
    git(a.repo, ['fetch', '--quiet', remote, '+refs/heads/main:refs/remotes/origin/main']);
    const theirs = git(a.repo, ['rev-parse', 'refs/remotes/origin/main']);
    const mine = git(a.repo, ['rev-parse', 'refs/heads/main']);
    const merge = git(a.repo, ['commit-tree', `${theirs}^{tree}`, '-p', mine, '-p', theirs, '-m', 'Merge the shared branch']);
    git(a.repo, ['update-ref', 'refs/heads/main', merge]);

    // A upgrades: its next record moves it to its own ref, which starts above that merge, and it pushes.
    expectExit(await a.cli('remote', 'set', remote), 0, 'a remote set');
    expectExit(await a.cli('note', 'after the move'), 0, 'a note after the move');
    expectExit(await a.cli('push'), 0, 'a push');
    expect(git(remote, ['merge-base', '--is-ancestor', merge, 'refs/heads/hosts/host-a'])).toBe('');
    expect(() => git(remote, ['merge-base', '--is-ancestor', merge, 'refs/heads/main'])).toThrow();

    // An auditor's clone: the merge below the move follows the old rules; no finding.
    const auditor = host('auditor-2', fresh('auditor-2'));
    git(tmp, ['clone', '--quiet', remote, auditor.repo]);
    const v = await auditor.cli('verify', '--full');
    expect(lastJson<VerifyJson>(v).problems).toEqual([]);
    expect(v.code).toBe(0);
  }, 300_000);
});
