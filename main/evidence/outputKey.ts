// The host's output key (issue 13). An action record used to carry a plain SHA-256 of the raw
// output: for output stored as `PGPASSWORD=[REDACTED]`, anyone with the record could confirm a
// guessed password offline by hashing candidates. Records now carry an HMAC-SHA-256 under a
// per-repository key that stays on the host: anyone can still verify the hash chain, but only
// the holder of the key can prove that a given raw output matches a record.
//
// The key is 32 random bytes, created on first use in the repository's git dir
// (`<git dir>/breakglass-output-key`, mode 0600). Git never commits or pushes files of the git
// dir, so it is not in the evidence; a `git clone` does not copy it either. The README says how
// to back it up with the repository. The record names the key by its id, SHA-256 of the key.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OutputAuthenticator } from '../../app/ports';
import type { OutputHmac } from '../../app/records';

/** The key file's name inside the git dir. */
export const OUTPUT_KEY_FILE = 'breakglass-output-key';

const KEY_TEXT = /^[0-9a-f]{64}\n?$/;

/** The git dir of an evidence repository: the repository itself when bare, `.git` (or what a `.git` file points to) otherwise. */
export function gitDirOf(repoDir: string): string {
  const dotGit = path.join(repoDir, '.git');
  if (!existsSync(dotGit)) return repoDir; // bare
  if (statSync(dotGit).isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
  if (m === null) throw new Error(`${dotGit} is neither a git dir nor a gitdir file`);
  return path.resolve(repoDir, m[1] as string);
}

/** Reads the key, creating it (exclusively, mode 0600) when absent; a readable-by-others file is tightened to 0600. */
export function loadOrCreateOutputKey(gitDir: string): Buffer {
  const file = path.join(gitDir, OUTPUT_KEY_FILE);
  if (!existsSync(file)) {
    // Written whole under a temporary name, then linked into place: a second process creating
    // the key at the same moment either wins or reads the first one's complete key.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const text = readFileSync(file, 'utf8');
  if (!KEY_TEXT.test(text)) throw new Error(`${file} is not an output key (64 hex digits); restore it from the repository's backup`);
  return Buffer.from(text.trim(), 'hex');
}

/** The id a record gives the key: SHA-256 of the key bytes, hex. */
export function outputKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex');
}

/** HMAC-SHA-256 under the key of a raw output's SHA-256 digest (hash-then-MAC, so the runner streams the output once). */
export function macOfDigest(key: Buffer, outputSha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(outputSha256Hex)) throw new TypeError('expected a SHA-256 digest in hex');
  return createHmac('sha256', key).update(Buffer.from(outputSha256Hex, 'hex')).digest('hex');
}

/** The service's port over a repository's key; the key is read (or created) on first use only, so an observer never creates one. */
export function repositoryOutputAuthenticator(repoDir: string): OutputAuthenticator {
  let key: Buffer | null = null;
  const get = (): Buffer => (key ??= loadOrCreateOutputKey(gitDirOf(repoDir)));
  return {
    keyId: () => outputKeyId(get()),
    macOfDigest: (digest) => macOfDigest(get(), digest),
  };
}

/** What checking a raw output against an action record found. */
export type OutputCheck =
  | { result: 'match' }
  | { result: 'mismatch' }
  /** The record was authenticated under another key (another host's, or a key that was replaced). */
  | { result: 'other-key'; keyId: string };

/**
 * Whether `raw` is the output an action record was written for (issue 13; for a later
 * `breakglass` subcommand). Records written before issue 13 carry a plain SHA-256 and are checked
 * against it; current records need the key whose id they name.
 */
export function checkRawOutput(raw: Uint8Array, payload: { outputSha256?: string | undefined; outputHmac?: OutputHmac | undefined }, key: Buffer): OutputCheck {
  const digest = createHash('sha256').update(raw).digest('hex');
  const equal = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
  if (payload.outputHmac !== undefined) {
    const keyId = outputKeyId(key);
    if (payload.outputHmac.keyId !== keyId) return { result: 'other-key', keyId: payload.outputHmac.keyId };
    return equal(macOfDigest(key, digest), payload.outputHmac.value) ? { result: 'match' } : { result: 'mismatch' };
  }
  if (payload.outputSha256 !== undefined) return equal(digest, payload.outputSha256) ? { result: 'match' } : { result: 'mismatch' };
  return { result: 'mismatch' };
}
