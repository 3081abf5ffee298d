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
const keys = new Map();
parentPort.on('message', ({ id, jobs }) => {
  const out = new Uint8Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i];
    let key = keys.get(j.fp);
    if (!key) {
      key = createPublicKey({ key: j.jwk, format: 'jwk' });
      if (keys.size > 4096) keys.clear();
      keys.set(j.fp, key);
    }
    try {
      out[i] = (j.ed ? verify(null, j.signed, key, j.sig) : verify('sha256', j.signed, { key, dsaEncoding: 'ieee-p1363' }, j.sig)) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

interface WireJob { fp: string; jwk: Record<string, string>; ed: boolean; signed: Uint8Array; sig: Uint8Array }

const jwks = new Map<string, Record<string, string>>();

function wire(job: SignatureCheckJob): WireJob {
  const ed = isEd25519(job.key);
  let jwk = jwks.get(job.key.fingerprint);
  if (!jwk) {
    const m = job.key.material;
    const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
    jwk = ed ? { kty: 'OKP', crv: 'Ed25519', x: b64u(m) } : { kty: 'EC', crv: 'P-256', x: b64u(m.subarray(1, 33)), y: b64u(m.subarray(33, 65)) };
    if (jwks.size > 4096) jwks.clear();
    jwks.set(job.key.fingerprint, jwk);
  }
  return { fp: job.key.fingerprint, jwk, ed, signed: job.signed, sig: job.signature };
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
    w = new Worker(KERNEL, { eval: true });
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
      const slice = jobs.slice(i * per, (i + 1) * per).map(wire);
      parts.push(new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, worker: w });
        w.ref(); // a worker with work keeps the process alive until it answers
        w.postMessage({ id, jobs: slice });
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
