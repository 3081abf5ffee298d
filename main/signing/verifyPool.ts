import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { isEd25519, type SignatureCheckJob } from './sshsig';

/**
 * Runs signature checks (the public-key operation, ~90 % of a commit's verification cost) on
 * worker threads, so `verify` over a long history uses every core (issue 15: ≥ 10,000 commits/s).
 * Parsing and hashing stay on the caller's thread; a worker only gets key material, signed bytes
 * and signature, and answers yes or no. The worker's code is this small self-contained kernel
 * (eval'd, not a file) so it runs the same from source, from the CLI bundle and inside Electron.
 */
const KERNEL = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const cache = new Map();
parentPort.on('message', ({ id, keys, count, packed }) => {
  const objects = keys.map((k) => {
    let o = cache.get(k.fp);
    if (!o) {
      o = createPublicKey({ key: k.jwk, format: 'jwk' });
      if (cache.size > 4096) cache.clear();
      cache.set(k.fp, o);
    }
    return { key: o, ed: k.ed };
  });
  const bytes = new Uint8Array(packed);
  const view = new DataView(packed);
  const out = new Uint8Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const k = objects[view.getUint16(at)];
    const signedLength = view.getUint16(at + 2);
    const sigLength = bytes[at + 4];
    const signed = bytes.subarray(at + 5, at + 5 + signedLength);
    const sig = bytes.subarray(at + 5 + signedLength, at + 5 + signedLength + sigLength);
    at += 5 + signedLength + sigLength;
    try {
      out[i] = (k.ed ? verify(null, signed, k.key, sig) : verify('sha256', signed, { key: k.key, dsaEncoding: 'ieee-p1363' }, sig)) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

const jwks = new Map<string, Record<string, string>>();

function jwkOf(job: SignatureCheckJob): Record<string, string> {
  let jwk = jwks.get(job.key.fingerprint);
  if (!jwk) {
    const m = job.key.material;
    const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
    jwk = isEd25519(job.key) ? { kty: 'OKP', crv: 'Ed25519', x: b64u(m) } : { kty: 'EC', crv: 'P-256', x: b64u(m.subarray(1, 33)), y: b64u(m.subarray(33, 65)) };
    if (jwks.size > 4096) jwks.clear();
    jwks.set(job.key.fingerprint, jwk);
  }
  return jwk;
}

/** One message for a worker: its keys, and every job packed into one transferable buffer (key index u16, lengths, signed bytes, signature). */
function pack(jobs: readonly SignatureCheckJob[]): { keys: Array<{ fp: string; jwk: Record<string, string>; ed: boolean }>; count: number; packed: ArrayBuffer } {
  const keys: Array<{ fp: string; jwk: Record<string, string>; ed: boolean }> = [];
  const index = new Map<string, number>();
  let size = 0;
  for (const j of jobs) size += 5 + j.signed.length + j.signature.length;
  const packed = new ArrayBuffer(size);
  const bytes = new Uint8Array(packed);
  const view = new DataView(packed);
  let at = 0;
  for (const j of jobs) {
    let k = index.get(j.key.fingerprint);
    if (k === undefined) {
      k = keys.length;
      index.set(j.key.fingerprint, k);
      keys.push({ fp: j.key.fingerprint, jwk: jwkOf(j), ed: isEd25519(j.key) });
    }
    view.setUint16(at, k);
    view.setUint16(at + 2, j.signed.length);
    bytes[at + 4] = j.signature.length;
    bytes.set(j.signed, at + 5);
    bytes.set(j.signature, at + 5 + j.signed.length);
    at += 5 + j.signed.length + j.signature.length;
  }
  return { keys, count: jobs.length, packed };
}

/** A pool of signature-checking threads; idle workers do not keep the process alive. */
export class SignatureCheckPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (out: Uint8Array) => void; reject: (e: Error) => void; worker: Worker }>();
  private nextId = 0;

  constructor(readonly size = Math.max(1, Math.min(8, os.availableParallelism()))) {}

  private worker(i: number): Worker {
    let w = this.workers[i];
    if (w) return w;
    // No inherited loaders or flags (tsx, --inspect): the kernel is plain CommonJS.
    w = new Worker(KERNEL, { eval: true, execArgv: [] });
    w.unref();
    w.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (![...this.pending.values()].some((q) => q.worker === p.worker)) p.worker.unref();
      p.resolve(out);
    });
    w.on('error', (e) => this.failAll(w!, e));
    w.on('exit', () => this.failAll(w!, new Error('a signature worker stopped')));
    this.workers[i] = w;
    return w;
  }

  private failAll(w: Worker, e: Error): void {
    this.workers.splice(this.workers.indexOf(w), 1);
    for (const [id, p] of this.pending) {
      if (p.worker !== w) continue;
      this.pending.delete(id);
      p.reject(e);
    }
  }

  /** Checks every job; the answers are in job order. */
  async run(jobs: readonly SignatureCheckJob[]): Promise<boolean[]> {
    if (jobs.length === 0) return [];
    const per = Math.ceil(jobs.length / this.size);
    const parts: Array<Promise<Uint8Array>> = [];
    for (let i = 0; i * per < jobs.length; i++) {
      const w = this.worker(i);
      const id = ++this.nextId;
      const message = pack(jobs.slice(i * per, (i + 1) * per));
      parts.push(new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, worker: w });
        w.ref(); // a worker with work keeps the process alive until it answers
        w.postMessage({ id, ...message }, [message.packed]);
      }));
    }
    const outs = await Promise.all(parts);
    return outs.flatMap((o) => [...o].map((b) => b === 1));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
