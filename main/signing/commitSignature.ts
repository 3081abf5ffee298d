import type { SshPublicKey } from '../../app/roster/sshKey';
import type { Git } from '../git';
import { SshFormatError } from '../../app/roster/sshKey';
import { dearmorSshSignatureBytes, finishSshSignature, prepareSshSignature, runSignatureCheck, type PreparedSignature, type SecurityKeySignature, type SshSigFailure } from './sshsig';
import { CatFileBatchParser } from './catFileBatch';
import { SignatureCheckPool } from './verifyPool';

/**
 * Signed git commits, byte for byte as git makes and reads them (git's commit.c:
 * sign_with_header / parse_buffer_signed_by_header). The signature sits in the `gpgsig` header
 * (`gpgsig-sha256` in a SHA-256 repository), continued on lines that start with one space; the
 * signed payload is the commit object without it, and without a signature header for the other
 * hash algorithm. `git verify-commit` judges the payload with `ssh-keygen -Y verify -n git`.
 */

/** The repository's object format (`git rev-parse --show-object-format`). */
export type ObjectFormat = 'sha1' | 'sha256';

/** A raw commit object split into git's signed payload and its signature (null when unsigned). */
export interface SplitCommit {
  payload: Buffer;
  signature: Buffer | null;
}

const headerFor = (format: ObjectFormat) => (format === 'sha256' ? 'gpgsig-sha256' : 'gpgsig');

const GPGSIG = Buffer.from('gpgsig');
const SIGNATURE_HEADER: Record<ObjectFormat, Buffer> = { sha1: Buffer.from('gpgsig '), sha256: Buffer.from('gpgsig-sha256 ') };
const G = 0x67; // 'g', the first byte of both signature headers

// Only a line starting with 'g' can be a signature header: the others skip the compare.
const startsWith = (raw: Buffer, at: number, prefix: Buffer) => raw[at] === G && at + prefix.length <= raw.length && raw.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;

const keep = (kept: Array<[number, number]>, from: number, to: number) => {
  const last = kept[kept.length - 1];
  if (last && last[1] === from) last[1] = to;
  else kept.push([from, to]);
};

const lineEnd = (raw: Buffer, at: number) => {
  const nl = raw.indexOf(0x0a, at);
  return nl === -1 ? raw.length : nl + 1;
};

/** Splits a raw commit as git's parse_buffer_signed_by_header does. */
export function splitSignedCommit(raw: Buffer, format: ObjectFormat = 'sha1'): SplitCommit {
  const eoh = raw.indexOf('\n\n');
  const headerEnd = eoh === -1 ? raw.length : eoh + 1;
  // Fast path (verify reads every commit): no signature header of either kind in the headers.
  const first = raw.indexOf(GPGSIG);
  if (first === -1 || first >= headerEnd) return { payload: raw, signature: null };
  // Fast path: one signature header, of this format, at a line start, and no other "gpgsig" in the
  // headers. Its value is that line and the lines after it that start with a space; the payload is
  // everything else (what the line walk below gives for such a commit).
  const header = SIGNATURE_HEADER[format];
  if ((first === 0 || raw[first - 1] === 0x0a) && startsWith(raw, first, header)) {
    const again = raw.indexOf(GPGSIG, first + GPGSIG.length);
    if (again === -1 || again >= headerEnd) {
      let line = lineEnd(raw, first);
      const pieces = [raw.subarray(first + header.length, line)];
      while (line < raw.length && raw[line] === 0x20) {
        const next = lineEnd(raw, line);
        pieces.push(raw.subarray(line + 1, next));
        line = next;
      }
      const payload = first === 0 ? raw.subarray(line) : line === raw.length ? raw.subarray(0, first) : Buffer.concat([raw.subarray(0, first), raw.subarray(line)], raw.length - (line - first));
      return { payload, signature: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces) };
    }
  }
  return splitSignedCommitByLines(raw, format);
}

/** The general walk, line by line (several signature headers, the other format's, continuation lines after them). */
export function splitSignedCommitByLines(raw: Buffer, format: ObjectFormat = 'sha1'): SplitCommit {
  const eoh = raw.indexOf('\n\n');
  const first = raw.indexOf(GPGSIG);
  if (first === -1 || (eoh !== -1 && first > eoh)) return { payload: raw, signature: null };
  const header = SIGNATURE_HEADER[format];
  const kept: Array<[number, number]> = [];
  const signature: Buffer[] = [];
  let inSignature = false;
  let otherSignature = false;
  let line = 0;
  while (line < raw.length) {
    const nl = raw.indexOf(0x0a, line);
    let next = nl === -1 ? raw.length : nl + 1;
    let sigStart = -1;
    if (inSignature && raw[line] === 0x20) sigStart = line + 1;
    else if (startsWith(raw, line, header)) {
      sigStart = line + header.length;
      otherSignature = false;
    } else if (startsWith(raw, line, GPGSIG)) otherSignature = true;
    else if (otherSignature && raw[line] !== 0x20) otherSignature = false;
    if (sigStart !== -1) {
      signature.push(raw.subarray(sigStart, next));
      inSignature = true;
    } else {
      // The blank line ends the headers: the message is payload whatever it contains.
      if (raw[line] === 0x0a) next = raw.length;
      if (!otherSignature) keep(kept, line, next);
      inSignature = false;
    }
    line = next;
  }
  const payload = kept.length === 1 ? raw.subarray(kept[0]![0], kept[0]![1]) : Buffer.concat(kept.map(([a, b]) => raw.subarray(a, b)));
  return { payload, signature: signature.length ? Buffer.concat(signature) : null };
}

/** Inserts an armored signature into an unsigned commit's headers, as git's sign_with_header does (after the last header). */
export function addCommitSignature(payload: Buffer, armored: string, format: ObjectFormat = 'sha1'): Buffer {
  const eoh = payload.indexOf('\n\n');
  const at = eoh === -1 ? payload.length : eoh + 1;
  const sig = armored.endsWith('\n') ? armored : `${armored}\n`;
  const lines = sig.slice(0, -1).split('\n');
  const header = `${headerFor(format)} ${lines.join('\n ')}\n`;
  return Buffer.concat([payload.subarray(0, at), Buffer.from(header, 'utf8'), payload.subarray(at)]);
}

const COMMITTER = Buffer.from('\ncommitter ');

const isDigitAt = (raw: Buffer, start: number, i: number) => i >= start && raw[i]! >= 0x30 && raw[i]! <= 0x39;

/** The committer time of a commit object, in seconds (git passes it to ssh-keygen as -Overify-time). */
export function committerSeconds(raw: Buffer): number | null {
  const eoh = raw.indexOf('\n\n');
  const at = raw.indexOf(COMMITTER);
  if (at === -1 || (eoh !== -1 && at > eoh)) return null;
  const start = at + 1;
  const nl = raw.indexOf(0x0a, start);
  const end = nl === -1 ? raw.length : nl;
  // The line ends `> <seconds> <+|-><4 digits>` (/> (\d+) [+-]\d{4}$/), read from the end without decoding it.
  if (!(isDigitAt(raw, start, end - 1) && isDigitAt(raw, start, end - 2) && isDigitAt(raw, start, end - 3) && isDigitAt(raw, start, end - 4))) return null;
  if ((raw[end - 5] !== 0x2b && raw[end - 5] !== 0x2d) || end - 6 < start || raw[end - 6] !== 0x20) return null;
  let first = end - 7;
  while (isDigitAt(raw, start, first)) first--;
  if (first === end - 7 || first - 1 < start || raw[first] !== 0x20 || raw[first - 1] !== 0x3e) return null;
  return Number(raw.toString('latin1', first + 1, end - 6));
}

/** Why a commit's signature is not accepted. */
export type CommitSignatureFailure = SshSigFailure | 'wrong-key';

/** The verdict on one commit's signature. */
export type CommitSignatureCheck =
  | { status: 'unsigned'; committerSeconds: number | null }
  | { status: 'invalid'; reason: CommitSignatureFailure; key: SshPublicKey | null; committerSeconds: number | null }
  | { status: 'valid'; key: SshPublicKey; securityKey: SecurityKeySignature | null; committerSeconds: number | null };

/** A commit split and its signature prepared, waiting only for the public-key check. */
type PreparedCommit =
  | { done: CommitSignatureCheck }
  | { done: null; prepared: PreparedSignature & { ok: true }; when: number | null; expectedFingerprint: string | undefined };

function prepareCommit(raw: Buffer, format: ObjectFormat, expectedFingerprint?: string): PreparedCommit {
  const { payload, signature } = splitSignedCommit(raw, format);
  const when = committerSeconds(payload);
  if (signature === null) return { done: { status: 'unsigned', committerSeconds: when } };
  let blob: Buffer;
  try {
    blob = dearmorSshSignatureBytes(signature);
  } catch (e) {
    if (e instanceof SshFormatError) return { done: { status: 'invalid', reason: 'malformed', key: null, committerSeconds: when } };
    throw e;
  }
  const prepared = prepareSshSignature(blob, payload, 'git');
  if (!prepared.ok) return { done: { status: 'invalid', reason: prepared.reason, key: prepared.key, committerSeconds: when } };
  return { done: null, prepared, when, expectedFingerprint };
}

function finishCommit(p: PreparedCommit & { done: null }, good: boolean): CommitSignatureCheck {
  const result = finishSshSignature(p.prepared, good);
  if (!result.ok) return { status: 'invalid', reason: result.reason, key: result.key, committerSeconds: p.when };
  if (p.expectedFingerprint !== undefined && result.key.fingerprint !== p.expectedFingerprint) {
    return { status: 'invalid', reason: 'wrong-key', key: result.key, committerSeconds: p.when };
  }
  return { status: 'valid', key: result.key, securityKey: result.securityKey, committerSeconds: p.when };
}

/**
 * Verifies a raw commit's SSH signature in-process (namespace "git", as git signs commits). With
 * `expectedFingerprint`, a good signature by any other key is `wrong-key`. Whose key it is and
 * whether it may sign this record is the roster's question (app/roster authorizeRecordSigner).
 */
export function verifyCommitSignature(raw: Buffer, options: { format?: ObjectFormat; expectedFingerprint?: string } = {}): CommitSignatureCheck {
  const p = prepareCommit(raw, options.format ?? 'sha1', options.expectedFingerprint);
  return p.done ?? finishCommit(p, runSignatureCheck(p.prepared.job));
}

export { parseCatFileBatch } from './catFileBatch';

let sharedPool: SignatureCheckPool | null = null;

/**
 * Reads commits through one `cat-file --batch` per chunk of `chunk` ids (default 20,000: a long
 * history pays for few git processes) and verifies each signature in-process (the verification
 * throughput path of issue 15). git's output is parsed as it streams in (main/git.ts stream():
 * bytes, no string, no gathering), and every `batch` prepared signatures go to the worker threads
 * (verifyPool.ts) at once, so the threads start on the first commits while this thread parses the
 * rest. At most two chunks are in flight. Results are in the order of `ids`.
 */
export async function verifyCommitSignatures(git: Git, ids: readonly string[], options: { format?: ObjectFormat; chunk?: number; batch?: number; pool?: SignatureCheckPool | null } = {}): Promise<Array<{ id: string; check: CommitSignatureCheck }>> {
  const format = options.format ?? 'sha1';
  const chunk = Math.max(1, options.chunk ?? 20_000);
  const batch = Math.max(1, options.batch ?? 1024);
  // A few commits are cheaper to check here than to hand to threads; `pool: null` keeps every check in this thread.
  const pool = options.pool !== undefined ? options.pool : ids.length >= 512 ? (sharedPool ??= new SignatureCheckPool()) : null;
  const results: Array<{ id: string; check: CommitSignatureCheck }> = new Array(ids.length);
  const answered: Array<Promise<void>> = [];
  let waiting: Array<{ at: number; id: string; p: PreparedCommit & { done: null } }> = [];
  const flush = () => {
    if (waiting.length === 0) return;
    const group = waiting;
    waiting = [];
    const jobs = group.map((w) => w.p.prepared.job);
    const done = (pool ? pool.run(jobs) : Promise.resolve(jobs.map(runSignatureCheck))).then((answers) => {
      for (let k = 0; k < group.length; k++) {
        const w = group[k]!;
        results[w.at] = { id: w.id, check: finishCommit(w.p, answers[k]!) };
      }
    });
    done.catch(() => undefined); // awaited below; this only keeps an early exit from leaving it unobserved
    answered.push(done);
  };
  let previousEnd = 0;
  for (let from = 0; from < ids.length; from += chunk) {
    const to = Math.min(ids.length, from + chunk);
    let at = from;
    const parser = new CatFileBatchParser((o) => {
      if (at >= to) throw new Error('verifyCommitSignatures: git answered for more objects than asked');
      if (o.type !== 'commit') throw new Error(`verifyCommitSignatures: ${o.type === 'missing' ? 'a listed commit is missing' : 'not a commit'}`);
      const p = prepareCommit(o.body, format);
      if (p.done) results[at] = { id: o.id, check: p.done };
      else {
        waiting.push({ at, id: o.id, p });
        if (waiting.length >= batch) flush();
      }
      at++;
    });
    await git.stream('verify-commit-signatures', ['cat-file', '--batch', '--buffer'], { input: `${ids.slice(from, to).join('\n')}\n` }, (d) => parser.push(d));
    parser.end();
    if (at !== to) throw new Error('verifyCommitSignatures: git answered for fewer objects than asked');
    flush();
    // Two chunks in flight at most: the previous chunk's answers before the next chunk is read.
    await Promise.all(answered.slice(0, previousEnd));
    previousEnd = answered.length;
  }
  await Promise.all(answered);
  return results;
}
