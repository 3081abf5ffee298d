import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../support/cli';
import { lastJson } from '../../support/cliProcess';
import { createEvidenceRepo, expectExit, gitRaw, revList, servedEvidenceRemote, sha256 } from '../../support/evidenceRepo';
import { freePort, silentServer } from '../../support/gitDaemon';
import { openContext } from '../../../main/application/context';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import type { PushJson, SessionJson } from '../../support/cliJson';
import { scratchFolder } from '../../support/scratch';
import { cliHost } from '../../support/cliHost';

/**
 * The push outbox against real remotes (procedure.md §7, architecture.md "Evidence repository"):
 * a bare repository at a path, and `git daemon` on 127.0.0.1 that the tests start, stop and
 * restart. Every command is the real CLI in a child process.
 */

const { dir: tmp, fresh, json } = scratchFolder('bg-remote-sync-');

/** One simulated admin host (test/support/cliHost.ts) that also adds notes to its active session. */
function host(id: string, repo: string, extraEnv: Record<string, string> = {}) {
  const h = cliHost({ fresh, json }, id, repo, extraEnv);
  return {
    ...h,
    async note(text: string): Promise<string> {
      return lastJson<{ commit: string }>(expectExit(await h.cli('note', text), 0, `${id} note`)).commit;
    },
  };
}

/** The pending count as the product derives it (status JSON omits it once synced). */
async function pendingCount(repo: string, hostId: string): Promise<number> {
  const ctx = await openContext({ repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: hostId }) });
  return ctx.outbox.pendingCount();
}

describe('push to a bare remote at a path', () => {
  it('pushes every record with its local commit id, and reports synced with nothing pending', async () => {
    const remote = fresh('remote.git');
    git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const a = host('host-a', fresh('a'));
    await createEvidenceRepo(a.repo, fresh('data-init'));

    const s = await a.declare();
    const noteCommits = [await a.note('Took the state lock backup.'), await a.note('Released the stale lock.')];
    const local = revList(a.repo);
    expect(local).toContain(s.commit);
    for (const c of noteCommits) expect(local).toContain(c);

    expectExit(await a.cli('remote', 'set', remote), 0, 'remote set');
    const push = await a.cli('push');
    expectExit(push, 0, 'push');
    expect(lastJson<PushJson>(push).state).toBe('synced');

    // The remote holds exactly the local history: same commit ids, nothing rewritten.
    expect(revList(remote)).toEqual(local);
    const st = await a.status();
    expect(st.push.state).toBe('synced');
    expect(st.push.pending ?? 0).toBe(0);
    expect(await pendingCount(a.repo, a.id)).toBe(0);
    await a.verify();
  });
});

describe('a host whose repository is a `git clone --bare` of the remote', () => {
  // Regression: a bare clone has no remote.origin.fetch refspec, so `git push` does not move
  // refs/remotes/origin/main; the backlog used to be counted against that stale ref and a
  // successful push printed {"state":"pending",…} and exited 4 (fixed in 2c5e957).
  it('reports synced, nothing pending, after one successful push', async () => {
    const remote = fresh('org.git');
    await createEvidenceRepo(remote, fresh('data-org'));
    const h = host('host-bare', fresh('bare'));
    git(tmp, ['clone', '--quiet', '--bare', remote, h.repo]);
    await h.declare();
    const r = await h.cli('push');
    expect(revList(remote)[0]).toBe(revList(h.repo)[0]);
    expect(lastJson<PushJson>(r).state).toBe('synced');
    expect(r.code).toBe(0);
    expect((await h.status()).push.state).toBe('synced');
    expect(await pendingCount(h.repo, h.id)).toBe(0);
  });
});

describe('two hosts whose pushes reach the remote at the same instant', () => {
  // Two hosts' pushes that pass the remote's checks together: git refuses the slower one's ref update
  // ("cannot lock ref", porcelain "[remote rejected] … (failed to update ref)"); it must fetch, merge and retry.
  // A pre-receive hook on the remote holds each push until both have arrived, so the race is certain.
  it('both succeed: the loser of the race fetches, merges and pushes again', async () => {
    const remote = fresh('org.git');
    await createEvidenceRepo(remote, fresh('data-org'));
    const a = host('host-a', fresh('a'));
    const b = host('host-b', fresh('b'));
    git(tmp, ['clone', '--quiet', remote, a.repo]);
    git(tmp, ['clone', '--quiet', remote, b.repo]);
    const sa = await a.declare();
    const sb = await b.declare({ operator: { name: 'Katherine Johnson', email: 'katherine@example.com' } });
    const hook = path.join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, [
      '#!/bin/sh',
      '# Barrier: each push waits (up to 10 s) until two pushes have reached this point.',
      'd="$(pwd)/barrier"; mkdir -p "$d"; : > "$d/$$"',
      'i=0; while [ "$(ls "$d" | wc -l)" -lt 2 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
      'cat > /dev/null',
      'exit 0',
      '',
    ].join('\n'), { mode: 0o755 });

    const [ra, rb] = await Promise.all([a.cli('push'), b.cli('push')]);
    const outcomes = [ra, rb].map((r) => `exit ${r.code}: ${r.stdout.trim()} ${r.stderr.trim()}`);
    const onRemote = new Set(revList(remote));
    // Whatever the outcome, nothing was lost or rewritten on the winner's side.
    expect(onRemote.has(sa.commit!) || onRemote.has(sb.commit!)).toBe(true);
    expect(ra.code, outcomes.join('\n')).toBe(0);
    expect(rb.code, outcomes.join('\n')).toBe(0);
    expect(onRemote.has(sa.commit!) && onRemote.has(sb.commit!)).toBe(true);
  });
});

describe('two hosts and a commander through git daemon', () => {
  const served = servedEvidenceRemote(fresh, 'commander');

  it('merges both hosts without rewriting a commit; the commander sees both sessions', async () => {
    const url = served.daemon.url('org.git');
    const a = host('host-a', fresh('a'));
    const b = host('host-b', fresh('b'));
    // Both ways a host joins by cloning: a bare clone and a plain one.
    git(tmp, ['clone', '--quiet', '--bare', url, a.repo]);
    git(tmp, ['clone', '--quiet', url, b.repo]);

    const [sa, sb] = await Promise.all([
      a.declare({ operator: { name: 'Ada Lovelace', email: 'ada@example.com' } }),
      b.declare({ operator: { name: 'Katherine Johnson', email: 'katherine@example.com' }, incidentId: 'INC-20001' }),
    ]);
    const [na, nb] = await Promise.all([a.note('Host A: lock released.'), b.note('Host B: keys rotated.')]);
    // Issue 14: each host's records are on its own ref.
    const createdOnA = revList(a.repo, 'refs/heads/hosts/host-a', ['--no-merges']);
    const createdOnB = revList(b.repo, 'refs/heads/hosts/host-b', ['--no-merges']);
    for (const c of [sa.commit!, na]) expect(createdOnA).toContain(c);
    for (const c of [sb.commit!, nb]) expect(createdOnB).toContain(c);

    // Both push at the same moment. The product fetches and merges before pushing (and retries
    // a rejected push itself), so one push per host should do; allow one retry in total (today
    // it is needed when both pushes reach the remote together: see the "same instant" bug test).
    let retries = 0;
    const pushHost = async (h: ReturnType<typeof host>) => {
      let r = await h.cli('push');
      if (r.code === 4) {
        retries += 1;
        r = await h.cli('push');
      }
      return expectExit(r, 0, `${h.id} push`);
    };
    await Promise.all([pushHost(a), pushHost(b)]);
    expect(retries).toBeLessThanOrEqual(1);

    // Every commit made on either host is on the remote with the same id.
    const onRemote = new Set(revList(path.join(served.base, 'org.git')));
    for (const c of [...createdOnA, ...createdOnB]) expect(onRemote.has(c), `commit ${c} on the remote`).toBe(true);

    // The commander: a plain `git clone` of the remote is a valid --repo.
    const commanderRepo = fresh('commander');
    git(tmp, ['clone', '--quiet', url, commanderRepo]);
    const commander = host('commander', commanderRepo);
    const sessions = lastJson<SessionJson[]>(expectExit(await commander.cli('log'), 0, 'commander log'));
    const byId = new Map(sessions.map((s) => [s.sessionId, s]));
    expect(byId.get(sa.sessionId)).toMatchObject({ operator: { name: 'Ada Lovelace' }, host: { id: 'host-a' }, records: 2 });
    expect(byId.get(sb.sessionId)).toMatchObject({ operator: { name: 'Katherine Johnson' }, host: { id: 'host-b' }, records: 2 });
    expect((await commander.log(sa.sessionId)).map((e) => e.commit)).toEqual([sa.commit, na]);
    expect((await commander.log(sb.sessionId)).map((e) => e.commit)).toEqual([sb.commit, nb]);

    // The same remote through `git clone --bare` reads the same (read-only commands).
    const bare = host('commander-bare', fresh('commander-bare'));
    git(tmp, ['clone', '--quiet', '--bare', url, bare.repo]);
    const bareSessions = lastJson<SessionJson[]>(expectExit(await bare.cli('log'), 0, 'bare commander log'));
    expect(bareSessions.map((s) => s.sessionId).sort()).toEqual([sa.sessionId, sb.sessionId].sort());
    await bare.verify();

    for (const h of [a, b, commander]) {
      const report = await h.verify();
      expect(report.records).toBeGreaterThanOrEqual(2);
    }
    expect((await commander.verify()).sessions).toBe(2);
  });
});

describe('remote unreachable, then back', () => {
  const served = servedEvidenceRemote(fresh, 'offline');

  it('keeps recording while offline, reports the backlog, and delivers it unchanged when the remote returns', async () => {
    const url = served.daemon.url('org.git');
    const h = host('host-off', fresh('h'));
    git(tmp, ['clone', '--quiet', '--bare', url, h.repo]);
    expectExit(await h.cli('push'), 0, 'first push');

    await served.daemon.stop();
    // Local evidence is never blocked by the remote (procedure.md §7).
    const s = await h.declare();
    const notes: string[] = [];
    for (let i = 1; i <= 3; i++) notes.push(await h.note(`Offline note ${i}.`));
    const mine = [s.commit!, ...notes];

    const beforeFailedPush = Date.now();
    const failed = await h.cli('push');
    expect(failed.code).toBe(4);
    expect(lastJson<PushJson>(failed).state).toBe('offline');
    const off = (await h.status()).push;
    expect(off.state).toBe('offline');
    expect(off.pending).toBeGreaterThanOrEqual(4);
    // The reason names the network failure, so the operator knows it is the remote, not the evidence.
    expect(off.reason).toMatch(/unable to connect|connection refused|could not read from remote/i);
    expect(Number.isNaN(Date.parse(off.nextTryAt ?? ''))).toBe(false);
    // The next try is scheduled after the failure it follows. Measured from before that push, not
    // from now: under load the `status` run alone can take longer than the first back-off.
    expect(Date.parse(off.nextTryAt!)).toBeGreaterThan(beforeFailedPush);

    await served.daemon.start();
    expect(served.daemon.port).toBe(Number(new URL(url).port));
    const ok = await h.cli('push');
    expectExit(ok, 0, 'push after the remote returned');
    const back = (await h.status()).push;
    expect(back.state).toBe('synced');
    expect(await pendingCount(h.repo, h.id)).toBe(0);

    const onRemote = new Set(revList(path.join(served.base, 'org.git')));
    for (const c of mine) expect(onRemote.has(c), `commit ${c} on the remote`).toBe(true);
    const auditor = host('auditor', fresh('auditor'));
    git(tmp, ['clone', '--quiet', url, auditor.repo]);
    expect((await auditor.log(s.sessionId)).map((e) => e.commit)).toEqual(mine);
    await auditor.verify();
  });

  it('gives up quickly on a port where nothing listens (connection refused)', async () => {
    const h = host('host-refused', fresh('h'));
    await createEvidenceRepo(h.repo, fresh('data-init'));
    await h.declare();
    expectExit(await h.cli('remote', 'set', `git://127.0.0.1:${await freePort()}/org.git`), 0, 'remote set');
    const t0 = Date.now();
    const r = await h.cli('push');
    const elapsed = Date.now() - t0;
    expect(r.code).toBe(4);
    expect(lastJson<PushJson>(r)).toMatchObject({ state: 'offline' });
    expect(elapsed).toBeLessThan(30_000);
  });

  it('returns within the hard network timeout when the remote accepts and never answers (blackhole)', async () => {
    const silent = await silentServer();
    try {
      const h = host('host-blackhole', fresh('h'));
      await createEvidenceRepo(h.repo, fresh('data-init'));
      await h.declare();
      expectExit(await h.cli('remote', 'set', `git://127.0.0.1:${silent.port}/org.git`), 0, 'remote set');
      const t0 = Date.now();
      const r = await h.cli('push');
      const elapsed = Date.now() - t0;
      expect(r.code).toBe(4);
      const s = lastJson<PushJson>(r);
      expect(s.state).toBe('offline');
      expect(s.pending).toBeGreaterThanOrEqual(1);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      await silent.close();
    }
  }, 45_000);
});

describe('a host that started offline joins the organisation remote later', () => {
  it('merges unrelated histories, adopts the remote policy with a journal record, keeps its commit ids', async () => {
    // The organisation's shared remote, with its policy and another host's session already on it.
    const org = fresh('org.git');
    await createEvidenceRepo(org, fresh('data-org'), { justificationMinLength: 45 });
    const x = host('host-x', fresh('x'));
    git(tmp, ['clone', '--quiet', org, x.repo]);
    const sx = await x.declare({ operator: { name: 'Katherine Johnson', email: 'katherine@example.com' }, incidentId: 'INC-30001' });
    expectExit(await x.cli('push'), 0, 'host-x push');
    const orgPolicy = gitRaw(org, ['cat-file', 'blob', 'main:policy.yaml']);

    // Host C started alone, with its own local policy.
    const c = host('host-c', fresh('c'));
    await createEvidenceRepo(c.repo, fresh('data-init'), { justificationMinLength: 50 });
    const localPolicy = gitRaw(c.repo, ['cat-file', 'blob', 'main:policy.yaml']);
    expect(localPolicy).not.toBe(orgPolicy);
    const sc = await c.declare();
    const nc = await c.note('Working offline before joining.');
    const before = revList(c.repo);

    expectExit(await c.cli('remote', 'set', org), 0, 'remote set');
    expectExit(await c.cli('push'), 0, 'host-c push');

    // The organisation's policy wins locally.
    expect(gitRaw(c.repo, ['cat-file', 'blob', 'main:policy.yaml'])).toBe(orgPolicy);
    expect(git(c.repo, ['show', 'main:policy.yaml'])).toContain('justificationMinLength: 45');
    // …and the journal says so.
    // Issue 14: the journal record is on the host's own ref.
    const journal = git(c.repo, ['ls-tree', '-r', '--name-only', 'refs/heads/hosts/host-c', '--', 'journal/']).split('\n').filter(Boolean);
    const adoptedPath = journal.find((p) => /^journal\/host-c\/\d{6}-policy-adopted\.json$/.test(p));
    expect(adoptedPath, `policy-adopted record in ${journal.join(', ')}`).toBeDefined();
    const adopted = JSON.parse(git(c.repo, ['show', `refs/heads/hosts/host-c:${adoptedPath}`])) as { type: string; payload: { previousPolicySha256: string | null; policySha256: string } };
    expect(adopted.type).toBe('policy-adopted');
    expect(adopted.payload.policySha256).toBe(sha256(orgPolicy));
    expect(adopted.payload.previousPolicySha256).toBe(sha256(localPolicy));

    // Nothing of C's history was rewritten, locally or on the remote; both histories are joined.
    const after = new Set(revList(c.repo));
    const onRemote = new Set(revList(org));
    for (const id of before) {
      expect(after.has(id), `local commit ${id} kept`).toBe(true);
      expect(onRemote.has(id), `local commit ${id} on the remote`).toBe(true);
    }
    expect(after.has(sx.commit!)).toBe(true);
    expect((await c.log(sc.sessionId)).map((e) => e.commit)).toEqual([sc.commit, nc]);
    expect(onRemote.has(git(c.repo, ['log', '-1', '--format=%H', 'refs/heads/hosts/host-c', '--', adoptedPath!]))).toBe(true);

    await c.verify();
    const auditor = host('auditor', fresh('auditor'));
    git(tmp, ['clone', '--quiet', org, auditor.repo]);
    const report = await auditor.verify();
    expect(report.sessions).toBe(2);
  });
});

describe('the policy-adopted record on a host whose name has no dot', () => {
  // Regression: the system actor's e-mail was `<user>@<host name>` (e.g. `root@admin-01`), which
  // the record schema refuses; the record was committed anyway and then unreadable, so `verify`
  // failed and every host that merged it could no longer declare (fixed in 2c5e957: `.invalid`).
  it('is a readable record and verify stays clean', async () => {
    const org = fresh('org.git');
    await createEvidenceRepo(org, fresh('data-org'), { justificationMinLength: 45 });
    const d = host('host-d', fresh('d'), { BREAKGLASS_HOST_NAME: 'admin-01' });
    await createEvidenceRepo(d.repo, fresh('data-init'), { justificationMinLength: 50 });
    await d.declare();
    expectExit(await d.cli('remote', 'set', org), 0, 'remote set');
    expectExit(await d.cli('push'), 0, 'host-d push');
    expect(git(d.repo, ['ls-tree', '-r', '--name-only', 'refs/heads/hosts/host-d', '--', 'journal/'])).toContain('policy-adopted');
    await d.verify();
    // Another host that merges it can still declare.
    const e = host('host-e', fresh('e'));
    git(tmp, ['clone', '--quiet', org, e.repo]);
    await e.declare();
  });
});
