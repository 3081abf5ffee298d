import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleBackend } from '../../../main/console/backend';
import type { BoardData, SyncStatus } from '../../../app/views';
import { cliEnv, declaration, git, runCli } from '../../support/cli';
import { createEvidenceRepo, expectExit } from '../../support/evidenceRepo';
import { freePort } from '../../support/gitDaemon';
import { scratchFolder } from '../../support/scratch';

/**
 * The board's fetch schedule (main/sync/fetchSchedule.ts, issue 6) on real repositories: a shared
 * remote at a path, the console's clone of it, and another host writing through the real CLI.
 * Only the clock is faked (setTimeout/clearTimeout/Date), so the schedule's timing is exact;
 * git runs for real, and the helper below lets its I/O finish while fake time stands still.
 */

const { dir: tmp, fresh, json } = scratchFolder('bg-fetch-schedule-');

/**
 * Awaits a promise whose work runs real git while timers are fake: simple-git yields through a
 * zero-delay setTimeout after each command, so due fake timers are run (without moving the fake
 * clock) until the promise settles. setImmediate is not faked and lets the child's I/O arrive.
 */
async function settle<T>(p: Promise<T>): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  // performance.now is not faked: a real deadline, so a wait on a future fake timer fails fast.
  const deadline = performance.now() + 20_000;
  while (!done) {
    if (performance.now() > deadline) throw new Error(`still waiting after 20 s with ${vi.getTimerCount()} fake timer(s) pending`);
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

/** A shared remote with the organisation's policy, and the console's clone of it. */
async function consoleOnClone(): Promise<{ remote: string; repo: string; backend: ConsoleBackend; other: (...args: string[]) => ReturnType<typeof runCli> }> {
  const remote = fresh('org.git');
  await createEvidenceRepo(remote, fresh('data-org'));
  const repo = fresh('console');
  git(tmp, ['clone', '--quiet', '--bare', remote, repo]);
  // Another host that declares and pushes while the console watches.
  const otherRepo = fresh('other');
  git(tmp, ['clone', '--quiet', '--bare', remote, otherRepo]);
  const otherEnv = cliEnv(fresh('data-other'), { BREAKGLASS_HOST_ID: 'host-other' });
  const other = (...args: string[]) => runCli(['--repo', otherRepo, '--json', ...args], { env: otherEnv });
  const backend = await ConsoleBackend.create({ repo, env: cliEnv(fresh('data-console'), { BREAKGLASS_HOST_ID: 'host-console' }) });
  return { remote, repo, backend, other };
}

async function board(backend: ConsoleBackend): Promise<BoardData> {
  const r = await settle(backend.dispatch('board.get', {}));
  if (!r.ok) throw new Error(r.error.message);
  return r.value as BoardData;
}

function remoteState(s: SyncStatus): Extract<SyncStatus, { remote: string }> {
  if (s.state === 'local-only') throw new Error('expected a remote');
  return s;
}

const backends: ConsoleBackend[] = [];
afterEach(() => {
  for (const b of backends.splice(0)) b.stop();
  vi.useRealTimers();
});
/** Fake timers are installed per test, after its real-timer setup (CLI children, clones). */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
}

describe('fetch schedule', () => {
  it('a repository without a remote is local-only: nothing is fetched or scheduled', async () => {
    const repo = fresh('alone');
    const backend = await ConsoleBackend.create({ repo, env: cliEnv(fresh('data-alone'), { BREAKGLASS_HOST_ID: 'host-alone' }) });
    backends.push(backend);
    fakeClock();
    expect(await settle(backend.fetches.status())).toEqual({ state: 'local-only', watching: false });
    expect(await settle(backend.fetches.watch(true))).toEqual({ state: 'local-only', watching: true });
    expect(await settle(backend.fetches.fetchNow())).toEqual({ state: 'local-only', watching: true });
    expect((await board(backend)).sync).toEqual({ state: 'local-only', watching: true });
    // However long the board stays open, no fetch is tried (there is nothing to fetch from).
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(await settle(backend.ctx.outbox.fetchState())).toEqual({ lastFetchAt: null, lastAttemptAt: null, failure: null });
  });

  it('watch(true) fetches at once, then again after the interval; watch(false) cancels the timer', async () => {
    const { remote, backend, other } = await consoleOnClone();
    backends.push(backend);
    expect(remoteState(await backend.fetches.status())).toMatchObject({ state: 'never', lastFetchAt: null, nextFetchAt: null, watching: false, intervalSeconds: 30 });
    const first = expectExit(await other('declare', '--file', json('d', declaration())), 0, 'other declare');
    expectExit(await other('push'), 0, 'other push');

    fakeClock();
    const t0 = Date.now();
    const events: SyncStatus[] = [];
    backend.fetches.onStatus((s) => events.push(s));
    const watched = remoteState(await settle(backend.fetches.watch(true)));
    // Fetched at once: the other host's session is on the board, and the next fetch is one interval away.
    expect(watched).toMatchObject({ state: 'ok', remote, fetching: false, watching: true, reason: null });
    expect(watched.lastFetchAt).toBe(new Date(t0).toISOString());
    expect(watched.nextFetchAt).toBe(new Date(t0 + 30_000).toISOString());
    expect(events.map((e) => remoteState(e).fetching)).toEqual([true, false]);
    expect((await board(backend)).rows.map((r) => r.host.id)).toEqual(['host-other']);
    expect(JSON.parse(first.stdout.trim().split('\n').at(-1)!).sessionId).toBe((await board(backend)).rows[0]!.sessionId);

    // Another record arrives on the remote; nothing is fetched before the interval has passed.
    expectExit(await other('note', 'Second record from the other host.'), 0, 'other note');
    expectExit(await other('push'), 0, 'other push');
    await vi.advanceTimersByTimeAsync(29_999);
    expect(remoteState(await settle(backend.fetches.status())).lastAttemptAt).toBe(new Date(t0).toISOString());
    expect((await board(backend)).rows[0]!.records).toBe(1);

    // At the interval the timer fetches (fetchNow during it joins that same fetch).
    await vi.advanceTimersByTimeAsync(1);
    expect(remoteState(await settle(backend.fetches.status())).fetching).toBe(true);
    const second = remoteState(await settle(backend.fetches.fetchNow()));
    expect(second).toMatchObject({ state: 'ok', fetching: false, lastFetchAt: new Date(t0 + 30_000).toISOString(), nextFetchAt: new Date(t0 + 60_000).toISOString() });
    expect((await board(backend)).rows[0]!.records).toBe(2);
    expect(events.filter((e) => remoteState(e).fetching)).toHaveLength(2);

    // Closing the board cancels the timer: no fetch however long it stays closed.
    const closed = remoteState(await settle(backend.fetches.watch(false)));
    expect(closed).toMatchObject({ watching: false, nextFetchAt: null, fetching: false });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(remoteState(await settle(backend.fetches.status())).lastAttemptAt).toBe(new Date(t0 + 30_000).toISOString());
    expect(events.filter((e) => remoteState(e).fetching)).toHaveLength(2);
  });

  it('the interval is the setting; fetchNow while a fetch runs joins it instead of starting another', async () => {
    const { backend } = await consoleOnClone();
    backends.push(backend);
    expect((await backend.dispatch('settings.set', { fetchIntervalSeconds: 10 })).ok).toBe(true);
    fakeClock();
    const t0 = Date.now();
    const events: SyncStatus[] = [];
    backend.fetches.onStatus((s) => events.push(s));
    const on = remoteState(await settle(backend.fetches.watch(true)));
    expect(on.nextFetchAt).toBe(new Date(t0 + 10_000).toISOString());
    expect(on.intervalSeconds).toBe(10);

    const p1 = backend.fetches.fetchNow();
    const p2 = backend.fetches.fetchNow();
    const [s1, s2] = await settle(Promise.all([p1, p2]));
    expect(s2).toEqual(s1);
    // One fetch: one "fetching" event for the two calls (plus the one of watch(true)).
    expect(events.filter((e) => remoteState(e).fetching)).toHaveLength(2);
    expect(remoteState(s1).fetching).toBe(false);
    // The joined fetch rescheduled the next one an interval after it.
    expect(remoteState(s1).nextFetchAt).toBe(new Date(t0 + 10_000).toISOString());
  });

  it('while the remote is unreachable the delay backs off (never sooner than the interval, growing); success returns to the interval', async () => {
    const { remote, backend } = await consoleOnClone();
    backends.push(backend);
    expect((await backend.dispatch('settings.set', { fetchIntervalSeconds: 5 })).ok).toBe(true);
    // Nothing listens on this port: git's connection is refused, as when the remote's host is down.
    const unreachable = `git://127.0.0.1:${await freePort()}/org.git`;
    expect((await backend.dispatch('remote.set', { url: unreachable })).ok).toBe(true);
    backend.stop(); // remote.set kicked the push outbox; this test is about fetching only

    fakeClock();
    let s = remoteState(await settle(backend.fetches.watch(true)));
    // The board can say since when fetching fails: the first failure of this run.
    const firstFailure = s.lastAttemptAt;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect(s).toMatchObject({ state: 'offline', watching: true, fetching: false, lastFetchAt: null });
      expect(s.reason).toMatch(/unable to connect|connection refused/i);
      expect(s.failingSince).toBe(firstFailure);
      const attemptAt = Date.now();
      expect(s.lastAttemptAt).toBe(new Date(attemptAt).toISOString());
      const delay = Date.parse(s.nextFetchAt!) - attemptAt;
      delays.push(delay);
      // The timer honours the delay: nothing just before it, a fetch exactly at it.
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(remoteState(await settle(backend.fetches.status())).lastAttemptAt).toBe(new Date(attemptAt).toISOString());
      await vi.advanceTimersByTimeAsync(1);
      s = remoteState(await settle(backend.fetches.fetchNow()));
      expect(s.lastAttemptAt).toBe(new Date(attemptAt + delay).toISOString());
    }
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(5_000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!, `delays ${delays.join(', ')}`).toBeGreaterThanOrEqual(delays[i - 1]!);
    // Six failures in, the backoff (exponential, full jitter) is well past the 5 s interval.
    expect(delays.at(-1)!).toBeGreaterThanOrEqual(32_000);

    // The remote is reachable again: the next scheduled fetch succeeds and the interval is back.
    await settle(backend.fetches.watch(false));
    // (Setting the remote runs silent git commands, which simple-git follows by a 50 ms timer: real time for it.)
    vi.useRealTimers();
    expect((await backend.dispatch('remote.set', { url: remote })).ok).toBe(true);
    backend.stop();
    fakeClock();
    const back = remoteState(await settle(backend.fetches.watch(true)));
    expect(back).toMatchObject({ state: 'ok', reason: null, failingSince: null, lastFetchAt: new Date(Date.now()).toISOString() });
    expect(Date.parse(back.nextFetchAt!) - Date.now()).toBe(5_000);
  });
});
