import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Git, GitFailure, UnsafeRepositoryConfig } from '../../main/git';
import { scratchFolder } from '../support/scratch';

/**
 * main/git.ts stream() and bytes(), the Buffer path of the verifier's hot reads (issue 15),
 * against real repositories: git's stdout byte for byte however the pipe cuts it, large output,
 * a failure that names caller, command and exit code but never quotes git's stderr, and the same
 * guards as run() (caller settings, the repository's own config, the allowlisted environment).
 */

const { fresh } = scratchFolder('bg-gitstream-');

function git(cwd: string, args: string[], input: string | Buffer = ''): string {
  const r = spawnSync('git', args, { cwd, input, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function bareRepo(): string {
  const dir = fresh('repo');
  git(path.dirname(dir), ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
  return dir;
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

describe('Git.stream and Git.bytes', () => {
  it('hands over git\'s stdout byte for byte, multibyte characters split across chunks included', async () => {
    const dir = bareRepo();
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
    const dir = bareRepo();
    const blobs = Array.from({ length: 40 }, (_, i) => multibyte(160_000 + i));
    const ids = blobs.map((b) => git(dir, ['hash-object', '-w', '--stdin'], b));
    const out = await new Git(dir).bytes('test-bytes-batch', ['cat-file', '--batch', '--buffer'], { input: `${ids.join('\n')}\n` });
    const expected = Buffer.concat(blobs.flatMap((b, i) => [Buffer.from(`${ids[i]} blob ${b.length}\n`), b, Buffer.from('\n')]));
    expect(out.length).toBeGreaterThan(6_000_000);
    expect(Buffer.compare(out, expected)).toBe(0);
  });

  it('reports a refused exit code with caller, command and code, never quoting stderr (kept on .stderr)', async () => {
    const dir = bareRepo();
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
    const dir = bareRepo();
    const blob = git(dir, ['hash-object', '-w', '--stdin'], multibyte(4 * 1024 * 1024));
    let calls = 0;
    const e = await new Git(dir).stream('test-stream-throws', ['cat-file', 'blob', blob], {}, () => {
      calls++;
      throw new Error('consumer refused the bytes');
    }).catch((x: unknown) => x);
    expect((e as Error).message).toBe('consumer refused the bytes');
    expect(calls).toBe(1);
  });

  it('keeps run()\'s guards: a caller\'s -c outside the allowlist, a repository config that names a program, an inherited GIT_DIR', async () => {
    const dir = bareRepo();
    await expect(new Git(dir).bytes('test-bytes-config', ['-c', 'core.pager=evil', 'rev-parse', '--git-dir'])).rejects.toThrow(/not a setting callers may pass/);
    const unsafe = bareRepo();
    git(unsafe, ['config', 'filter.x.clean', 'touch ran']);
    await expect(new Git(unsafe).bytes('test-bytes-unsafe', ['rev-parse', '--git-dir'])).rejects.toBeInstanceOf(UnsafeRepositoryConfig);
    const other = bareRepo();
    process.env.GIT_DIR = other;
    expect((await new Git(dir).bytes('test-bytes-env', ['rev-parse', '--absolute-git-dir'])).toString('utf8').trim()).toBe(dir);
  });
});
