import type { SshPublicKey } from '../../app/roster/sshKey';
import type { Git } from '../git';
import { finishSshSignature, prepareSshSignature, runSignatureCheck, type PreparedSignature, type SecurityKeySignature, type SshSigFailure } from './sshsig';
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

/** Splits a raw commit as git's parse_buffer_signed_by_header does. */
export function splitSignedCommit(raw: Buffer, format: ObjectFormat = 'sha1'): SplitCommit {
  const eoh = raw.indexOf('\n\n');
  const headerEnd = eoh === -1 ? raw.length : eoh + 1;
  // Fast path (verify reads every commit): no signature header of either kind in the headers.
  const first = raw.indexOf(GPGSIG);
  if (first === -1 || first >= headerEnd) return { payload: raw, signature: null };
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
  const prepared = prepareSshSignature(signature.toString('utf8'), payload, 'git');
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

/** Parses `cat-file --batch` output into objects in request order; an object git could not find has type `missing`. */
export function parseCatFileBatch(out: Buffer): Array<{ id: string; type: string; body: Buffer }> {
  const objects: Array<{ id: string; type: string; body: Buffer }> = [];
  let at = 0;
  while (at < out.length) {
    const nl = out.indexOf(0x0a, at);
    if (nl === -1) throw new Error('cat-file --batch: truncated header');
    const header = out.subarray(at, nl).toString('latin1');
    const [id, type, size] = header.split(' ');
    if (header.endsWith(' missing') || size === undefined) {
      objects.push({ id: header.slice(0, header.lastIndexOf(' ')), type: 'missing', body: Buffer.alloc(0) });
      at = nl + 1;
      continue;
    }
    const start = nl + 1;
    const end = start + Number(size);
    if (end > out.length) throw new Error('cat-file --batch: truncated object');
    objects.push({ id: id!, type: type!, body: out.subarray(start, end) });
    at = end + 1;
  }
  return objects;
}

let sharedPool: SignatureCheckPool | null = null;

/**
 * Reads commits through one `cat-file --batch` per chunk and verifies each signature in-process
 * (the verification throughput path of issue 15): the public-key checks of a chunk run on worker
 * threads (verifyPool.ts) while git reads the next chunk. Results are in the order of `ids`.
 * Without `chunk`, the chunks grow from 2,000 to 20,000 commits: the threads start early, and a
 * long history pays for few git processes (each costs this thread some 25 ms).
 */
export async function verifyCommitSignatures(git: Git, ids: readonly string[], options: { format?: ObjectFormat; chunk?: number; pool?: SignatureCheckPool | null } = {}): Promise<Array<{ id: string; check: CommitSignatureCheck }>> {
  const format = options.format ?? 'sha1';
  const sizeAt = (k: number) => options.chunk ?? Math.min(20_000, 2000 * 2 ** Math.min(k, 4));
  // A few commits are cheaper to check here than to hand to threads; `pool: null` keeps every check in this thread.
  const pool = options.pool !== undefined ? options.pool : ids.length >= 512 ? (sharedPool ??= new SignatureCheckPool()) : null;
  const read = (from: number, to: number) => {
    if (from >= ids.length) return null;
    const reading = git.run('verify-commit-signatures', ['cat-file', '--batch'], { input: `${ids.slice(from, to).join('\n')}\n` });
    reading.catch(() => undefined); // awaited below; this only keeps an early exit from leaving it unobserved
    return reading;
  };
  const results: Array<{ id: string; check: CommitSignatureCheck }> = [];
  // Chunk k's checks run on the workers while this thread parses and prepares chunk k + 1.
  let inflight: { ids: string[]; prepared: PreparedCommit[]; answers: Promise<boolean[]> } | null = null;
  const settle = async (batch: NonNullable<typeof inflight>) => {
    const answers = await batch.answers;
    let k = 0;
    for (const [i, p] of batch.prepared.entries()) results.push({ id: batch.ids[i]!, check: p.done ?? finishCommit(p as PreparedCommit & { done: null }, answers[k++]!) });
  };
  let next = read(0, sizeAt(0));
  for (let k = 0, from = 0; next; from += sizeAt(k), k++) {
    const objects = parseCatFileBatch((await next).stdout);
    next = read(from + sizeAt(k), from + sizeAt(k) + sizeAt(k + 1));
    const prepared = objects.map((o) => {
      if (o.type !== 'commit') throw new Error(`verifyCommitSignatures: ${o.type === 'missing' ? 'a listed commit is missing' : 'not a commit'}`);
      return prepareCommit(o.body, format);
    });
    const jobs = prepared.flatMap((p) => (p.done === null ? [p.prepared.job] : []));
    const answers = pool ? pool.run(jobs) : Promise.resolve(jobs.map(runSignatureCheck));
    answers.catch(() => undefined); // awaited in settle(); this only keeps an early exit from leaving it unobserved
    if (inflight) await settle(inflight);
    inflight = { ids: objects.map((o) => o.id), prepared, answers };
  }
  if (inflight) await settle(inflight);
  return results;
}
