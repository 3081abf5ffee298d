import { mkdtempSync, openSync, readSync, fstatSync, closeSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { sealRecord } from '../app/ledger';
import { declarationTemplate } from '../app/declaration';
import { DEFAULT_POLICY } from '../app/policy';
import { recordEvent } from '../app/forwarding/ocsf';
import { sessionContextAt } from '../app/forwarding/ports';
import { octetCountedFrame, syslogMessage } from '../app/forwarding/syslog';
import { SYSLOG_FACILITIES } from '../app/forwarding/policy';
import type { EvidenceRecord, UnsealedRecord } from '../app/records';
import { GitEvidenceStore } from '../main/evidence/store';
import { Forwarder } from '../main/forward/forwarder';
import { StoreForwardSource } from '../main/evidence/forwardSource';
import { httpsAgent, postHttps } from '../main/forward/https';
import { webhookSignature } from '../main/forward/webhook';
import { startWebhookReceiver } from '../test/support/httpsReceivers';
import { startRsyslog } from '../test/support/rsyslog';
import { makeTestCa } from '../test/support/testCa';
import { generateLedger } from './generate';
import { editPolicyInBareRepo } from './policy';
import { report, summarise } from './stats';

/**
 * The forwarding benchmark (issue 19), against Debian's rsyslogd (TLS, GnuTLS driver, test CA)
 * and a node:https webhook checking the HMAC, both on 127.0.0.1:
 *   - from the commit of a `declared` record (GitEvidenceStore's append resolved) to its arrival
 *     in rsyslog's output file and at the webhook, median and p95 over BENCH_FORWARD_REPS (30);
 *     baselines in the same run, interleaved: the same syslog frame sent on a fresh raw TLS
 *     connection to the same rsyslogd (to its arrival in the file), and the same signed body
 *     POSTed raw to the webhook;
 *   - a backlog of 10,000 records (BENCH_FORWARD_BACKLOG) delivered to rsyslog from start to the
 *     last arrival, in records/s, beside the same frames written raw down one TLS connection.
 */
const REPS = Number(process.env.BENCH_FORWARD_REPS ?? 30);
const BACKLOG = Number(process.env.BENCH_FORWARD_BACKLOG ?? 10_000);
const SECRET = 'bench-webhook-secret';
const HOST = { id: 'bench-host', name: 'admin-bench' };
const PRODUCT = { name: 'Break-Glass Console', version: '0.1.0' };
const OPERATOR = { name: 'Ada Lovelace', email: 'ada@example.com' };

/** Follows a growing file and resolves when a line containing `needle` has been written. */
class FileTail {
  private offset = 0;
  private text = '';
  constructor(private readonly file: string) {}
  /** Lines written since the last call. */
  read(): string {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return '';
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return '';
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      return buf.toString('latin1');
    } finally {
      closeSync(fd);
    }
  }
  /** Resolves with the time (performance.now) the needle was seen; polls every millisecond. */
  async seen(needle: string, timeoutMs = 10_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.text += this.read();
      const at = this.text.indexOf(needle);
      if (at >= 0) {
        this.text = this.text.slice(at + needle.length);
        return performance.now();
      }
      if (performance.now() > deadline) throw new Error(`not seen in ${this.file}: ${needle}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  /** Counts lines containing `needle` until `count` are there. */
  async count(needle: string, count: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    let n = 0;
    for (;;) {
      const chunk = this.read();
      for (let i = chunk.indexOf(needle); i >= 0; i = chunk.indexOf(needle, i + 1)) n += 1;
      if (n >= count) return performance.now();
      if (performance.now() > deadline) throw new Error(`only ${n} of ${count} arrived`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

function declaredRecord(i: number, at: number): EvidenceRecord {
  const sessionId = `bg-${new Date(at).toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '-')}-${(0xb0000000 + i).toString(16)}`;
  return sealRecord([], {
    sessionId, host: HOST, actor: OPERATOR, type: 'declared', at: new Date(at).toISOString(), redactions: 0,
    payload: { declaration: { ...declarationTemplate(DEFAULT_POLICY), incidentId: `INC-${20000 + i}`, operator: OPERATOR }, expiresAt: new Date(at + 30 * 60_000).toISOString(), policySha256: '0'.repeat(64), preconditions: [] },
  } as UnsealedRecord);
}

/** One raw TLS connection to rsyslog: connect, write, end, like the transport but without it. */
function rawTlsSend(port: number, ca: Buffer, bytes: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => s.end(bytes, 'latin1'));
    s.on('error', reject);
    s.on('data', () => {});
    s.on('close', () => resolve());
  });
}

/** Runs the forwarding benchmark and prints its figures with the baselines. */
export async function forwardBenchmarks(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-forward-'));
  const ca = makeTestCa(path.join(dir, 'ca'));
  const caPem = readFileSync(ca.caCert);
  const rsyslog = await startRsyslog(path.join(dir, 'rsyslog'), ca);
  const webhook = await startWebhookReceiver(ca, SECRET);
  const arrivals = new Map<string, number>();
  const push = webhook.events.push.bind(webhook.events);
  webhook.events.push = (...events) => {
    for (const e of events) arrivals.set(e.metadata.uid, performance.now());
    return push(...events);
  };
  const tail = new FileTail(path.join(dir, 'rsyslog', 'received.log'));
  try {
    const repo = path.join(dir, 'latency');
    const store = await GitEvidenceStore.open(repo, { create: true });
    editPolicyInBareRepo(repo, { forwarding: { destinations: [
      { id: 'siem', kind: 'syslog', host: '127.0.0.1', port: rsyslog.port, caFile: ca.caCert },
      { id: 'alerts', kind: 'webhook', url: `${webhook.url}/hook`, secret: { env: 'BENCH_WEBHOOK_SECRET' }, caFile: ca.caCert },
    ] } });
    const view = await store.read();
    if (!view.policy.ok) throw new Error('bench policy does not load');
    const forwarder = new Forwarder({ source: new StoreForwardSource(store, HOST.id), stateDir: path.join(store.gitDir, 'breakglass-forward'), forwarding: view.policy.policy.forwarding, host: HOST, product: PRODUCT, env: { BENCH_WEBHOOK_SECRET: SECRET } });
    forwarder.start();
    await forwarder.whenIdle(30_000);
    const syslogMs: number[] = [];
    const webhookMs: number[] = [];
    const rawSyslogMs: number[] = [];
    const rawWebhookMs: number[] = [];
    const agent = httpsAgent(caPem);
    for (let i = 0; i < REPS + 1; i++) {
      const record = declaredRecord(i, Date.now());
      await store.write(async (_v, append) => append(record, record.type === 'declared' ? record.payload.declaration.incidentId : null));
      const committed = performance.now();
      forwarder.notify();
      const atSyslog = await tail.seen(record.hash);
      while (!arrivals.has(record.hash)) await new Promise((r) => setTimeout(r, 1));
      const atWebhook = arrivals.get(record.hash)!;
      await forwarder.whenIdle(10_000);
      // The baselines: the same bytes, raw, on a fresh connection each.
      const event = recordEvent({ record, commit: (await store.read()).head!, position: i + 1, session: sessionContextAt([record], 1) }, PRODUCT);
      const frame = octetCountedFrame(syslogMessage({ ...event, metadata: { ...event.metadata, uid: `raw-${record.hash}` } }, { facility: SYSLOG_FACILITIES.authpriv, appName: 'breakglass' }));
      const t0 = performance.now();
      await rawTlsSend(rsyslog.port, caPem, frame);
      const rawAt = await tail.seen(`raw-${record.hash}`);
      const body = JSON.stringify({ ...event, metadata: { ...event.metadata, uid: `raw-${record.hash}` } });
      const ts = String(Math.floor(Date.now() / 1000));
      const t1 = performance.now();
      await postHttps(new URL(`${webhook.url}/hook`), body, { 'X-Breakglass-Signature': webhookSignature(SECRET, ts, body), 'X-Breakglass-Timestamp': ts }, { agent, timeoutMs: 10_000, ctx: { what: 'bench', target: 'webhook' } });
      const rawWebhookAt = arrivals.get(`raw-${record.hash}`)!;
      if (i === 0) continue; // warm-up
      syslogMs.push(atSyslog - committed);
      webhookMs.push(atWebhook - committed);
      rawSyslogMs.push(rawAt - t0);
      rawWebhookMs.push(rawWebhookAt - t1);
    }
    agent.destroy();
    await forwarder.stop();
    report('forward: commit of declared → at rsyslog (TLS)', summarise(syslogMs), summarise(rawSyslogMs), '≤ 2 s (issue 19); baseline: raw TLS send');
    report('forward: commit of declared → at webhook (HTTPS, HMAC)', summarise(webhookMs), summarise(rawWebhookMs), '≤ 2 s (issue 19); baseline: raw HTTPS POST');

    // The backlog: BACKLOG records already in the ledger, a forwarder started from no cursor.
    const backlogRepo = path.join(dir, 'backlog');
    await GitEvidenceStore.open(backlogRepo, { create: true });
    editPolicyInBareRepo(backlogRepo, { forwarding: { destinations: [{ id: 'siem', kind: 'syslog', host: '127.0.0.1', port: rsyslog.port, caFile: ca.caCert }] } });
    await generateLedger(backlogRepo, { sessions: Math.ceil(BACKLOG / 10), recordsPerSession: 10, hostId: HOST.id, start: Date.parse('2025-01-01T00:00:00Z') });
    const backlogStore = await GitEvidenceStore.open(backlogRepo);
    const bview = await backlogStore.read();
    if (!bview.policy.ok) throw new Error('bench policy does not load');
    const source = new StoreForwardSource(backlogStore, HOST.id);
    const total = (await source.tip()).ownRecords;
    const items = await source.recordsAfter(null, { limit: total });
    const frames = items.map((it) => octetCountedFrame(syslogMessage(recordEvent(it, PRODUCT), { facility: SYSLOG_FACILITIES.authpriv, appName: 'raw-backlog' })));
    tail.read();
    const b0 = performance.now();
    const backlog = new Forwarder({ source, stateDir: path.join(backlogStore.gitDir, 'breakglass-forward'), forwarding: bview.policy.policy.forwarding, host: HOST, product: PRODUCT, env: {} });
    backlog.start();
    const bEnd = await tail.count(' breakglass - ', total, 600_000);
    await backlog.stop();
    tail.read();
    const r0 = performance.now();
    await rawTlsSend(rsyslog.port, caPem, frames.join(''));
    const rEnd = await tail.count(' raw-backlog - ', total, 600_000);
    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
    console.log(`${'forward: backlog to rsyslog (TLS)'.padEnd(58)} ${String(total).padStart(6)} records in ${((bEnd - b0) / 1000).toFixed(1)} s = ${rate(total, bEnd - b0)} records/s  baseline (one raw TLS connection, same frames) ${rate(total, rEnd - r0)} records/s  ratio ${((rEnd - r0) / (bEnd - b0)).toFixed(2)}×`);
  } finally {
    await rsyslog.stop();
    await webhook.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
