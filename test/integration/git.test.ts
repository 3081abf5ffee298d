import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readTips } from '../../main/evidence/layout';
import { Git, GitFailure, UnsafeRepositoryConfig } from '../../main/git';
import { spawnSync } from 'node:child_process';
import { silentServer } from '../support/gitDaemon';
import { scratchFolder } from '../support/scratch';

/**
 * main/git.ts, the one place that runs git (style.md "What we take" 6), against real repositories:
 * exit codes judged by the caller, stdin, the ref transaction's compare-and-swap, the hard
 * timeout, serial calls, and an environment that an inherited GIT_DIR cannot redirect; and
 * stream()/bytes(), the Buffer path of the verifier's hot reads (issue 15): git's stdout byte for
 * byte however the pipe cuts it, and a failure that never quotes git's stderr.
 */

const { fresh } = scratchFolder('bg-git-');

/** The test's own git (not the one under test), with optional stdin. */
function git(cwd: string, args: string[], input: string | Buffer = ''): string {
  const r = spawnSync('git', args, { cwd, input, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A bare repository with one commit on main (made by the test's own git, not the one under test). */
function repoWithCommit(): { dir: string; commit: string } {
  const dir = fresh('repo');
  git(path.dirname(dir), ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
  const tree = git(dir, ['mktree']);
  const commit = git(dir, ['commit-tree', tree, '-m', `first commit of ${path.basename(dir)}`]);
  git(dir, ['update-ref', 'refs/heads/main', commit]);
  return { dir, commit };
}

/** Multibyte UTF-8 (2, 3 and 4 bytes a character) of about `bytes` bytes, with no line structure to lean on. */
function multibyte(bytes: number): Buffer {
  const unit = 'é☃😀aß€𝄞';
  return Buffer.from(unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))), 'utf8');
}

/** Whether a chunk ends inside a UTF-8 character (its tail is an incomplete sequence). */
function endsMidCharacter(chunk: Buffer): boolean {
  let i = chunk.length - 1;
  let continuation = 0;
  while (i >= 0 && (chunk[i]! & 0xc0) === 0x80) {
    continuation++;
    i--;
  }
  if (i < 0) return continuation > 0;
  const lead = chunk[i]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return continuation + 1 < length;
}

const saved = { GIT_DIR: process.env.GIT_DIR };
afterEach(() => {
  if (saved.GIT_DIR === undefined) delete process.env.GIT_DIR;
  else process.env.GIT_DIR = saved.GIT_DIR;
});

describe('Git.run', () => {
  it('returns stdout, stderr and the exit code; text() is the trimmed output', async () => {
    const { dir, commit } = repoWithCommit();
    const g = new Git(dir);
    const r = await g.run('test-rev-parse', ['rev-parse', 'refs/heads/main']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString('utf8')).toBe(`${commit}\n`);
    expect(r.text()).toBe(`${commit}\n`);
    expect(await g.text('test-rev-parse', ['rev-parse', 'refs/heads/main'])).toBe(commit);
  });

  it('accepts only the exit codes the caller names; anything else is a GitFailure with the caller, args, code and stderr', async () => {
    const { dir } = repoWithCommit();
    const g = new Git(dir);
    const missing = await g.run('test-verify', ['rev-parse', '--verify', '--quiet', 'refs/heads/nope'], { ok: [0, 1] });
    expect(missing.exitCode).toBe(1);
    const failure = await g.run('test-verify-strict', ['rev-parse', '--verify', 'refs/heads/nope']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GitFailure);
    const f = failure as GitFailure;
    expect(f.caller).toBe('test-verify-strict');
    expect(f.args).toEqual(['rev-parse', '--verify', 'refs/heads/nope']);
    expect(f.exitCode).toBe(128);
    expect(f.stderr).toMatch(/fatal: Needed a single revision/);
    expect(f.message).toMatch(/^test-verify-strict: git rev-parse exited 128: fatal: Needed a single revision/);
  });

  it('writes `input` to git\'s stdin (binary-safe)', async () => {
    const { dir } = repoWithCommit();
    const g = new Git(dir);
    const content = Buffer.from([0x00, 0xff, 0x0a, 0x41]);
    const blob = await g.text('test-hash-object', ['hash-object', '-w', '--stdin'], { input: content });
    expect(blob).toMatch(/^[0-9a-f]{40}$/);
    const back = await g.run('test-cat-file', ['cat-file', 'blob', blob]);
    expect(Buffer.compare(back.stdout, content)).toBe(0);
  });

  it('runs calls on one repository one at a time, each with its own output', async () => {
    const { dir } = repoWithCommit();
    const g = new Git(dir);
    const inputs = Array.from({ length: 12 }, (_, i) => `blob number ${i}\n`);
    const ids = await Promise.all(inputs.map((text, i) => g.text(`test-parallel-${i}`, ['hash-object', '--stdin'], { input: text })));
    const expected = inputs.map((text) => git(dir, ['hash-object', '--stdin'], text));
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(inputs.length);
  });

  it('gives up after the hard timeout on a remote that accepts and never answers (a GitFailure with no exit code)', async () => {
    const { dir } = repoWithCommit();
    const silent = await silentServer();
    try {
      const started = Date.now();
      const e = await new Git(dir).run('test-fetch', ['fetch', `git://127.0.0.1:${silent.port}/x.git`, 'main'], { timeoutMs: 1_500 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GitFailure);
      expect((e as GitFailure).exitCode).toBeNull();
      expect((e as GitFailure).message).toMatch(/did not finish/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await silent.close();
    }
  });

  it('is not redirected by an inherited GIT_DIR (the allowlisted environment)', async () => {
    const { dir, commit } = repoWithCommit();
    const other = repoWithCommit();
    process.env.GIT_DIR = other.dir;
    expect(await new Git(dir).text('test-env', ['rev-parse', 'refs/heads/main'])).toBe(commit);
    expect(commit).not.toBe(other.commit);
  });
});

describe('Git.readText', () => {
  it('answers a read that prints nothing at once: no fixed wait, even on a clock that does not move', async () => {
    const { dir, commit } = repoWithCommit();
    const g = new Git(dir);
    await g.run('warm-up', ['rev-parse', 'HEAD']);
    // Captured before the clock is faked: the test's own deadline runs on the real one.
    const realTimeout = globalThis.setTimeout;
    const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'still waiting'>((r) => realTimeout(() => r('still waiting'), ms))]);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // No ref matches: git prints nothing. simple-git's fixed 50 ms after a silent command is a
      // timer this clock never fires (the board's fetch schedule hung on it under its fake clock).
      expect(await within(g.readText('no-such-ref', ['for-each-ref', 'refs/heads/hosts/']), 5_000)).toBe('');
      // The view's tips of a host with no own ref yet: one silent read less on every fetch and push.
      const tips = await within(readTips(g, 'main', 'host-without-ref'), 5_000);
      expect(tips).not.toBe('still waiting');
      expect((tips as Awaited<ReturnType<typeof readTips>>).tips.map((t) => t.commit)).toEqual([commit]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Git.updateRefs', () => {
  it('moves refs in one transaction, compare-and-swap on the old value', async () => {
    const { dir, commit } = repoWithCommit();
    const g = new Git(dir);
    const second = git(dir, ['commit-tree', git(dir, ['mktree']), '-p', commit, '-m', 'second']);
    await g.updateRefs('test-cas', [{ ref: 'refs/heads/main', next: second, old: commit }, { ref: 'refs/heads/copy', next: commit, old: '0'.repeat(40) }]);
    expect(git(dir, ['rev-parse', 'refs/heads/main'])).toBe(second);
    expect(git(dir, ['rev-parse', 'refs/heads/copy'])).toBe(commit);
  });

  it('refuses the whole transaction when a ref is not where the caller read it (nothing moves)', async () => {
    const { dir, commit } = repoWithCommit();
    const g = new Git(dir);
    const second = git(dir, ['commit-tree', git(dir, ['mktree']), '-p', commit, '-m', 'second']);
    const stale = await g.updateRefs('test-cas-stale', [{ ref: 'refs/heads/new', next: commit }, { ref: 'refs/heads/main', next: second, old: second }]).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(GitFailure);
    expect((stale as GitFailure).stderr).toMatch(/cannot lock ref|is at .* but expected/);
    expect(git(dir, ['rev-parse', 'refs/heads/main'])).toBe(commit);
    expect(git(dir, ['for-each-ref', '--format=%(refname)', 'refs/heads/new'])).toBe('');
    // The all-zero id means "must not exist yet".
    const exists = await g.updateRefs('test-cas-exists', [{ ref: 'refs/heads/main', next: second, old: '0'.repeat(40) }]).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(GitFailure);
    expect(git(dir, ['rev-parse', 'refs/heads/main'])).toBe(commit);
  });
});

describe('Git in a folder that is not a repository', () => {
  it('fails with git\'s own reason', async () => {
    const dir = fresh('plain');
    mkdirSync(dir);
    const e = await new Git(dir).run('test-plain', ['rev-parse', '--absolute-git-dir']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitFailure);
    expect((e as GitFailure).stderr).toMatch(/not a git repository/);
  });
});

describe('Git.stream and Git.bytes', () => {
  it('hands over git\'s stdout byte for byte, multibyte characters split across chunks included', async () => {
    const { dir } = repoWithCommit();
    const content = multibyte(3 * 1024 * 1024);
    const blob = git(dir, ['hash-object', '-w', '--stdin'], content);
    const g = new Git(dir);
    const chunks: Buffer[] = [];
    const { exitCode } = await g.stream('test-stream-blob', ['cat-file', 'blob', blob], {}, (d) => chunks.push(d));
    expect(exitCode).toBe(0);
    expect(chunks.length).toBeGreaterThan(1);
    // The pipe cuts where it likes: at least one chunk ends inside a character, and nothing is lost or decoded.
    expect(chunks.slice(0, -1).some(endsMidCharacter)).toBe(true);
    expect(Buffer.compare(Buffer.concat(chunks), content)).toBe(0);
    expect(Buffer.compare(await g.bytes('test-bytes-blob', ['cat-file', 'blob', blob]), content)).toBe(0);
  });

  it('writes `input` to stdin and returns large output whole (cat-file --batch of many objects)', async () => {
    const { dir } = repoWithCommit();
    const blobs = Array.from({ length: 40 }, (_, i) => multibyte(160_000 + i));
    const ids = blobs.map((b) => git(dir, ['hash-object', '-w', '--stdin'], b));
    const out = await new Git(dir).bytes('test-bytes-batch', ['cat-file', '--batch', '--buffer'], { input: `${ids.join('\n')}\n` });
    const expected = Buffer.concat(blobs.flatMap((b, i) => [Buffer.from(`${ids[i]} blob ${b.length}\n`), b, Buffer.from('\n')]));
    expect(out.length).toBeGreaterThan(6_000_000);
    expect(Buffer.compare(out, expected)).toBe(0);
  });

  it('reports a refused exit code with caller, command and code, never quoting stderr (kept on .stderr)', async () => {
    const { dir } = repoWithCommit();
    const g = new Git(dir);
    const name = 'no-such-object-named-SECRET-TEXT';
    const e = await g.bytes('test-bytes-missing', ['cat-file', '-t', name]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitFailure);
    const f = e as GitFailure;
    expect(f.exitCode).toBe(128);
    expect(f.caller).toBe('test-bytes-missing');
    expect(f.args).toEqual(['cat-file', '-t', name]);
    expect(f.message).toBe('test-bytes-missing: git cat-file exited 128');
    expect(f.message).not.toMatch(/SECRET|fatal/);
    expect(f.stderr).toMatch(/SECRET-TEXT/);
    // The caller may accept that code instead.
    expect((await g.stream('test-stream-ok', ['cat-file', '-t', name], { ok: [0, 128] }, () => undefined)).exitCode).toBe(128);
  });

  it('rejects with the error of a consumer that throws, and stops git', async () => {
    const { dir } = repoWithCommit();
    const blob = git(dir, ['hash-object', '-w', '--stdin'], multibyte(4 * 1024 * 1024));
    let calls = 0;
    const e = await new Git(dir).stream('test-stream-throws', ['cat-file', 'blob', blob], {}, () => {
      calls++;
      throw new Error('consumer refused the bytes');
    }).catch((x: unknown) => x);
    expect((e as Error).message).toBe('consumer refused the bytes');
    expect(calls).toBe(1);
  });

  it('keeps what the safety check read of the repository\'s own config, names and values: a value that spans lines is one value, never a key', async () => {
    const { dir } = repoWithCommit();
    git(dir, ['config', 'core.fsync', 'objects,reference,index']);
    git(dir, ['config', '--add', 'breakglass.test', 'first']);
    git(dir, ['config', '--add', 'breakglass.test', 'second\nfilter.x.clean=touch ran']);
    const g = new Git(dir);
    const config = await g.localConfig();
    expect(config?.get('core.fsync')).toEqual(['objects,reference,index']);
    expect(config?.get('breakglass.test')).toEqual(['first', 'second\nfilter.x.clean=touch ran']);
    expect(config?.has('filter.x.clean')).toBe(false);
    // A snapshot of the check: what is set afterwards is not in it.
    await g.run('test-set', ['config', '--local', 'breakglass.later', 'yes']);
    expect((await g.localConfig())?.has('breakglass.later')).toBe(false);
    // A refused key refuses localConfig() as it refuses every call.
    const { dir: unsafe } = repoWithCommit();
    git(unsafe, ['config', 'url.File:///elsewhere/.insteadOf', 'x']);
    await expect(new Git(unsafe).localConfig()).rejects.toBeInstanceOf(UnsafeRepositoryConfig);
    // Outside a repository there is no local config: null, not a failure.
    const outside = fresh('not-a-repo');
    mkdirSync(outside);
    expect(await new Git(outside).localConfig()).toBeNull();
  });

  it('keeps run()\'s guards: a caller\'s -c outside the allowlist, a repository config that names a program, an inherited GIT_DIR', async () => {
    const { dir } = repoWithCommit();
    await expect(new Git(dir).bytes('test-bytes-config', ['-c', 'core.pager=evil', 'rev-parse', '--git-dir'])).rejects.toThrow(/not a setting callers may pass/);
    const { dir: unsafe } = repoWithCommit();
    git(unsafe, ['config', 'filter.x.clean', 'touch ran']);
    await expect(new Git(unsafe).bytes('test-bytes-unsafe', ['rev-parse', '--git-dir'])).rejects.toBeInstanceOf(UnsafeRepositoryConfig);
    const { dir: other } = repoWithCommit();
    process.env.GIT_DIR = other;
    expect((await new Git(dir).bytes('test-bytes-env', ['rev-parse', '--absolute-git-dir'])).toString('utf8').trim()).toBe(dir);
  });
});
