import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSURE, REVIEW, declaration, git } from '../../support/cli';
import { lastJson } from '../../support/cliProcess';
import type { LogEntry, PushJson, SessionJson, VerifyJson } from '../../support/cliJson';
import { createEvidenceRepo, expectExit, revList, servedEvidenceRemote } from '../../support/evidenceRepo';
import { scratchFolder } from '../../support/scratch';
import { cliHost } from '../../support/cliHost';

/**
 * Issue 14: many hosts, one remote. Each host is its own evidence repository with its own
 * BREAKGLASS_HOST_ID, driven through the real CLI; the remote is served by a real `git daemon` on
 * 127.0.0.1. Each host pushes only refs/heads/hosts/<id>, so pushes at the same moment never race:
 * one push per host delivers everything, no host reports a failure, and nobody retries.
 * Issue 12 item 1: a plain `git clone` of the remote (HEAD naming a branch that does not exist) is a
 * complete --repo, and reading it writes nothing.
 */

const { dir: tmp, fresh, json } = scratchFolder('bg-many-hosts-');
const HOSTS = 8;

const host = (id: string, repo: string) => cliHost({ fresh, json }, id, repo);

/** Everything in a repository that a read could change: refs, local config, objects. */
function footprint(repo: string): string {
  return [git(repo, ['for-each-ref']), git(repo, ['config', '--local', '--list']), git(repo, ['count-objects', '-v'])].join('\n');
}

describe(`${HOSTS} hosts pushing at the same moment through git daemon`, () => {
  const served = servedEvidenceRemote(fresh, 'hosts');

  it('every record reaches the remote after ONE push per host, no failure, ids unchanged, and a fresh clone verifies clean', async () => {
    const url = served.daemon.url('org.git');
    const hosts = Array.from({ length: HOSTS }, (_, i) => host(`host-${i + 1}`, fresh(`h${i + 1}`)));
    for (const h of hosts) git(tmp, ['clone', '--quiet', '--bare', url, h.repo]);
    // Each host declares and adds a note (hosts side by side, as during a large incident).
    const written = new Map<string, string[]>();
    await Promise.all(hosts.map(async (h, i) => {
      const d = lastJson<SessionJson>(expectExit(await h.cli('declare', '--file', json(`d-${h.id}`, declaration({ incidentId: `INC-${5000 + i}` }))), 0, `${h.id} declare`));
      const n = lastJson<{ commit: string }>(expectExit(await h.cli('note', `${h.id}: working.`), 0, `${h.id} note`));
      written.set(h.id, [d.commit!, n.commit]);
    }));

    // One push per host, all at once; nothing is retried.
    const pushes = await Promise.all(hosts.map((h) => h.cli('push')));
    pushes.forEach((r, i) => {
      expect(r.code, `${hosts[i]!.id}: ${r.stdout} ${r.stderr}`).toBe(0);
      expect(lastJson<PushJson>(r).state).toBe('synced');
    });

    const remote = path.join(served.base, 'org.git');
    const onRemote = new Set(revList(remote));
    for (const h of hosts) {
      for (const c of written.get(h.id)!) expect(onRemote.has(c), `${h.id} commit ${c} on the remote`).toBe(true);
      // The remote's copy of the host's ref is exactly its local one: same commit ids.
      expect(git(remote, ['rev-parse', `refs/heads/hosts/${h.id}`])).toBe(git(h.repo, ['rev-parse', `refs/heads/hosts/${h.id}`]));
    }
    // Nothing was merged anywhere and nobody wrote the organisation branch.
    expect(git(remote, ['rev-list', '--merges', '--all'])).toBe('');

    // A fresh plain clone is a complete --repo: every session, and verify is clean.
    const auditor = host('auditor', fresh('auditor'));
    git(tmp, ['clone', '--quiet', url, auditor.repo]);
    const sessions = lastJson<SessionJson[]>(expectExit(await auditor.cli('log'), 0, 'auditor log'));
    expect(sessions).toHaveLength(HOSTS);
    const v = await auditor.cli('verify');
    const report = lastJson<VerifyJson>(v);
    expect(report.problems).toEqual([]);
    expect(v.code).toBe(0);
    expect(report.records).toBe(2 * HOSTS);
    expect(report.sessions).toBe(HOSTS);
  }, 600_000);
});

describe('two reviewers on two hosts review one session at the same moment (issue 14)', () => {
  const served = servedEvidenceRemote(fresh, 'reviews');

  it('both reviews land with one push each, neither overwrites the other, both are shown and the stricter is in force', async () => {
    const url = served.daemon.url('org.git');
    const op = host('host-op', fresh('op'));
    git(tmp, ['clone', '--quiet', '--bare', url, op.repo]);
    const d = lastJson<SessionJson>(expectExit(await op.cli('declare', '--file', json('d-op', declaration())), 0, 'declare'));
    expectExit(await op.cli('close', '--session', d.sessionId, '--file', json('closure', CLOSURE)), 0, 'close');
    expectExit(await op.cli('push'), 0, 'operator push');

    const reviewers = [
      { h: host('host-r1', fresh('r1')), review: REVIEW },
      { h: host('host-r2', fresh('r2')), review: { ...REVIEW, reviewer: { name: 'Linus Torvalds', email: 'linus@example.com' }, outcome: 'justified-with-findings', findings: 'The lock alert was missing.' } },
    ];
    for (const r of reviewers) git(tmp, ['clone', '--quiet', '--bare', url, r.h.repo]);
    // Both reviewers submit, then push, at the same moment: neither has seen the other's review.
    const submitted = await Promise.all(reviewers.map((r) => r.h.cli('review', '--session', d.sessionId, '--file', json(`review-${r.h.id}`, r.review))));
    submitted.forEach((r, i) => expectExit(r, 0, `${reviewers[i]!.h.id} review`));
    const pushes = await Promise.all(reviewers.map((r) => r.h.cli('push')));
    pushes.forEach((r, i) => {
      expect(r.code, `${reviewers[i]!.h.id}: ${r.stdout} ${r.stderr}`).toBe(0);
      expect(lastJson<PushJson>(r).state).toBe('synced');
    });

    // Each review is a file of its own, on its reviewer's host's ref: two paths, never the same one.
    const auditor = host('auditor', fresh('auditor-reviews'));
    git(tmp, ['clone', '--quiet', url, auditor.repo]);
    const timeline = lastJson<LogEntry[]>(expectExit(await auditor.cli('log', '--session', d.sessionId), 0, 'auditor log'));
    const reviews = timeline.filter((e) => e.type === 'reviewed');
    expect(reviews.map((e) => e.path.split('/').pop()).sort()).toEqual(['review-host-r1-000001.json', 'review-host-r2-000001.json']);
    expect(reviews.map((e) => e.actor.email).sort()).toEqual(['grace@example.com', 'linus@example.com']);
    // The stricter outcome is the one in force; the report shows both reviews.
    const status = lastJson<Array<SessionJson & { reviewOutcome: string | null }>>(expectExit(await auditor.cli('log'), 0, 'auditor sessions'));
    expect(status.find((s) => s.sessionId === d.sessionId)).toMatchObject({ phase: 'reviewed', reviewOutcome: 'justified-with-findings' });
    const report = expectExit(await auditor.cli('report', '--session', d.sessionId, '--format', 'md'), 0, 'auditor report');
    expect(report.stdout).toContain('Grace Hopper');
    expect(report.stdout).toContain('Linus Torvalds');
    expect(report.stdout).toContain('The lock alert was missing.');
    const v = await auditor.cli('verify');
    expect(lastJson<VerifyJson>(v).problems).toEqual([]);
    expect(v.code).toBe(0);
  }, 300_000);
});

describe('a commander\'s plain `git clone` of a remote whose HEAD names master (issue 12 item 1)', () => {
  it('shows and verifies every record, and log, verify and report write nothing', async () => {
    const remote = fresh('remote.git');
    git(tmp, ['init', '--quiet', '--bare', '--initial-branch=master', remote]);
    const a = host('host-a', fresh('a'));
    await createEvidenceRepo(a.repo, fresh('data-init'));
    const d = lastJson<SessionJson>(expectExit(await a.cli('declare', '--file', json('d-a', declaration())), 0, 'declare'));
    expectExit(await a.cli('remote', 'set', remote), 0, 'remote set');
    expectExit(await a.cli('push'), 0, 'push');

    const commander = host('commander', fresh('commander'));
    git(tmp, ['clone', '--quiet', remote, commander.repo]);
    // git's own clone found no branch to check out: there is no local branch at all.
    expect(git(commander.repo, ['for-each-ref', 'refs/heads/'])).toBe('');
    const before = footprint(commander.repo);

    const sessions = lastJson<SessionJson[]>(expectExit(await commander.cli('log'), 0, 'commander log'));
    expect(sessions.map((s) => s.sessionId)).toEqual([d.sessionId]);
    const v = await commander.cli('verify');
    const report = lastJson<VerifyJson>(v);
    expect(report.problems).toEqual([]);
    expect(v.code).toBe(0);
    expect(report.records).toBe(1);
    expectExit(await commander.cli('report', '--session', d.sessionId), 0, 'commander report');

    // Reading never wrote: no commit, no ref, no configuration.
    expect(footprint(commander.repo)).toBe(before);
    expect(git(commander.repo, ['for-each-ref', 'refs/heads/'])).toBe('');
  }, 180_000);
});
