import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBackend } from '../../../main/console/backend';
import { CALLS, type CallName, type Envelope } from '../../../app/contract';
import type { BoardData, PushStatus, SessionView, StatusSnapshot, SyncStatus } from '../../../app/views';
import { cliEnv, declaration, git } from '../../support/cli';
import { lastJson } from '../../support/cliProcess';
import { createEvidenceRepo, expectExit, gitRaw, revList } from '../../support/evidenceRepo';
import { GitDaemon } from '../../support/gitDaemon';
import { waitFor } from '../../support/waitFor';
import { scratchFolder } from '../../support/scratch';
import { cliHost } from '../../support/cliHost';

/**
 * Offline-first sync and the commander's board (issue 6, "Tests" first bullet), end to end with
 * real parts: a bare shared remote served by `git daemon` on 127.0.0.1 (started, stopped and
 * restarted by the test), two admin hosts driving the real CLI in child processes (each its own
 * data dir, host id, host name and evidence repository), and the incident commander's console: a
 * real ConsoleBackend in observer mode on a third clone, called only through `dispatch`.
 */

const { dir: tmp, fresh, json } = scratchFolder('bg-board-sync-');

/** One admin host (test/support/cliHost.ts) with its own host name, adding notes and commands to a session and pushing. */
function adminHost(id: string, name: string, repo: string) {
  const h = cliHost({ fresh, json }, id, repo, { BREAKGLASS_HOST_NAME: name });
  const { cli } = h;
  return {
    ...h,
    name,
    async note(sessionId: string, text: string): Promise<string> {
      return lastJson<{ commit: string }>(expectExit(await cli('note', '--session', sessionId, text), 0, `${id} note`)).commit;
    },
    /**
     * `breakglass exec` records the command's start before it runs and the action after (issue 12
     * item 7): the session's two newest commits, returned in order.
     */
    async exec(sessionId: string, ...argv: string[]): Promise<string[]> {
      expectExit(await cli('exec', '--session', sessionId, '--', ...argv), 0, `${id} exec`);
      const log = await h.log(sessionId);
      expect(log.slice(-2).map((e) => e.type)).toEqual(['action-started', 'action']);
      return log.slice(-2).map((e) => e.commit);
    },
    async push(): Promise<{ code: number | null; status: PushStatus }> {
      const r = await cli('push');
      return { code: r.code, status: lastJson<PushStatus>(r) };
    },
    async pushStatus(): Promise<PushStatus> {
      return lastJson<{ push: PushStatus }>(await cli('status')).push;
    },
  };
}
type AdminHost = ReturnType<typeof adminHost>;

/** Unwraps a dispatch envelope, failing the test with the error when it is not ok. */
function valueOf<T>(r: Envelope<unknown>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** The board's row of a session (fails when the board does not show it). */
function row(board: BoardData, sessionId: string): SessionView {
  const r = board.rows.find((x) => x.sessionId === sessionId);
  if (!r) throw new Error(`session ${sessionId} is not on the board (${board.rows.map((x) => x.sessionId).join(', ')})`);
  return r;
}

/** Lines the remote's post-receive hook logged: one per branch update a push made. */
function remoteUpdates(logFile: string): Array<{ old: string; next: string; ref: string }> {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => {
    const [old, next, ref] = l.split(' ');
    return { old: old!, next: next!, ref: ref! };
  });
}

/** True when `commit` is in the repository's evidence history: on one of its branches or fetched refs (the organisation branch and the hosts' own refs, issue 14). */
function isAncestor(repo: string, commit: string): boolean {
  try {
    return git(repo, ['for-each-ref', '--contains', commit, '--format=%(refname)', 'refs/heads/', 'refs/remotes/']).trim() !== '';
  } catch {
    return false;
  }
}

describe('two hosts and the commander\'s board through git daemon, across an outage', () => {
  let daemon: GitDaemon;
  let base: string;
  let remoteRepo: string;
  let pushLog: string;
  let url: string;
  let a: AdminHost;
  let b: AdminHost;
  let commanderRepo: string;
  let commander: ConsoleBackend;
  const backends: ConsoleBackend[] = [];

  beforeAll(async () => {
    base = fresh('daemon');
    remoteRepo = path.join(base, 'org.git');
    await createEvidenceRepo(remoteRepo, fresh('data-org'));
    // Every branch update the remote accepts is logged, so the test can count pushes.
    pushLog = path.join(tmp, 'remote-updates.log');
    writeFileSync(path.join(remoteRepo, 'hooks', 'post-receive'), `#!/bin/sh\ncat >> '${pushLog}'\n`, { mode: 0o755 });
    daemon = await GitDaemon.start(base);
    url = daemon.url('org.git');

    // Each host has its own evidence repository (a clone) whose remote is the daemon's URL.
    a = adminHost('host-a', 'admin-a.example.net', fresh('a'));
    b = adminHost('host-b', 'admin-b.example.net', fresh('b'));
    git(tmp, ['clone', '--quiet', '--bare', url, a.repo]);
    git(tmp, ['clone', '--quiet', url, b.repo]);
    for (const h of [a, b]) expectExit(await h.cli('remote', 'set', url), 0, `${h.id} remote set`);

    // The commander: a third clone, opened read-only by the console.
    commanderRepo = fresh('commander');
    git(tmp, ['clone', '--quiet', '--bare', url, commanderRepo]);
    commander = await ConsoleBackend.create({
      repo: commanderRepo, observer: true,
      env: cliEnv(fresh('data-commander'), { BREAKGLASS_HOST_ID: 'commander', BREAKGLASS_HOST_NAME: 'ic-laptop.example.net' }),
    });
    backends.push(commander);
  });

  afterAll(async () => {
    for (const be of backends) be.stop();
    await daemon?.stop();
  });

  const board = async () => valueOf<BoardData>(await commander.dispatch('board.get', {}), 'board.get');
  const fetchOnce = async () => valueOf<SyncStatus>(await commander.dispatch('sync.fetch', {}), 'sync.fetch');

  // The scenario is one story; each step builds on the previous one.
  const ids: { sa: string; sb: string; sa2: string } = { sa: '', sb: '', sa2: '' };
  /** Commit ids each host recorded, in the order written. */
  const written: Record<string, string[]> = { 'host-a': [], 'host-b': [] };
  let lastFetchAt = '';
  let hostALastFetchAt: string | null = null;

  it('1–2. both hosts declare, act and push; the commander\'s board shows both after one fetch', async () => {
    const sa = await a.declare({ operator: { name: 'Ada Lovelace', email: 'ada@example.com' }, incidentId: 'INC-41001' });
    const sb = await b.declare({ operator: { name: 'Katherine Johnson', email: 'katherine@example.com' }, incidentId: 'INC-41002' });
    ids.sa = sa.sessionId;
    ids.sb = sb.sessionId;
    written['host-a']!.push(sa.commit, await a.note(sa.sessionId, 'Host A: took the state lock backup.'), ...(await a.exec(sa.sessionId, 'echo', 'unlocked')));
    written['host-b']!.push(sb.commit, ...(await b.exec(sb.sessionId, 'echo', 'rotated')), await b.note(sb.sessionId, 'Host B: keys rotated, verifying.'));

    for (const h of [a, b]) {
      const p = await h.push();
      expect(p, `${h.id} push`).toMatchObject({ code: 0, status: { state: 'synced' } });
    }
    // Host A catches up with B's push the way a running console does between records (its push
    // fetches and merges first): a fast-forward, nothing new to send, so no update on the remote.
    expect(await a.push()).toMatchObject({ code: 0, status: { state: 'synced' } });
    expect(revList(a.repo)[0]).toBe(revList(remoteRepo)[0]);
    expect(remoteUpdates(pushLog)).toHaveLength(2);

    // Before its first fetch the commander's board knows nothing of them, and says so.
    const before = await board();
    expect(before.rows).toEqual([]);
    expect(before.sync).toMatchObject({ state: 'never', lastFetchAt: null, remote: url });

    const s = await fetchOnce();
    expect(s).toMatchObject({ state: 'ok', reason: null, fetching: false });
    const view = await board();
    expect(view.sync.state).toBe('ok');
    if (view.sync.state === 'local-only') throw new Error('unreachable');
    expect(view.sync.lastFetchAt).not.toBeNull();
    lastFetchAt = view.sync.lastFetchAt!;
    expect(Date.parse(lastFetchAt)).toBeLessThanOrEqual(Date.parse(view.at));
    expect(view.hostId).toBe('commander');
    expect(view.rows).toHaveLength(2);

    const ra = row(view, ids.sa);
    expect(ra).toMatchObject({
      phase: 'active', incidentId: 'INC-41001', operator: { name: 'Ada Lovelace' },
      host: { id: 'host-a', name: 'admin-a.example.net' }, records: 4, mine: false,
    });
    expect(ra.lastAction?.summary).toBe('Ran echo unlocked → exit 0');
    const rb = row(view, ids.sb);
    expect(rb).toMatchObject({
      phase: 'active', incidentId: 'INC-41002', operator: { name: 'Katherine Johnson' },
      host: { id: 'host-b', name: 'admin-b.example.net' }, records: 4, mine: false,
    });
    expect(rb.lastAction?.summary).toBe('Host B: keys rotated, verifying.');

    // The commander's repository now holds exactly what the remote holds (a fast-forward: it writes nothing).
    expect(revList(commanderRepo)).toEqual(revList(remoteRepo));
    // Host A's push fetched first: its own console knows when it last confirmed the remote.
    hostALastFetchAt = (JSON.parse(readFileSync(path.join(a.repo, 'breakglass-outbox.json'), 'utf8')) as { lastFetchAt: string | null }).lastFetchAt;
    expect(hostALastFetchAt).not.toBeNull();
  });

  it('3. the daemon stops: hosts keep recording, their backlog grows; the commander\'s board says it is stale', async () => {
    const pushesBefore = remoteUpdates(pushLog).length;
    await daemon.stop();

    // Host A declares a second session in another environment; host B keeps acting in its own.
    const sa2 = await a.declare({ environment: 'pre-production', operator: { name: 'Ada Lovelace', email: 'ada@example.com' }, incidentId: 'INC-41003' });
    ids.sa2 = sa2.sessionId;
    written['host-a']!.push(sa2.commit);
    written['host-b']!.push(await b.note(ids.sb, 'Host B: offline, still working.'));

    const firstA = await a.push();
    const firstB = await b.push();
    for (const [h, p, n] of [[a, firstA, 1], [b, firstB, 1]] as const) {
      expect(p.code, `${h.id} push exit while offline`).toBe(4);
      expect(p.status).toMatchObject({ state: 'offline', pending: n });
    }

    written['host-a']!.push(await a.note(ids.sa, 'Host A: offline note.'), ...(await a.exec(sa2.sessionId, 'echo', 'pre-prod fixed')));
    written['host-b']!.push(...(await b.exec(ids.sb, 'echo', 'offline action')), await b.note(ids.sb, 'Host B: second offline note.'));
    for (const h of [a, b]) expect((await h.push()).code).toBe(4);

    // The backlog grew with every record written while offline; the reason names the network.
    for (const h of [a, b]) {
      const st = await h.pushStatus();
      expect(st, `${h.id} status`).toMatchObject({ state: 'offline', pending: 4, remote: url });
      if (st.state !== 'offline') throw new Error('unreachable');
      expect(st.reason).toMatch(/unable to connect|connection refused|could not read from remote/i);
      expect(Number.isNaN(Date.parse(st.nextTryAt ?? ''))).toBe(false);
    }
    // Local evidence was never blocked or touched by the failures.
    for (const h of [a, b]) for (const c of written[h.id]!) expect(isAncestor(h.repo, c), `${h.id} ${c} local`).toBe(true);
    expect(remoteUpdates(pushLog)).toHaveLength(pushesBefore);

    // The commander's fetch fails: the board says offline, why, and as of when its data is.
    const failed = await fetchOnce();
    expect(failed).toMatchObject({ state: 'offline', lastFetchAt, fetching: false });
    const stale = await board();
    if (stale.sync.state === 'local-only') throw new Error('the commander has a remote');
    expect(stale.sync.state).toBe('offline');
    expect(stale.sync.reason).toMatch(/unable to connect|connection refused/i);
    expect(stale.sync.lastFetchAt).toBe(lastFetchAt);
    expect(Date.parse(stale.sync.lastAttemptAt!)).toBeGreaterThan(Date.parse(lastFetchAt));
    expect(Date.parse(stale.at) - Date.parse(stale.sync.lastFetchAt!)).toBeGreaterThan(0);
    // The rows still show the last known state: no offline record of either host, nothing lost.
    expect(stale.rows.map((r) => r.sessionId).sort()).toEqual([ids.sa, ids.sb].sort());
    expect(row(stale, ids.sa)).toMatchObject({ phase: 'active', records: 4, lastAction: { summary: 'Ran echo unlocked → exit 0' } });
    expect(row(stale, ids.sb)).toMatchObject({ phase: 'active', records: 4, lastAction: { summary: 'Host B: keys rotated, verifying.' } });
    // A second failure keeps the outage's start and counts the attempt.
    const again = await fetchOnce();
    expect(again).toMatchObject({ state: 'offline', lastFetchAt });
    // The commander's header agrees with its board: it must not read "synced" now. It pushes only
    // its own witness statements (issue 16), so the outage started at its fetch's failure, or at
    // its own push's if that came first.
    const header = valueOf<StatusSnapshot>(await commander.dispatch('status.get', {}), 'commander status.get');
    expect(header.push).toMatchObject({ state: 'offline', pending: 0, remote: url });
    if (header.push.state !== 'offline') throw new Error('unreachable');
    expect(Date.parse(header.push.since)).toBeLessThanOrEqual(Date.parse(stale.sync.failingSince!));
  });

  it('6a. a console restarted on host A during the outage still reports the backlog and the last fetch', async () => {
    const restarted = await ConsoleBackend.create({ repo: a.repo, env: a.env });
    backends.push(restarted);
    const snap = valueOf<StatusSnapshot>(await restarted.dispatch('status.get', {}), 'status.get');
    expect(snap.host.id).toBe('host-a');
    expect(snap.push).toMatchObject({ state: 'offline', pending: 4, remote: url });
    const hostBoard = valueOf<BoardData>(await restarted.dispatch('board.get', {}), 'host board.get');
    if (hostBoard.sync.state === 'local-only') throw new Error('host A has a remote');
    expect(hostBoard.sync.lastFetchAt).toBe(hostALastFetchAt);
    // Its last push attempt failed at the fetch: its board must not claim the remote was reached.
    expect(hostBoard.sync.state).toBe('offline');
    // Host A's own view has its offline session; host B's offline records have not arrived.
    expect(row(hostBoard, ids.sa2)).toMatchObject({ mine: true, phase: 'active', environment: 'pre-production' });
    expect(row(hostBoard, ids.sb).records).toBe(4);
    restarted.stop();
  });

  it('4 + 6b. the daemon returns: one push per host delivers each backlog unchanged; one fetch brings it all to the board', async () => {
    const before = remoteUpdates(pushLog).length;
    const localA = revList(a.repo);
    const localB = revList(b.repo);
    // What each host had pushed before the outage (its own ref on the remote, issue 14).
    const pushedA = gitRaw(remoteRepo, ['rev-parse', 'refs/heads/hosts/host-a']).trim();
    const pushedB = gitRaw(remoteRepo, ['rev-parse', 'refs/heads/hosts/host-b']).trim();
    await daemon.start();
    expect(url).toBe(daemon.url('org.git'));

    // Host A: a console started on its repository resumes the outbox by itself (one push).
    const resumed = await ConsoleBackend.create({ repo: a.repo, env: a.env });
    backends.push(resumed);
    await resumed.start();
    await waitFor('host A\'s restarted console to push its backlog', async () => {
      const s = valueOf<StatusSnapshot>(await resumed.dispatch('status.get', {}), 'status.get');
      return s.push.state === 'synced';
    }, { timeoutMs: 30_000, intervalMs: 100 });
    resumed.stop();
    // It pushed first and its history already held the remote's: one round, no fetch needed, so
    // its last fetch is unchanged (a refused push would have fetched, merged and pushed again).
    const hostA = JSON.parse(readFileSync(path.join(a.repo, 'breakglass-outbox.json'), 'utf8')) as { lastFetchAt: string | null };
    expect(hostA.lastFetchAt).toBe(hostALastFetchAt);
    // Host B: one `breakglass push` (fetch + merge of A's records, then one push).
    expect(await b.push()).toMatchObject({ code: 0, status: { state: 'synced' } });
    for (const h of [a, b]) expect(await h.pushStatus(), `${h.id} after`).toMatchObject({ state: 'synced' });

    // Exactly one accepted branch update per host, each carrying that host's whole backlog.
    const updates = remoteUpdates(pushLog).slice(before);
    // Issue 14: each host updates only its own ref, fast-forward from what it pushed before.
    expect(updates.map((u) => u.ref)).toEqual(['refs/heads/hosts/host-a', 'refs/heads/hosts/host-b']);
    expect(updates[0]!.next).toBe(gitRaw(a.repo, ['rev-parse', 'refs/heads/hosts/host-a']).trim());
    expect(updates[1]!.next).toBe(gitRaw(b.repo, ['rev-parse', 'refs/heads/hosts/host-b']).trim());
    expect(updates[0]!.old).toBe(pushedA);
    expect(updates[1]!.old).toBe(pushedB);

    // No commit was rewritten: every id either host recorded, before or during the outage, is on
    // the remote unchanged, and each host's history is still a prefix of what it has now.
    for (const [id, commits] of Object.entries(written)) for (const c of commits) expect(isAncestor(remoteRepo, c), `${id} ${c} on the remote`).toBe(true);
    for (const c of localA) expect(isAncestor(remoteRepo, c)).toBe(true);
    for (const c of localB) expect(isAncestor(b.repo, c)).toBe(true);

    // The commander fetches once and sees everything.
    expect(await fetchOnce()).toMatchObject({ state: 'ok', reason: null });
    const view = await board();
    if (view.sync.state === 'local-only') throw new Error('the commander has a remote');
    expect(Date.parse(view.sync.lastFetchAt!)).toBeGreaterThan(Date.parse(lastFetchAt));
    expect(view.rows.map((r) => r.sessionId).sort()).toEqual([ids.sa, ids.sb, ids.sa2].sort());
    expect(row(view, ids.sa)).toMatchObject({ phase: 'active', host: { id: 'host-a' }, records: 5, lastAction: { summary: 'Host A: offline note.' } });
    expect(row(view, ids.sa2)).toMatchObject({
      phase: 'active', environment: 'pre-production', incidentId: 'INC-41003', host: { id: 'host-a', name: 'admin-a.example.net' },
      records: 3, lastAction: { summary: 'Ran echo pre-prod fixed → exit 0' },
    });
    expect(row(view, ids.sb)).toMatchObject({ phase: 'active', host: { id: 'host-b' }, records: 8, lastAction: { summary: 'Host B: second offline note.' } });
    expect(revList(commanderRepo)).toEqual(revList(remoteRepo));

    // Each session's timeline on the commander carries the commit ids its host recorded.
    const timelineCommits = async (sessionId: string) =>
      valueOf<{ timeline: Array<{ commit: string }> }>(await commander.dispatch('session.timeline', { sessionId }), 'session.timeline').timeline.map((e) => e.commit);
    const onCommander = [...await timelineCommits(ids.sa), ...await timelineCommits(ids.sa2), ...await timelineCommits(ids.sb)];
    expect(new Set(onCommander)).toEqual(new Set([...written['host-a']!, ...written['host-b']!]));

    // verify is clean on all three clones (and through the commander's console).
    for (const h of [a, b]) await h.verify();
    const commanderCli = adminHost('commander-cli', 'ic-laptop.example.net', commanderRepo);
    expect((await commanderCli.verify()).sessions).toBe(3);
    expect(valueOf<{ ok: boolean; sessions: number }>(await commander.dispatch('ledger.verify', {}), 'ledger.verify')).toMatchObject({ ok: true, sessions: 3 });
  });

  it('5. the commander\'s console refuses every write call at the contract, and still fetches and reads', async () => {
    const head = gitRaw(commanderRepo, ['rev-parse', 'main']);
    const writes = (Object.keys(CALLS) as CallName[]).filter((n) => CALLS[n].writes);
    for (const name of writes) {
      // Valid input where it matters: the refusal must come from observer mode, not from validation.
      const input = name === 'session.note' ? { sessionId: ids.sa, text: 'commander note' }
        : name === 'session.declare' ? { declaration: declaration() }
          : name === 'remote.set' ? { url: 'git://127.0.0.1:9/elsewhere.git' }
            : {};
      expect(await commander.dispatch(name, input), name).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(gitRaw(commanderRepo, ['rev-parse', 'main'])).toBe(head);
    expect(gitRaw(commanderRepo, ['remote', 'get-url', 'origin']).trim()).toBe(url);
    for (const [name, input] of [['sync.fetch', {}], ['sync.watch', { watching: false }], ['board.get', {}], ['session.timeline', { sessionId: ids.sb }]] as const) {
      expect((await commander.dispatch(name, input)).ok, name).toBe(true);
    }
  });
});
