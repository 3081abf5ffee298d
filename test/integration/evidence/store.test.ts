import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BreakGlassService } from '../../../app/service';
import { recordPath } from '../../../app/records';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { verifyRepository } from '../../../main/evidence/verify';
import { nodeHostInfo, systemClock } from '../../../main/host/hostInfo';
import { allowRoot, declaration, editPolicy } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

/**
 * The evidence store (main/evidence/) against real repositories: initialisation, one commit per
 * record through the commit path, the ledger index read incrementally and from its derived
 * caches, another writer's moved branch, and merging another host's history (fast-forward, a
 * real merge, the organisation's policy winning, a record path two hosts both wrote).
 */

const { dir: tmp, fresh } = scratchFolder('bg-store-');
const SYSTEM = { name: 'Evidence Init', email: 'init@example.invalid' };

/** The test's own git (not the one under test). */
function git(cwd: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, { cwd, input, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Policy Admin', GIT_AUTHOR_EMAIL: 'policy@example.com', GIT_COMMITTER_NAME: 'Policy Admin', GIT_COMMITTER_EMAIL: 'policy@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A new evidence repository whose policy lets root declare (CI runs as root). */
async function newRepo(): Promise<string> {
  const dir = fresh('evidence');
  await GitEvidenceStore.open(dir, { create: true, systemAuthor: SYSTEM });
  allowRoot(dir);
  return dir;
}

/** The service on a store, as a host with `hostId`. */
function serviceOn(store: GitEvidenceStore, hostId = 'host-a'): BreakGlassService {
  return new BreakGlassService({ store, clock: systemClock, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: hostId }) });
}

/** A bare clone with the remote-tracking ref the merge reads, as a fetch leaves it. */
function bareClone(from: string): string {
  const dir = fresh('clone');
  git(tmp, ['clone', '--quiet', '--bare', from, dir]);
  return dir;
}

/** Fetches as the outbox does (issue 14): the organisation branch and every host's ref. */
function fetchInto(repo: string, from: string): void {
  git(repo, ['fetch', '--quiet', '--refmap=', from, '+refs/heads/main:refs/remotes/origin/main', 'refs/heads/hosts/*:refs/remotes/origin/hosts/*']);
}

describe('opening an evidence repository', () => {
  it('creates and initialises an absent folder: bare, main, the default policy and README in one commit, durable config', async () => {
    const dir = fresh('new');
    const store = await GitEvidenceStore.open(dir, { create: true, systemAuthor: SYSTEM });
    expect(git(dir, ['rev-parse', '--is-bare-repository'])).toBe('true');
    expect(store.branch).toBe('main');
    expect(git(dir, ['ls-tree', '--name-only', 'main']).split('\n').sort()).toEqual(['README.md', 'policy.yaml']);
    expect(git(dir, ['log', '--format=%an <%ae>|%cn <%ce>|%s', 'main'])).toBe('Evidence Init <init@example.invalid>|Evidence Init <init@example.invalid>|breakglass: initialise evidence repository with the default policy');
    expect(git(dir, ['config', '--local', 'core.fsync'])).toBe('objects,reference,index');
    expect(git(dir, ['config', '--local', 'core.fsyncMethod'])).toBe('fsync');
    const view = await store.read();
    expect(view.head).toBe(git(dir, ['rev-parse', 'main']));
    expect(view.sessions.size).toBe(0);
    expect(view.policy).toMatchObject({ ok: true, source: 'repository' });
    // Opening again changes nothing.
    await GitEvidenceStore.open(dir, { create: true, systemAuthor: SYSTEM });
    expect(git(dir, ['rev-list', '--count', 'main'])).toBe('1');
  });

  it('without `create`, refuses an absent folder, a folder that is not a repository, and a repository without commits', async () => {
    const absent = fresh('absent');
    await expect(GitEvidenceStore.open(absent)).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('No evidence repository at') });
    const plain = fresh('plain');
    mkdirSync(plain);
    writeFileSync(path.join(plain, 'notes.txt'), 'not a repository');
    await expect(GitEvidenceStore.open(plain, { create: true })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('is not a git repository') });
    const empty = fresh('empty.git');
    git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', empty]);
    await expect(GitEvidenceStore.open(empty)).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('has no commits on main') });
  });

  it('names the branch HEAD names, read from the HEAD file or, when HEAD is no plain branch, asked of git (issue 18)', async () => {
    const dir = await newRepo();
    const main = git(dir, ['rev-parse', 'main']);
    git(dir, ['update-ref', 'refs/heads/trunk', main]);
    git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/trunk']);
    expect((await GitEvidenceStore.open(dir)).branch).toBe('trunk');
    // A tag of the same name makes git's short name `heads/trunk`; the branch is still trunk.
    git(dir, ['tag', 'trunk', main]);
    expect((await GitEvidenceStore.open(dir)).branch).toBe('trunk');
    // Detached: git says no branch, and the organisation branch is main.
    git(dir, ['update-ref', '--no-deref', 'HEAD', main]);
    const detached = await GitEvidenceStore.open(dir, { hostId: 'host-a', openOnly: true });
    expect(detached.branch).toBe('main');
    expect((await detached.read()).head).toBe(main);
  });

  it('sets the durable fsync settings an existing repository lacks or has otherwise, and leaves them alone when set; never when reading only', async () => {
    const dir = await newRepo();
    const config = path.join(dir, 'config');
    git(dir, ['config', '--local', '--unset', 'core.fsync']);
    git(dir, ['config', '--local', 'core.fsyncMethod', 'writeout-only']);
    const before = readFileSync(config, 'utf8');
    await GitEvidenceStore.open(dir, { readOnly: true });
    expect(readFileSync(config, 'utf8')).toBe(before);
    await GitEvidenceStore.open(dir, { hostId: 'host-a', openOnly: true });
    expect(git(dir, ['config', '--local', 'core.fsync'])).toBe('objects,reference,index');
    expect(git(dir, ['config', '--local', '--get-all', 'core.fsyncMethod'])).toBe('fsync');
    const durable = readFileSync(config, 'utf8');
    await GitEvidenceStore.open(dir);
    expect(readFileSync(config, 'utf8')).toBe(durable);
  });
});

describe('committing records', () => {
  it('commits each record as one file in one commit, authored by its actor at its time, and the view carries the commit', async () => {
    const dir = await newRepo();
    const store = await GitEvidenceStore.open(dir);
    const service = serviceOn(store);
    const declared = await service.declare(declaration({ incidentId: 'INC-4242' }));
    const note = await service.note({ sessionId: declared.state.sessionId }, 'lock released');
    // Issue 14: a host's records go on its own ref; the organisation branch keeps only the policy.
    expect(git(dir, ['rev-parse', 'refs/heads/hosts/host-a'])).toBe(note.commit);
    expect(git(dir, ['rev-parse', `${note.commit}^`])).toBe(declared.commit);
    for (const r of [declared, note]) {
      const file = recordPath(r.record, declared.record.at);
      expect(git(dir, ['diff-tree', '--no-commit-id', '--name-only', '-r', r.commit])).toBe(file);
      expect(JSON.parse(git(dir, ['show', `${r.commit}:${file}`]))).toEqual(r.record);
      expect(git(dir, ['log', '-1', '--format=%an <%ae> %at', r.commit])).toBe(`Ada Lovelace <ada@example.com> ${Math.floor(Date.parse(r.record.at) / 1000)}`);
    }
    expect(git(dir, ['log', '-1', '--format=%s', declared.commit])).toBe(`breakglass(${declared.state.sessionId}): declared INC-4242`);
    const view = await store.read();
    expect(view.head).toBe(note.commit);
    expect(view.sessions.get(declared.state.sessionId)?.map((e) => [e.record.seq, e.commit])).toEqual([[1, declared.commit], [2, note.commit]]);
    // The derived caches beside git's objects learned both records.
    const gitDir = store.gitDir;
    const commits = readFileSync(path.join(gitDir, 'breakglass-commits'), 'utf8');
    expect(commits).toContain(`A ${note.commit} ${recordPath(note.record, declared.record.at)}`);
    expect(commits.trim().split('\n').at(-2)).toBe(`T ${note.commit}`);
    expect(commits.trim().split('\n').at(-1)).toBe(`H ${view.viewId}`);
    expect(readFileSync(path.join(gitDir, 'breakglass-records'), 'utf8')).toContain(`"hash":"${note.record.hash}"`);
  });

  it('a second store sees another writer\'s records, and writing on a view another writer made stale still chains correctly', async () => {
    const dir = await newRepo();
    const a = await GitEvidenceStore.open(dir);
    const b = await GitEvidenceStore.open(dir);
    const declared = await serviceOn(a).declare(declaration());
    const id = declared.state.sessionId;
    expect((await b.read()).sessions.get(id)?.map((e) => e.commit)).toEqual([declared.commit]);
    // A's cached view is now stale: B moves the branch.
    await serviceOn(b).note({ sessionId: id }, 'from B');
    const fromA = await serviceOn(a).note({ sessionId: id }, 'from A, on a stale view');
    expect(fromA.record.seq).toBe(3);
    const view = await a.read();
    const entries = view.sessions.get(id)!;
    expect(entries.map((e) => e.record.type)).toEqual(['declared', 'note', 'note']);
    expect(entries[2]!.record.prev).toBe(entries[1]!.record.hash);
    const report = await verifyRepository(a);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('a cold start reads the same ledger with or without its derived caches (they are never the source of truth)', async () => {
    const dir = await newRepo();
    const store = await GitEvidenceStore.open(dir);
    const service = serviceOn(store);
    const d = await service.declare(declaration());
    for (let i = 0; i < 3; i++) await service.note({ sessionId: d.state.sessionId }, `note ${i}`);
    const expected = (await store.read()).sessions.get(d.state.sessionId)!.map((e) => [e.path, e.commit, e.record.hash]);
    const warm = await GitEvidenceStore.open(dir);
    expect((await warm.read()).sessions.get(d.state.sessionId)!.map((e) => [e.path, e.commit, e.record.hash])).toEqual(expected);
    for (const f of ['breakglass-commits', 'breakglass-records']) rmSync(path.join(store.gitDir, f));
    const cold = await GitEvidenceStore.open(dir);
    expect((await cold.read()).sessions.get(d.state.sessionId)!.map((e) => [e.path, e.commit, e.record.hash])).toEqual(expected);
  });

  it('lists a record file that is not a valid record as unreadable, never skipping it', async () => {
    const dir = await newRepo();
    const store = await GitEvidenceStore.open(dir);
    await serviceOn(store).declare(declaration());
    // Someone commits a broken file through git itself.
    const work = fresh('work');
    git(tmp, ['clone', '--quiet', dir, work]);
    const bad = 'sessions/2026/11/bg-20261128-094826-0a1b2c3d/000001-declared.json';
    mkdirSync(path.join(work, path.dirname(bad)), { recursive: true });
    writeFileSync(path.join(work, bad), '{ not json');
    git(work, ['add', '-A']);
    git(work, ['commit', '--quiet', '-m', 'broken']);
    git(work, ['push', '--quiet', 'origin', 'HEAD:main']);
    const view = await store.read();
    expect(view.unreadable).toEqual([expect.objectContaining({ path: bad, message: expect.stringMatching(/^not JSON/) })]);
  });

  it('reads the git identity configured for the repository', async () => {
    const dir = await newRepo();
    git(dir, ['config', '--local', 'user.name', 'Grace Hopper']);
    git(dir, ['config', '--local', 'user.email', 'grace@example.com']);
    expect(await (await GitEvidenceStore.open(dir)).gitIdentity()).toEqual({ name: 'Grace Hopper', email: 'grace@example.com' });
  });
});

describe('taking in other hosts\' refs (issue 14: no merge, the view is their union)', () => {
  it('another host\'s ref arrives with its commit ids; nothing new is nothing to take in', async () => {
    const dir = await newRepo();
    const other = bareClone(dir);
    const theirs = await serviceOn(await GitEvidenceStore.open(other), 'host-b').declare(declaration());
    const store = await GitEvidenceStore.open(dir);
    await store.read();
    const main = git(dir, ['rev-parse', 'main']);
    fetchInto(dir, other);
    const outcome = await store.takeFetched();
    expect(outcome).toEqual({ merged: 'fast-forward', policyAdopted: null, lockRecovered: null });
    // Their record stays on their ref, with its own commit id; the organisation branch is unchanged.
    expect(git(dir, ['rev-parse', 'refs/remotes/origin/hosts/host-b'])).toBe(theirs.commit);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    expect((await store.read()).sessions.get(theirs.state.sessionId)?.[0]?.commit).toBe(theirs.commit);
    // Nothing new: nothing to take in.
    expect((await store.takeFetched()).merged).toBe('none');
  });

  it('a read that took the fetched refs in first (the console\'s tick, meanwhile) does not make the fetch look empty: the view before the fetch decides', async () => {
    const dir = await newRepo();
    const other = bareClone(dir);
    await serviceOn(await GitEvidenceStore.open(other), 'host-b').declare(declaration());
    const store = await GitEvidenceStore.open(dir);
    await store.read();
    const beforeFetch = (await store.readTips()).viewId;
    fetchInto(dir, other);
    await store.read(); // the tick's read, between the git fetch and taking it in
    // Compared with its own view alone (as before), the fetch brought nothing; with the view before the fetch, it did.
    expect((await store.takeFetched()).merged).toBe('none');
    expect((await store.takeFetched(beforeFetch)).merged).toBe('fast-forward');
    expect((await store.takeFetched((await store.readTips()).viewId)).merged).toBe('none');
  });

  it('two hosts that both wrote: both records are read with their commit ids, and no merge commit exists anywhere', async () => {
    const dir = await newRepo();
    const other = bareClone(dir);
    const theirs = await serviceOn(await GitEvidenceStore.open(other), 'host-b').declare(declaration());
    const store = await GitEvidenceStore.open(dir);
    const ours = await serviceOn(store).declare(declaration({ environment: 'pre-production' }));
    fetchInto(dir, other);
    const outcome = await store.takeFetched();
    expect(outcome).toEqual({ merged: 'fast-forward', policyAdopted: null, lockRecovered: null });
    expect(git(dir, ['rev-list', '--merges', '--all'])).toBe('');
    expect(git(dir, ['rev-parse', 'refs/heads/hosts/host-a'])).toBe(ours.commit);
    expect(git(dir, ['rev-parse', 'refs/remotes/origin/hosts/host-b'])).toBe(theirs.commit);
    const view = await store.read();
    expect(view.sessions.get(ours.state.sessionId)?.[0]?.commit).toBe(ours.commit);
    expect(view.sessions.get(theirs.state.sessionId)?.[0]?.commit).toBe(theirs.commit);
    expect((await verifyRepository(store)).problems).toEqual([]);
  });

  it('joining an organisation\'s unrelated history: the organisation\'s policy wins and the adoption is reported', async () => {
    const org = await newRepo();
    editPolicy(org, (p) => ({ ...p, justificationMinLength: 45 }));
    const orgPolicy = git(org, ['show', 'main:policy.yaml']);
    // Two repositories created in the same second get the same root commit (same content, author
    // and time), and then their histories are related: start this host's in the next second.
    await new Promise((resolve) => setTimeout(resolve, 1_010 - (Date.now() % 1_000)));
    const dir = await newRepo();
    expect(git(dir, ['rev-list', '--max-parents=0', 'main']), 'the two histories are unrelated').not.toBe(git(org, ['rev-list', '--max-parents=0', 'main']));
    const store = await GitEvidenceStore.open(dir);
    const ours = await serviceOn(store).declare(declaration());
    const before = (await store.read()).policy.sha256;
    fetchInto(dir, org);
    const outcome = await store.takeFetched();
    expect(outcome.merged).toBe('fast-forward');
    expect(outcome.policyAdopted).toEqual({ previous: before, adopted: (await store.read()).policy.sha256 });
    expect(outcome.policyAdopted?.adopted).not.toBe(before);
    expect(git(dir, ['show', 'main:policy.yaml'])).toBe(orgPolicy);
    const view = await store.read();
    expect(view.policy).toMatchObject({ ok: true, policy: { justificationMinLength: 45 } });
    // The host's own ref (and its record's commit) is untouched; its first policy stays in its history.
    expect(git(dir, ['rev-parse', 'refs/heads/hosts/host-a'])).toBe(ours.commit);
    expect(view.sessions.get(ours.state.sessionId)?.[0]?.commit).toBe(ours.commit);
  });

  it('two refs holding different copies of one record path: a finding that names both, shown, with local evidence untouched', async () => {
    const dir = await newRepo();
    const other = bareClone(dir);
    const path1 = 'sessions/2026/11/bg-20261128-094826-0a1b2c3d/000001-declared.json';
    for (const [repo, text, ref] of [[dir, '{"from":"here"}', 'hosts/host-a'], [other, '{"from":"there"}', 'hosts/host-b']] as const) {
      const work = fresh('work');
      git(tmp, ['clone', '--quiet', repo, work]);
      mkdirSync(path.join(work, path.dirname(path1)), { recursive: true });
      writeFileSync(path.join(work, path1), text);
      git(work, ['add', '-A']);
      git(work, ['commit', '--quiet', '-m', `same path, ${text}`]);
      git(work, ['push', '--quiet', 'origin', `HEAD:refs/heads/${ref}`]);
    }
    const store = await GitEvidenceStore.open(dir);
    const refs = git(dir, ['for-each-ref']);
    fetchInto(dir, other);
    await store.takeFetched();
    const view = await store.read();
    expect(view.conflicts?.map((c) => [c.path, c.copies.map((x) => x.ref).sort()])).toEqual([[path1, ['refs/heads/hosts/host-a', 'refs/remotes/origin/hosts/host-b']]]);
    const report = await verifyRepository(store);
    expect(report.problems.some((p) => p.path === path1 && /Refs hold different copies of this record: .*hosts\/host-a.*hosts\/host-b/.test(p.message))).toBe(true);
    expect(git(dir, ['for-each-ref']).split('\n').filter((l) => !l.includes('refs/remotes/'))).toEqual(refs.split('\n'));
  });
});
