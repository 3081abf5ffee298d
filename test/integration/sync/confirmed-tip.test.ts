import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, runCli } from '../../support/cli';
import { lastJson } from '../../support/cliProcess';
import { createEvidenceRepo, expectExit, gitRaw } from '../../support/evidenceRepo';
import type { PushJson, VerifyJson } from '../../support/cliJson';
import { scratchFolder } from '../../support/scratch';
import { cliHost } from '../../support/cliHost';

/**
 * Issue 16: the remote-tracking ref of this host's own ref is the operator's to move or delete
 * (`git update-ref`), so it cannot be what says a rewrite never happened. The sync state keeps the
 * commit the remote confirmed (the push it accepted, the fetch that brought it): the push state
 * and verify compare with that too. Real CLI, real git, a bare remote at a path.
 */

const { dir: tmp, fresh, json } = scratchFolder('bg-confirmed-tip-');

const ID = 'host-a';
const OWN = `refs/heads/hosts/${ID}`;
const TRACKING = `refs/remotes/origin/hosts/${ID}`;
/** verify's exit code when it finds a problem (main/cli/output.ts EXIT.refused). */
const EXIT_REFUSED = 1;

function host(repo: string) {
  const h = cliHost({ fresh, json }, ID, repo);
  return {
    ...h,
    async note(text: string): Promise<string> {
      return lastJson<{ commit: string }>(expectExit(await h.cli('note', text), 0, 'note')).commit;
    },
    /** `verify` (JSON), which must fail. */
    async verifyFailing(...args: string[]): Promise<VerifyJson> {
      const r = await h.cli('verify', ...args);
      expect(r.code, r.stdout + r.stderr).toBe(EXIT_REFUSED);
      return lastJson<VerifyJson>(r);
    },
    /** `verify` without --json: the lines a person reads. */
    async verifyText(...args: string[]): Promise<string> {
      return (await runCli(['--repo', repo, 'verify', ...args], { env: h.env })).stdout;
    },
  };
}

function syncState(repo: string): { confirmedOwnTip: string | null; confirmedAt: string | null; confirmedHostId: string | null; lastPushAt: string | null } {
  return JSON.parse(readFileSync(path.join(gitRaw(repo, ['rev-parse', '--absolute-git-dir']).trim(), 'breakglass-outbox.json'), 'utf8'));
}

/** A host with two notes pushed to a new bare remote; returns it with the pushed tip and the record file the last note added. */
async function pushedHost() {
  const remote = fresh('remote.git');
  git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const h = host(fresh('a'));
  await createEvidenceRepo(h.repo, fresh('data-init'));
  await h.declare();
  await h.note('Took the state lock backup.');
  const tip = await h.note('Released the stale lock.');
  expectExit(await h.cli('remote', 'set', remote), 0, 'remote set');
  expect(lastJson<PushJson>(expectExit(await h.cli('push'), 0, 'push')).state).toBe('synced');
  const lastRecord = gitRaw(h.repo, ['diff-tree', '--no-commit-id', '--name-only', '-r', tip, '--', 'sessions']).trim();
  return { h, remote, tip, lastRecord };
}

/** The operator's rewrite: the own ref back one record, and a different record written on it. */
async function rewrite(h: ReturnType<typeof host>, tip: string): Promise<string> {
  git(h.repo, ['update-ref', OWN, `${tip}~1`, tip]);
  return h.note('A different last note.');
}

describe('the commit the remote confirmed, not the tracking ref, says what was pushed', () => {
  it('a push records the commit the remote accepted; status is synced', async () => {
    const { h, remote, tip } = await pushedHost();
    const state = syncState(h.repo);
    expect(state.confirmedOwnTip).toBe(tip);
    expect(state.confirmedOwnTip).toBe(gitRaw(remote, ['rev-parse', OWN]).trim());
    expect(state.confirmedAt).toBe(state.lastPushAt);
    expect(state.confirmedHostId).toBe(OWN.replace('refs/heads/hosts/', ''));
    expect((await h.status()).push.state).toBe('synced');
    const ok = await h.verify();
    expect(ok.comparedWith).toContain(`sync state: confirmed ${tip.slice(0, 12)} at ${state.confirmedAt}`);
  });

  it('a tracking ref moved back by hand beside a local rewrite: not synced, and verify names the confirmed commit', async () => {
    const { h, tip, lastRecord } = await pushedHost();
    await rewrite(h, tip);
    git(h.repo, ['update-ref', TRACKING, `${tip}~1`]);
    const st = await h.status();
    expect(st.push.state).toBe('pending');
    expect(st.push.pending).toBe(1);
    const report = await h.verifyFailing();
    const confirmed = report.problems.find((p) => p.commit === tip);
    expect(confirmed?.message).toContain(`The remote confirmed commit ${tip} of this host's history at ${syncState(h.repo).confirmedAt} (last push/fetch), but local history does not contain it: it was rewritten.`);
    expect(confirmed?.path).toBe(lastRecord);
    expect(confirmed?.message).toContain(`First record removed or changed: ${lastRecord}.`);
    // The tracking ref, moved back to a commit the rewrite kept, shows nothing: the comparison with it passes.
    expect(report.problems).toHaveLength(1);
    expect(await h.verifyText()).toMatch(/^Offline: compared with the (last fetch at \S+|remote-tracking refs as they are \(no fetch recorded\)); verify --online fetches first\.$/m);
  });

  it('a rewrite that only drops pushed records (the own ref moved back, nothing written after) is never synced: the state is behind, in status and push', async () => {
    const { h, tip, lastRecord } = await pushedHost();
    git(h.repo, ['update-ref', OWN, `${tip}~2`, tip]);
    const st = await h.status();
    expect(st.push).toMatchObject({ state: 'behind', missing: 2, confirmed: tip });
    const text = (await runCli(['--repo', h.repo, 'status'], { env: h.env })).stdout;
    expect(text).toContain(`behind the remote: this host's history no longer holds 2 record(s) the remote confirmed (commit ${tip.slice(0, 12)})`);
    // A push cannot make it synced: the remote keeps the longer history, and the state stays behind.
    const pushed = await h.cli('push');
    expect(pushed.code).not.toBe(0);
    expect(lastJson<PushJson>(pushed).state).toBe('behind');
    const report = await h.verifyFailing();
    // The tracking ref still holds the pushed tip: its comparison names both dropped records.
    expect(report.problems).toHaveLength(2);
    expect(report.problems.find((p) => p.path === lastRecord)?.message).toBe('Record was pushed to origin/hosts/host-a but is missing from local history (history rewritten).');
    // The own ref deleted outright: every confirmed record is missing.
    git(h.repo, ['update-ref', '-d', OWN]);
    expect((await h.status()).push.state).toBe('behind');
  });

  it('a tracking ref moved onto the rewritten tip (which the old backlog took for pushed) does not make it synced', async () => {
    const { h, tip } = await pushedHost();
    const rewritten = await rewrite(h, tip);
    git(h.repo, ['update-ref', TRACKING, rewritten]);
    expect((await h.status()).push.state).toBe('pending');
    const report = await h.verifyFailing();
    expect(report.problems.map((p) => p.commit)).toEqual([tip]);
  });

  it('deleting the tracking ref does not hide the rewrite; verify --online fetches it back and reports', async () => {
    const { h, remote, tip, lastRecord } = await pushedHost();
    await rewrite(h, tip);
    git(h.repo, ['update-ref', '-d', TRACKING]);
    expect((await h.status()).push.state).toBe('pending');
    const offline = await h.verifyFailing();
    expect(offline.problems.map((p) => [p.commit, p.path])).toEqual([[tip, lastRecord]]);
    expect((offline.comparedWith ?? []).some((c) => c.startsWith(`sync state: confirmed ${tip.slice(0, 12)}`))).toBe(true);

    const online = await h.verifyFailing('--online');
    expect(online.remoteSource).toBe(`Online: fetched from ${remote} before comparing.`);
    expect(await h.verifyText('--online')).toContain(`\nOnline: fetched from ${remote} before comparing.`);
    // The fetch brought the remote's copy back: the tracking ref's comparison names the lost record.
    expect(gitRaw(h.repo, ['rev-parse', TRACKING]).trim()).toBe(tip);
    // (The different note took the lost one's sequence number, so its file is the same path, changed.)
    expect(online.problems.find((p) => p.path === lastRecord)?.message).toBe('Record differs from the copy already pushed to origin/hosts/host-a (history rewritten).');
    expect(online.comparedWith).toContain(TRACKING);
    // The fetch confirmed the same commit again; nothing moved it past the rewrite.
    expect(syncState(h.repo).confirmedOwnTip).toBe(tip);
  });

  it('verify --online with an unreachable remote says the fetch failed and compares with the last fetched tips', async () => {
    const { h, tip } = await pushedHost();
    await rewrite(h, tip);
    git(h.repo, ['config', 'remote.origin.url', path.join(tmp, 'no-such-remote.git')]);
    const report = await h.verifyFailing('--online');
    expect(report.remoteSource).toMatch(/^Online: the fetch failed \([a-z ]+\); compared with the last fetched tips\.$/);
    expect(report.problems.some((p) => p.commit === tip || /pushed to origin\/hosts\/host-a/.test(p.message))).toBe(true);
  });

  it('a state file from before issue 16 (no confirmed commit) still counts the tracking ref as confirmed; a fetch confirms the remote\'s tip', async () => {
    const { h, tip } = await pushedHost();
    const file = path.join(gitRaw(h.repo, ['rev-parse', '--absolute-git-dir']).trim(), 'breakglass-outbox.json');
    const { confirmedOwnTip: _tip, confirmedAt: _at, ...legacy } = syncState(h.repo);
    writeFileSync(file, JSON.stringify(legacy));
    expect((await h.status()).push.state).toBe('synced');
    expect(syncState(h.repo).confirmedOwnTip).toBeUndefined();
    // A fetch (here verify --online's) records the remote's tip of this host's ref as it brought it.
    expectExit(await h.cli('verify', '--online'), 0, 'verify --online');
    expect(syncState(h.repo).confirmedOwnTip).toBe(tip);
    await h.note('One more.');
    const st = await h.status();
    expect(st.push.state).toBe('pending');
    expect(st.push.pending).toBe(1);
  });
});
