import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openContext, type ConsoleContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { allowRoot, declaration } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

/**
 * What a push leaves behind (issue 14 benchmark work): the backlog is counted against the
 * remote-tracking refs, so after every push they must hold exactly what the remote has — whether
 * git's own push moved them (a bare clone, where the push maps them; a clone's default refspec) or
 * they were recorded after it (a repository with a fetch refspec of its own) — and a push after
 * another host's push still succeeds. The remote's configuration may be changed by another process
 * at any time; the next push follows it.
 */

const { dir: tmp, fresh } = scratchFolder('bg-push-tracking-');

/** The test's own git (not the one under test). */
function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A ref's commit, or null when it does not exist. */
function refOf(repo: string, ref: string): string | null {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: repo, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function open(repo: string, hostId: string): Promise<ConsoleContext> {
  return openContext({ repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: hostId }) });
}

/** An organisation remote at a path: a new evidence repository (root may declare), made bare. */
async function orgRemote(): Promise<string> {
  const dir = fresh('org.git');
  await GitEvidenceStore.open(dir, { create: true });
  allowRoot(dir);
  return dir;
}

/** Every way a host's repository can know the remote, as far as a push's tracking refs go. */
const LAYOUTS = {
  // `git clone --bare`: no fetch refspec at all.
  'a bare clone': (remote: string, repo: string) => git(tmp, ['clone', '--quiet', '--bare', remote, repo]),
  // `git clone`: the default refspec, +refs/heads/*:refs/remotes/origin/*.
  'a clone with the default refspec': (remote: string, repo: string) => git(tmp, ['clone', '--quiet', remote, repo]),
  // A refspec of its own, mapping branches elsewhere: git's push moves only that one.
  'a repository with a fetch refspec of its own': (remote: string, repo: string) => {
    git(tmp, ['clone', '--quiet', '--bare', remote, repo]);
    git(repo, ['config', '--add', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/mirror/*']);
  },
} as const;

/** The host's tracking refs hold what the remote has of its ref and of the organisation branch; nothing of its own is pending. */
async function expectTracked(ctx: ConsoleContext, remote: string, id: string): Promise<void> {
  const own = `refs/heads/hosts/${id}`;
  expect(refOf(remote, own)).toBe(refOf(ctx.store.dir, own));
  expect(refOf(ctx.store.dir, `refs/remotes/origin/hosts/${id}`)).toBe(refOf(remote, own));
  expect(refOf(ctx.store.dir, 'refs/remotes/origin/main')).toBe(refOf(remote, 'refs/heads/main'));
  expect(await ctx.outbox.pendingCount()).toBe(0);
  expect(await ctx.outbox.status()).toMatchObject({ state: 'synced', remote: git(ctx.store.dir, ['remote', 'get-url', 'origin']) });
}

describe('after a push the tracking refs hold what the remote has', () => {
  for (const [layout, make] of Object.entries(LAYOUTS)) {
    it(`in ${layout}, for the background push and "push now", and again after another host pushed`, async () => {
      const remote = await orgRemote();
      const aRepo = fresh('host-a');
      make(remote, aRepo);
      const a = await open(aRepo, 'host-a');
      const d = await a.service.declare(declaration());
      await a.service.note({ sessionId: d.state.sessionId }, 'first');
      // The background push (no fetch first): on a bare clone the remote's organisation branch is
      // not known yet, so it is sent along, and tracked too.
      expect(await a.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced' });
      await expectTracked(a, remote, 'host-a');
      expect(await a.outbox.pendingCommits()).toEqual(new Set());

      // Another host pushes its own records in between.
      const bRepo = fresh('host-b');
      git(tmp, ['clone', '--quiet', '--bare', remote, bRepo]);
      const b = await open(bRepo, 'host-b');
      const theirs = await b.service.declare(declaration({ incidentId: 'INC-4242' }));
      expect(await b.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced' });
      await expectTracked(b, remote, 'host-b');

      // A's next records go with "push now" (fetch first, then push): B's ref arrives, A's goes.
      const n = await a.service.note({ sessionId: d.state.sessionId }, 'second');
      expect(await a.outbox.pendingCount()).toBe(1);
      expect(await a.outbox.syncOnce()).toMatchObject({ state: 'synced' });
      expect(refOf(remote, 'refs/heads/hosts/host-a')).toBe(n.commit);
      expect(refOf(remote, 'refs/heads/hosts/host-b')).toBe(theirs.commit);
      expect(refOf(aRepo, 'refs/remotes/origin/hosts/host-b')).toBe(theirs.commit);
      await expectTracked(a, remote, 'host-a');
      expect(await a.outbox.pendingCommits()).toEqual(new Set());

      // Nothing new: the push still goes to the remote and reports synced; the refs stay as they are.
      expect(await a.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced' });
      await expectTracked(a, remote, 'host-a');
      // And once more with new records, now that the own ref and the organisation branch are known.
      const last = await a.service.note({ sessionId: d.state.sessionId }, 'third');
      expect(await a.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced' });
      expect(refOf(remote, 'refs/heads/hosts/host-a')).toBe(last.commit);
      await expectTracked(a, remote, 'host-a');
      if (layout === 'a repository with a fetch refspec of its own') {
        // git moved its own refspec's ref as it always did; ours was recorded beside it.
        expect(refOf(aRepo, 'refs/remotes/mirror/hosts/host-a')).toBe(last.commit);
      }
    });
  }

  it('a push after the own ref was deleted by hand does what a host\'s push without one does: no failure, nothing forced', async () => {
    const remote = await orgRemote();
    const repo = fresh('host-gone');
    git(tmp, ['clone', '--quiet', '--bare', remote, repo]);
    const ctx = await open(repo, 'host-gone');
    const d = await ctx.service.declare(declaration());
    for (let i = 0; i < 2; i++) expect(await ctx.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced' });
    git(repo, ['update-ref', '-d', 'refs/heads/hosts/host-gone']);
    const s = await ctx.outbox.syncOnce({ fetchFirst: false });
    expect(s).toMatchObject({ state: 'synced' });
    expect(JSON.parse(readFileSync(path.join(ctx.store.gitDir, 'breakglass-outbox.json'), 'utf8'))).toMatchObject({ failure: null });
    // The host's records are found on its fetched copy, so the layout move writes its journal note
    // on a new own ref from there: the remote's ref moves on by a fast-forward, never forced.
    const now = refOf(repo, 'refs/heads/hosts/host-gone');
    expect(now).not.toBeNull();
    expect(spawnSync('git', ['merge-base', '--is-ancestor', d.commit!, now!], { cwd: repo }).status).toBe(0);
    await expectTracked(ctx, remote, 'host-gone');
  });

  it('on an empty remote the first push creates the organisation branch and tracks it, under its own name or another', async () => {
    for (const remoteBranch of ['main', 'evidence']) {
      const remote = fresh('empty.git');
      git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
      const repo = fresh(`host-${remoteBranch}`);
      await GitEvidenceStore.open(repo, { create: true });
      allowRoot(repo);
      const ctx = await open(repo, 'creator');
      // `remote add`: the default refspec maps refs/heads/evidence onto origin/evidence, not origin/main.
      await ctx.remote.set(remote, remoteBranch);
      const d = await ctx.service.declare(declaration());
      expect(await ctx.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced' });
      expect(refOf(remote, `refs/heads/${remoteBranch}`)).toBe(refOf(repo, 'refs/heads/main'));
      expect(refOf(repo, 'refs/remotes/origin/main')).toBe(refOf(remote, `refs/heads/${remoteBranch}`));
      expect(refOf(repo, 'refs/remotes/origin/hosts/creator')).toBe(d.commit);
      expect(await ctx.outbox.pendingCount()).toBe(0);
    }
  });
});

describe('the remote\'s configuration, changed by another process', () => {
  it('is followed by the next push: a new URL, then no remote at all', async () => {
    const first = await orgRemote();
    const repo = fresh('host-c');
    git(tmp, ['clone', '--quiet', '--bare', first, repo]);
    const ctx = await open(repo, 'host-c');
    const d = await ctx.service.declare(declaration());
    expect(await ctx.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced', remote: first });

    // Another process (`git remote set-url`, a second console, the CLI) points the repository elsewhere.
    const second = fresh('org.git');
    git(tmp, ['clone', '--quiet', '--bare', first, second]);
    git(repo, ['remote', 'set-url', 'origin', second]);
    expect(await ctx.remote.config()).toEqual({ url: second, branch: 'main' });
    const n = await ctx.service.note({ sessionId: d.state.sessionId }, 'after the move');
    expect(await ctx.outbox.syncOnce({ fetchFirst: false })).toMatchObject({ state: 'synced', remote: second });
    expect(refOf(second, 'refs/heads/hosts/host-c')).toBe(n.commit);
    expect(refOf(first, 'refs/heads/hosts/host-c')).not.toBe(n.commit);

    // The remote branch set in config by hand is followed too.
    git(repo, ['config', 'breakglass.remoteBranch', 'evidence']);
    expect(await ctx.remote.config()).toEqual({ url: second, branch: 'evidence' });

    git(repo, ['remote', 'remove', 'origin']);
    expect(await ctx.remote.config()).toEqual({ url: null, branch: 'evidence' });
    expect(await ctx.outbox.syncOnce({ fetchFirst: false })).toEqual({ state: 'local-only' });
    expect(await ctx.outbox.status()).toEqual({ state: 'local-only' });
  });
});
