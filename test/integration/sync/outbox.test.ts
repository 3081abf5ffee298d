import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openContext, type ConsoleContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { backoffDelayMs } from '../../../main/sync/backoff';
import { allowRoot, declaration } from '../../support/cli';
import { freePort } from '../../support/gitDaemon';
import { scratchFolder } from '../../support/scratch';
import { waitFor } from '../../support/waitFor';

/**
 * The push outbox and the remote's configuration (main/sync/) against real remotes at a path:
 * the backlog derived from git, a push that delivers it, the sync state file across failures
 * (offline, rejected) and recovery, fetching another host's records, and the background loop.
 */

const { dir: tmp, fresh } = scratchFolder('bg-outbox-');

/** The test's own git (not the one under test). */
function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function bareRemote(): string {
  const dir = fresh('remote.git');
  git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
  return dir;
}

/** A host's context on its own evidence repository (root may declare). */
async function host(hostId: string, repo?: string): Promise<ConsoleContext> {
  const dir = repo ?? fresh(`evidence-${hostId}`);
  if (!repo) {
    await GitEvidenceStore.open(dir, { create: true });
    allowRoot(dir);
  }
  return openContext({ repo: dir, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: hostId }) });
}

function stateFile(ctx: ConsoleContext): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(ctx.store.gitDir, 'breakglass-outbox.json'), 'utf8')) as Record<string, unknown>;
}

describe('a host without a remote', () => {
  it('is local-only: nothing to push, no row is pushed or pending', async () => {
    const ctx = await host('alone');
    await ctx.service.declare(declaration());
    expect(await ctx.remote.config()).toEqual({ url: null, branch: 'main' });
    expect(await ctx.outbox.status()).toEqual({ state: 'local-only' });
    expect(await ctx.outbox.syncOnce()).toEqual({ state: 'local-only' });
    expect(await ctx.outbox.pendingCommits()).toBeNull();
  });
});

describe('the remote\'s configuration', () => {
  it('sets the URL and a remote branch in the repository\'s git config; refuses a password or an option', async () => {
    const ctx = await host('config');
    const remote = bareRemote();
    await ctx.remote.set(remote, 'evidence');
    expect(git(ctx.store.dir, ['remote', 'get-url', 'origin'])).toBe(remote);
    expect(await ctx.remote.config()).toEqual({ url: remote, branch: 'evidence' });
    await ctx.remote.set(remote, 'main');
    expect(await ctx.remote.branch()).toBe('main');
    expect(spawnSync('git', ['config', '--local', 'breakglass.remoteBranch'], { cwd: ctx.store.dir }).status).toBe(1);
    await expect(ctx.remote.set('https://ada:hunter2@git.example.com/sec/evidence.git')).rejects.toMatchObject({ code: 'invalid-input', field: 'url' });
    await expect(ctx.remote.set('--upload-pack=touch /tmp/x')).rejects.toMatchObject({ code: 'invalid-input', field: 'url' });
    expect(git(ctx.store.dir, ['remote', 'get-url', 'origin'])).toBe(remote);
  });
});

describe('pushing the backlog', () => {
  it('counts the record commits not on the remote, pushes them all in one go, and records the push', async () => {
    const ctx = await host('pusher');
    const remote = bareRemote();
    await ctx.remote.set(remote);
    const d = await ctx.service.declare(declaration());
    const n = await ctx.service.note({ sessionId: d.state.sessionId }, 'lock released');
    expect(await ctx.outbox.pendingCount()).toBe(2);
    // Issue 14: the records are on the host's own ref (which starts at the organisation root).
    expect(await ctx.outbox.pendingCommits()).toEqual(new Set(git(ctx.store.dir, ['rev-list', 'refs/heads/hosts/pusher']).split('\n')));
    expect(await ctx.outbox.status()).toMatchObject({ state: 'pending', pending: 2, remote });

    const s = await ctx.outbox.syncOnce();
    expect(s).toMatchObject({ state: 'synced', remote });
    expect(git(remote, ['rev-parse', 'refs/heads/hosts/pusher'])).toBe(n.commit);
    expect(git(ctx.store.dir, ['rev-parse', 'refs/remotes/origin/hosts/pusher'])).toBe(n.commit);
    expect(await ctx.outbox.pendingCount()).toBe(0);
    expect(await ctx.outbox.pendingCommits()).toEqual(new Set());
    const state = stateFile(ctx);
    expect(state).toMatchObject({ failure: null, nextTryAt: null });
    expect(state.lastPushAt).toBe(state.lastAttemptAt);
    expect(await ctx.outbox.status()).toEqual({ state: 'synced', remote, lastPushAt: state.lastPushAt });
  });

  it('while the remote is down: offline with the network\'s reason, a run of failures keeps its start, then the backlog goes once it is back', async () => {
    const ctx = await host('offline');
    await ctx.service.declare(declaration());
    await ctx.remote.set(`git://127.0.0.1:${await freePort()}/evidence.git`);
    const first = await ctx.outbox.syncOnce();
    expect(first).toMatchObject({ state: 'offline', pending: 1 });
    if (first.state !== 'offline') throw new Error('expected offline');
    expect(first.reason).toMatch(/unable to connect|connection refused/i);
    expect(Date.parse(first.nextTryAt!)).toBeGreaterThan(Date.parse(first.since));
    const second = await ctx.outbox.syncOnce();
    expect(second).toMatchObject({ state: 'offline', since: first.since });
    expect(stateFile(ctx).failure).toMatchObject({ kind: 'offline', attempts: 2, since: first.since });

    const remote = bareRemote();
    await ctx.remote.set(remote);
    expect(await ctx.outbox.syncOnce()).toMatchObject({ state: 'synced' });
    expect(stateFile(ctx).failure).toBeNull();
    expect(git(remote, ['rev-parse', 'main'])).toBe(git(ctx.store.dir, ['rev-parse', 'main']));
    expect(git(remote, ['rev-parse', 'refs/heads/hosts/offline'])).toBe(git(ctx.store.dir, ['rev-parse', 'refs/heads/hosts/offline']));
  });

  it('a remote that is not a repository is a rejection (a person must act), never touching local evidence', async () => {
    const ctx = await host('rejected');
    const d = await ctx.service.declare(declaration());
    const notRepo = fresh('not-a-repo');
    mkdirSync(notRepo);
    await ctx.remote.set(notRepo);
    const s = await ctx.outbox.syncOnce();
    expect(s).toMatchObject({ state: 'rejected', pending: 1, remote: notRepo });
    if (s.state !== 'rejected') throw new Error('expected rejected');
    expect(s.reason).toMatch(/^the remote is not a git repository \(.*does not appear to be a git repository/);
    expect(git(ctx.store.dir, ['rev-parse', 'refs/heads/hosts/rejected'])).toBe(d.commit);
  });

  it('the background loop pushes after each committed record (a kick)', async () => {
    const ctx = await host('background');
    const remote = bareRemote();
    await ctx.remote.set(remote);
    ctx.outbox.start();
    try {
      const d = await ctx.service.declare(declaration());
      ctx.outbox.kick();
      await waitFor('the background push', () => spawnSync('git', ['rev-parse', 'refs/heads/hosts/background'], { cwd: remote, encoding: 'utf8' }).stdout.trim() === d.commit, { timeoutMs: 15_000 });
      const n = await ctx.service.note({ sessionId: d.state.sessionId }, 'the next record');
      ctx.outbox.kick();
      await waitFor('the next background push', () => spawnSync('git', ['rev-parse', 'refs/heads/hosts/background'], { cwd: remote, encoding: 'utf8' }).stdout.trim() === n.commit, { timeoutMs: 15_000 });
      await waitFor('the push state', async () => (await ctx.outbox.status()).state === 'synced');
    } finally {
      ctx.outbox.stop();
    }
  });
});

describe('fetching other hosts\' records', () => {
  it('fetches and merges what another host pushed, and keeps the fetch\'s outcome', async () => {
    const remote = bareRemote();
    const a = await host('host-a');
    await a.remote.set(remote);
    expect((await a.outbox.syncOnce()).state).toBe('synced');
    const bRepo = fresh('evidence-host-b');
    git(tmp, ['clone', '--quiet', '--bare', remote, bRepo]);
    const b = await host('host-b', bRepo);
    await b.remote.set(remote);
    const theirs = await b.service.declare(declaration({ incidentId: 'INC-777' }));
    expect((await b.outbox.syncOnce()).state).toBe('synced');

    const { state, outcome } = await a.outbox.fetchOnce();
    expect(outcome).toMatchObject({ merged: 'fast-forward' });
    expect(state.failure).toBeNull();
    expect(state.lastFetchAt).toBe(state.lastAttemptAt);
    expect(await a.outbox.fetchState()).toEqual(state);
    expect((await a.service.read()).sessions.get(theirs.state.sessionId)?.[0]?.commit).toBe(theirs.commit);
  });

  it('an empty remote has nothing to fetch: a successful fetch', async () => {
    const a = await host('empty-remote');
    await a.remote.set(bareRemote());
    const { state, outcome } = await a.outbox.fetchOnce();
    expect(outcome).toBeNull();
    expect(state).toMatchObject({ failure: null });
    expect(state.lastFetchAt).not.toBeNull();
  });

  it('a failed fetch after the last push makes the push state offline too (the header agrees with the board)', async () => {
    const a = await host('fetch-fails');
    const remote = bareRemote();
    await a.remote.set(remote);
    expect((await a.outbox.syncOnce()).state).toBe('synced');
    await a.remote.set(`git://127.0.0.1:${await freePort()}/evidence.git`);
    const { state } = await a.outbox.fetchOnce();
    expect(state.failure).toMatchObject({ kind: 'offline', attempts: 1 });
    const again = await a.outbox.fetchOnce();
    expect(again.state.failure).toMatchObject({ kind: 'offline', attempts: 2, since: state.failure!.since });
    expect(await a.outbox.status()).toMatchObject({ state: 'offline', pending: 0, since: state.failure!.since, nextTryAt: null });
  });
});

describe('backoff', () => {
  it('doubles from 2 s with full jitter (half to all of the step), capped at 5 minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, () => 1))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelayMs(30, () => 1)).toBe(300_000);
    expect(backoffDelayMs(30, () => 0)).toBe(150_000);
    expect(backoffDelayMs(0, () => 1)).toBe(2_000);
  });
});
