import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRawOutput, gitDirOf, loadOrCreateOutputKey, macOfDigest, OUTPUT_KEY_FILE, outputKeyId, repositoryOutputAuthenticator } from '../../../main/evidence/outputKey';
import { cleanup, tempDir } from '../../support/cli';

// Issue 13: the host's output key — created once, mode 0600, in the git dir (never in a commit).
describe('output key', () => {
  const dir = tempDir('bg-outkey-');
  afterAll(() => cleanup(dir));

  it('finds the git dir of a bare repository, a clone and a worktree', () => {
    const bare = path.join(dir, 'bare.git');
    spawnSync('git', ['init', '--quiet', '--bare', bare]);
    expect(gitDirOf(bare)).toBe(bare);
    const clone = path.join(dir, 'clone');
    spawnSync('git', ['init', '--quiet', clone]);
    expect(gitDirOf(clone)).toBe(path.join(clone, '.git'));
    const linked = path.join(dir, 'linked');
    mkdirSync(linked);
    writeFileSync(path.join(linked, '.git'), `gitdir: ${path.join(clone, '.git', 'worktrees', 'linked')}\n`);
    expect(gitDirOf(linked)).toBe(path.join(clone, '.git', 'worktrees', 'linked'));
  });

  it('creates the key once with mode 0600, then reads the same key; a loosened file is tightened', () => {
    const git = path.join(dir, 'g1');
    mkdirSync(git);
    const a = loadOrCreateOutputKey(git);
    expect(a).toHaveLength(32);
    expect(statSync(path.join(git, OUTPUT_KEY_FILE)).mode & 0o777).toBe(0o600);
    chmodSync(path.join(git, OUTPUT_KEY_FILE), 0o644);
    expect(loadOrCreateOutputKey(git).equals(a)).toBe(true);
    expect(statSync(path.join(git, OUTPUT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(outputKeyId(a)).toBe(createHash('sha256').update(a).digest('hex'));
    expect(readFileSync(path.join(git, OUTPUT_KEY_FILE), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('gives processes that create it at once the same key', async () => {
    const git = path.join(dir, 'g2');
    mkdirSync(git);
    const script = `import('${path.resolve('main/evidence/outputKey.ts')}').then((m) => process.stdout.write(m.loadOrCreateOutputKey(${JSON.stringify(git)}).toString('hex')))`;
    const run = () => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '-e', script]);
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('close', (code) => resolve({ code, out, err }));
    });
    const runs = await Promise.all(Array.from({ length: 6 }, run));
    for (const r of runs) expect(r.code, r.err).toBe(0);
    expect(new Set(runs.map((r) => r.out)).size).toBe(1);
    expect(runs[0]!.out).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a damaged key file rather than inventing a new key', () => {
    const git = path.join(dir, 'g3');
    mkdirSync(git);
    writeFileSync(path.join(git, OUTPUT_KEY_FILE), 'not a key\n', { mode: 0o600 });
    expect(() => loadOrCreateOutputKey(git)).toThrow(/restore it from the repository's backup/);
  });

  it('checks a raw output against current and pre-issue-13 records; another key is said to be another key', () => {
    const repo = path.join(dir, 'bare2.git');
    spawnSync('git', ['init', '--quiet', '--bare', repo]);
    const auth = repositoryOutputAuthenticator(repo);
    const raw = Buffer.from('PGPASSWORD=correct-horse psql -h db\n');
    const digest = createHash('sha256').update(raw).digest('hex');
    const record = { outputHmac: { alg: 'hmac-sha256' as const, keyId: auth.keyId(), value: auth.macOfDigest(digest) } };
    const key = loadOrCreateOutputKey(repo);
    expect(checkRawOutput(raw, record, key)).toEqual({ result: 'match' });
    expect(checkRawOutput(Buffer.from('PGPASSWORD=guess psql -h db\n'), record, key)).toEqual({ result: 'mismatch' });
    const other = Buffer.alloc(32, 7);
    expect(checkRawOutput(raw, record, other)).toEqual({ result: 'other-key', keyId: auth.keyId() });
    expect(checkRawOutput(raw, { outputSha256: digest }, key)).toEqual({ result: 'match' });
    // Without the key, the stored value is not the plain hash a guesser could compute.
    expect(record.outputHmac.value).not.toBe(digest);
    expect(macOfDigest(other, digest)).not.toBe(record.outputHmac.value);
  });
});
