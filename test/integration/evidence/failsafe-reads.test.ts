import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BreakGlassService } from '../../../app/service';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { verifyRepository } from '../../../main/evidence/verify';
import { nodeHostInfo, systemClock } from '../../../main/host/hostInfo';
import { allowRoot, CLOSURE, declaration } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

/**
 * Issue 12 items 3, 4 and 5 on real repositories: verify reads git, never the derived caches; only
 * the configured remote's tracking ref counts; another host's bad file or an invalid policy.yaml is
 * shown and reported but never stops this host.
 */

const { dir: tmp, fresh } = scratchFolder('bg-failsafe-reads-');
const ADMIN = { GIT_AUTHOR_NAME: 'Policy Admin', GIT_AUTHOR_EMAIL: 'policy@example.com', GIT_COMMITTER_NAME: 'Policy Admin', GIT_COMMITTER_EMAIL: 'policy@example.com' };

function git(cwd: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, { cwd, input, encoding: 'utf8', env: { ...process.env, ...ADMIN } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

async function repoWithService(hostId = 'host-a'): Promise<{ dir: string; store: GitEvidenceStore; service: BreakGlassService }> {
  const dir = fresh('evidence');
  await GitEvidenceStore.open(dir, { create: true });
  allowRoot(dir);
  const store = await GitEvidenceStore.open(dir, { hostId });
  return { dir, store, service: new BreakGlassService({ store, clock: systemClock, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: hostId }) }) };
}

/** Commits `files` on top of `parent` as `ref` (a tree built from the parent's), as any clone could push. */
function commitOn(dir: string, ref: string, parent: string, files: Record<string, string>): string {
  const index = path.join(tmp, `index-${Math.random().toString(16).slice(2)}`);
  const env = { GIT_INDEX_FILE: index };
  const run = (args: string[], input?: string) => {
    const r = spawnSync('git', args, { cwd: dir, input, encoding: 'utf8', env: { ...process.env, ...ADMIN, ...env } });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  run(['read-tree', parent]);
  for (const [p, text] of Object.entries(files)) run(['update-index', '--add', '--cacheinfo', `100644,${run(['hash-object', '-w', '--stdin'], text)},${p}`]);
  const commit = run(['commit-tree', run(['write-tree']), '-p', parent, '-m', 'pushed from a clone']);
  run(['update-ref', ref, commit]);
  return commit;
}

describe('verify reads git, not the derived caches (issue 12 item 3)', () => {
  it('a record cache edited to disagree with git is discarded and rebuilt, verify says so, and reports what git holds', async () => {
    const { dir, store, service } = await repoWithService();
    const d = await service.declare(declaration());
    await service.note({ sessionId: d.state.sessionId }, 'lock released by job 7f3c');
    const cacheFile = path.join(store.gitDir, 'breakglass-records');
    const cache = readFileSync(cacheFile, 'utf8');
    expect(cache).toContain('job 7f3c');
    writeFileSync(cacheFile, cache.replace('job 7f3c', 'job 0000'));

    // A console opened now reads the edited cache…
    const fooled = await GitEvidenceStore.open(dir, { hostId: 'host-a' });
    expect(JSON.stringify([...(await fooled.read()).sessions.get(d.state.sessionId)!].map((e) => e.record))).toContain('job 0000');
    // …verify does not: it reports git's record, finds no problem in the evidence, and names the repair.
    const report = await verifyRepository(fooled);
    expect(report.problems).toEqual([]);
    expect(report.notices).toHaveLength(1);
    expect(report.notices[0]).toMatch(/disagreed with git for 1 record\(s\); they were discarded and rebuilt/);
    expect(readFileSync(cacheFile, 'utf8')).not.toContain('job 0000');
    const fresh2 = await GitEvidenceStore.open(dir, { hostId: 'host-a' });
    expect(JSON.stringify((await fresh2.read()).sessions.get(d.state.sessionId)!.map((e) => e.record))).toContain('job 7f3c');
  });
});

describe('only the configured remote counts (issue 12 item 4)', () => {
  it('a decoy refs/remotes/a/… beside a rewritten own ref changes nothing: verify fails and names origin\'s ref', async () => {
    const { dir, service } = await repoWithService();
    const remote = fresh('remote.git');
    git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const d = await service.declare(declaration());
    await service.note({ sessionId: d.state.sessionId }, 'pushed note');
    git(dir, ['remote', 'add', 'origin', remote]);
    git(dir, ['push', '--quiet', 'origin', 'refs/heads/hosts/host-a:refs/heads/hosts/host-a', 'main:main']);
    git(dir, ['fetch', '--quiet', 'origin', 'refs/heads/hosts/*:refs/remotes/origin/hosts/*', 'main:refs/remotes/origin/main']);
    // Rewrite: the own ref goes back to the declaration (the pushed note disappears), and a decoy
    // remote-tracking ref of another "remote" sorting first points at the rewritten history.
    git(dir, ['update-ref', 'refs/heads/hosts/host-a', d.commit]);
    git(dir, ['update-ref', 'refs/remotes/a/hosts/host-a', d.commit]);
    git(dir, ['update-ref', 'refs/remotes/a/main', d.commit]);
    const report = await verifyRepository(await GitEvidenceStore.open(dir, { hostId: 'host-a' }));
    expect(report.ok).toBe(false);
    expect(report.comparedWithRemote).toBe('refs/remotes/origin/hosts/host-a');
    expect(report.comparedWith).toContain('refs/remotes/origin/hosts/host-a');
    expect(report.comparedWith.some((r) => r.startsWith('refs/remotes/a/'))).toBe(false);
    expect(report.problems.some((p) => /origin\/hosts\/host-a/.test(p.message) && /history rewritten/.test(p.message))).toBe(true);
  });
});

describe('another host\'s problem never stops this host (issue 12 item 5)', () => {
  it('a file under sessions/ that is no record, on another host\'s ref: shown, reported by verify, and this host still declares', async () => {
    const { dir, store, service } = await repoWithService();
    const main = git(dir, ['rev-parse', 'main']);
    const bad = 'sessions/2026/12/bg-20261202-000000-deadbeef/000001-declared.json';
    commitOn(dir, 'refs/remotes/origin/hosts/host-evil', main, { [bad]: '{"not": "a record"' });
    const view = await store.read();
    expect(view.unreadable.map((u) => u.path)).toEqual([bad]);
    const d = await service.declare(declaration());
    expect(d.commit).toBe(git(dir, ['rev-parse', 'refs/heads/hosts/host-a']));
    const report = await verifyRepository(store);
    expect(report.problems.some((p) => p.path === bad)).toBe(true);
  });

  it('an invalid policy.yaml leaves the last valid policy in force: declare and close go on, and verify reports the file', async () => {
    const { dir, store, service } = await repoWithService();
    const valid = (await store.read()).policy;
    if (!valid.ok) throw new Error('the test policy must load');
    commitOn(dir, 'refs/heads/main', git(dir, ['rev-parse', 'main']), { 'policy.yaml': 'justificationMinLength: "not a number"\nunknownKey: [\n' });
    const view = await store.read();
    expect(view.policy).toMatchObject({ ok: true, sha256: valid.sha256, rejected: { problems: expect.any(Array) } });
    const d = await service.declare(declaration());
    expect((d.record.payload as { policySha256: string }).policySha256).toBe(valid.sha256);
    const closed = await service.close({ sessionId: d.state.sessionId }, CLOSURE);
    expect(closed.record.type).toBe('closed');
    const report = await verifyRepository(store);
    expect(report.problems.some((p) => p.path === 'policy.yaml' && /policy\.yaml is invalid/.test(p.message))).toBe(true);
  });
});
