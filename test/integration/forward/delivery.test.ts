import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateLedger } from '../../../bench/generate';
import type { Forwarder } from '../../../main/forward/forwarder';
import { cleanup, declaration, jsonFile, ROOT } from '../../support/cli';
import { declareUnforwarded, firstArrivals, ledgerOrder, openForwarder, recordIds, setForwarding } from '../../support/forwardHarness';
import type { HecReceiver, WebhookReceiver } from '../../support/httpsReceivers';
import { receiverDestinations, startForwardReceivers, type DestinationExtras, type ForwardReceivers } from '../../support/forwardReceivers';
import { assertCliBuilt, sessionLog, workspace, type Workspace } from '../../support/lifecycleKit';
import type { Rsyslog } from '../../support/rsyslog';
import type { TestCa } from '../../support/testCa';
import { waitFor } from '../../support/waitFor';

/**
 * Forwarding end to end (issue 19): records committed through the real CLI into a real evidence
 * repository, read back through the real GitEvidenceStore, delivered to Debian's rsyslogd over
 * TLS, a signed HTTPS webhook and an HEC endpoint on 127.0.0.1. The ledger is the outbox: a
 * stopped receiver queues nothing in memory, a restart resumes from the cursor, and a forwarding
 * process killed with SIGKILL loses nothing.
 */

const SECRET = 'whsec-delivery-test-secret';
const TOKEN = 'hec-delivery-test-token';
const ENV: NodeJS.ProcessEnv = { BG_WEBHOOK_SECRET: SECRET, BG_HEC_TOKEN: TOKEN };

let receivers: ForwardReceivers | undefined;
let ca: TestCa;
let syslog: Rsyslog;
let webhook: WebhookReceiver;
let hec: HecReceiver;
const open: Forwarder[] = [];

const destinations = (extra: DestinationExtras = {}) => receiverDestinations(receivers!, 'BG_WEBHOOK_SECRET', extra);

type Received = Record<'siem' | 'alerts' | 'splunk', string[]>;

/** Everything each receiver got so far, as record ids (checkpoints left out). */
function received(): Received {
  return { siem: recordIds(syslog.events()), alerts: recordIds(webhook.events), splunk: recordIds(hec.envelopes.map((e) => e.event)) };
}

/**
 * Records of one repository (`ours`, its record ids) received since `mark` (a snapshot of
 * `received()`): the receivers are shared by the tests. Cheap: it runs in the loop that polls,
 * beside the webhook and HEC servers of this process.
 */
function since(mark: Received, ours: ReadonlySet<string> | null): Received {
  const now = received();
  const pick = (ids: string[], from: number) => ids.slice(from).filter((id) => !ours || ours.has(id));
  return { siem: pick(now.siem, mark.siem.length), alerts: pick(now.alerts, mark.alerts.length), splunk: pick(now.splunk, mark.splunk.length) };
}

/** Declares a session through the real CLI. */
async function declare(ws: Workspace): Promise<void> {
  expect((await ws.cli(['declare', '--file', jsonFile(ws.dir, 'd.json', declaration())])).code).toBe(0);
}

/** A workspace whose policy forwards to `to` (the three receivers), with a session declared through the CLI. */
async function declaredWorkspace(to = destinations(), checkpointMinutes?: number): Promise<Workspace> {
  const ws = await workspace();
  setForwarding(ws.repo, to, checkpointMinutes);
  await declare(ws);
  return ws;
}

async function started(ws: Workspace, options: Parameters<typeof openForwarder>[1] = { env: ENV }) {
  const f = await openForwarder(ws.repo, options);
  open.push(f.forwarder);
  f.forwarder.start();
  return f;
}

describe('forwarding every record (issue 19)', () => {
  beforeAll(async () => {
    assertCliBuilt();
    receivers = await startForwardReceivers('bg-fwd-delivery-', SECRET, { hecToken: TOKEN });
    ({ ca, syslog, webhook } = receivers);
    hec = receivers.hec!;
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.stop()));
  });

  afterAll(() => receivers?.stop());

  it('a declaration committed through the CLI reaches rsyslog, the webhook and HEC within 2 s, as one event with its hash, session and commit', async () => {
    const ws = await workspace();
    setForwarding(ws.repo, destinations());
    const { forwarder } = await started(ws);
    expect(await forwarder.whenIdle(10_000)).toBe(true);
    const mark = received();
    const declared = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'd.json', declaration())]);
    expect(declared.code).toBe(0);
    const committedAt = performance.now();
    forwarder.notify(); // what the console does after its own commit
    const ours = null; // the first test: nothing else delivers to the receivers yet
    const arrived = await waitFor('the declaration at every receiver', () => {
      const got = since(mark, ours);
      return got.siem.length && got.alerts.length && got.splunk.length ? { got, ms: performance.now() - committedAt } : null;
    }, { intervalMs: 5 });
    expect(arrived.ms).toBeLessThan(2000);
    const sessionId = JSON.parse(declared.stdout).sessionId as string;
    const [entry] = await sessionLog(ws, sessionId);
    expect(arrived.got).toEqual({ siem: [entry!.record.hash], alerts: [entry!.record.hash], splunk: [entry!.record.hash] });
    const event = syslog.events().find((e) => e.metadata.uid === entry!.record.hash)!;
    expect(event).toMatchObject({ class_uid: 3003, metadata: { correlation_uid: sessionId }, unmapped: { breakglass: { evidence_commit: entry!.commit, incident_id: 'INC-12345', environment: 'production', trigger: 'backend-lock-integrity' } } });
    expect(webhook.events.find((e) => e.metadata.uid === entry!.record.hash)).toEqual(event);
    cleanup(ws.dir);
  });

  it('records another process commits are picked up without notify (the tip is polled)', async () => {
    const ws = await workspace();
    setForwarding(ws.repo, destinations());
    const { forwarder } = await started(ws);
    await forwarder.whenIdle(10_000);
    const mark = received();
    await declare(ws);
    expect((await ws.cli(['note', 'polled, not notified'])).code).toBe(0);
    const ours = new Set(ledgerOrder(ws.repo));
    const got = await waitFor('both records', () => (since(mark, ours).siem.length === 2 && since(mark, ours).alerts.length === 2 ? since(mark, ours) : null));
    const order = ledgerOrder(ws.repo);
    expect(got.siem).toEqual(order.slice(-2));
    cleanup(ws.dir);
  });

  it('with the receivers stopped, records queue (status says how many and why); when they return each arrives once, in order', async () => {
    // The CLI forwards what it writes too, so it gets the secrets: it fails as the forwarder does.
    const ws = await workspace({ env: ENV as Record<string, string> });
    setForwarding(ws.repo, destinations());
    // The shortest backoff of each step (no jitter), so the wait for the timer's retry is bounded.
    const { forwarder } = await started(ws, { env: ENV, random: () => 0 });
    await declare(ws);
    forwarder.notify();
    await forwarder.whenIdle(10_000);
    const mark = received();
    await Promise.all([syslog.stop(), webhook.stop(), hec.stop()]);
    let ours: ReadonlySet<string> = new Set();
    try {
      for (const text of ['first while down', 'second while down', 'third while down']) {
        expect((await ws.cli(['note', text])).code).toBe(0);
        forwarder.notify();
      }
      expect((await ws.cli(['exec', '--', 'true'])).code).toBe(0);
      forwarder.notify();
      ours = new Set(ledgerOrder(ws.repo));
      // Three notes, and the command's start and its action (issue 12 item 7): five records behind.
      const status = await waitFor('every destination failing with 5 pending', async () => {
        const s = await forwarder.status();
        if (s.every((d) => d.failing && d.pending === 5)) return s;
        throw new Error(JSON.stringify(s.map((d) => [d.id, d.pending, d.failing?.kind ?? null])));
      }, { timeoutMs: 20_000 });
      for (const d of status) {
        expect(d.failing!.kind).toBe('unreachable');
        expect(d.failing!.reason).toMatch(/connection was refused/);
        expect(Date.parse(d.failing!.since)).toBeGreaterThan(0);
        expect(d.deliveredUpTo!.position).toBe(1);
      }
    } finally {
      await Promise.all([syslog.restart(), webhook.restart(), hec.restart()]);
    }
    // No notify: the backoff timer retries by itself.
    const got = await waitFor('the queued records at every receiver', () => {
      const g = since(mark, ours);
      return g.siem.length >= 5 && g.alerts.length >= 5 && g.splunk.length >= 5 ? g : null;
    }, { timeoutMs: 90_000 });
    const expected = ledgerOrder(ws.repo).slice(-5);
    expect(got).toEqual({ siem: expected, alerts: expected, splunk: expected });
    await forwarder.whenIdle(10_000);
    for (const d of await forwarder.status()) expect({ failing: d.failing, pending: d.pending, position: d.deliveredUpTo?.position }).toEqual({ failing: null, pending: 0, position: 6 });
    cleanup(ws.dir);
  }, 180_000);

  it('a declaration goes ahead of a backlog, which then follows whole and in order', async () => {
    const ws = await workspace();
    setForwarding(ws.repo, destinations());
    // Records of its own (a start of their own): the receivers are shared, and ids are record hashes.
    await generateLedger(ws.repo, { sessions: 30, recordsPerSession: 5, hostId: 'test-host', start: Date.parse('2025-03-01T00:00:00Z') });
    await declareUnforwarded(ws.repo);
    const order = ledgerOrder(ws.repo);
    const declaredHash = order[order.length - 1]!;
    const ours = new Set(order);
    const mark = received();
    const { forwarder } = await started(ws);
    expect(await forwarder.whenIdle(30_000)).toBe(true);
    const got = since(mark, ours);
    // The webhook and HEC take 50 and 100 events a batch, so the 151 records are a backlog to them.
    for (const ids of [got.alerts, got.splunk]) expect(ids).toEqual([declaredHash, ...order.slice(0, -1)]);
    // rsyslog takes 500 a batch: no backlog there, the ledger order as it is.
    expect(got.siem).toEqual(order);
    cleanup(ws.dir);
  });

  it('kill -9 of the forwarding process during delivery loses nothing; what is sent again carries the same id', async () => {
    const ws = await workspace();
    setForwarding(ws.repo, destinations());
    await generateLedger(ws.repo, { sessions: 40, recordsPerSession: 10, hostId: 'test-host', start: Date.parse('2025-06-01T00:00:00Z') });
    const order = ledgerOrder(ws.repo);
    const ours = new Set(order);
    const mark = received();
    const webhookMark = webhook.events.length;
    const spawnChild = () => spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/forwardChild.ts'), ws.repo], { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'inherit'] });
    const first = spawnChild();
    try {
      await waitFor('delivery under way', () => since(mark, ours).alerts.length >= 60, { timeoutMs: 45_000, intervalMs: 2 });
    } finally {
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
    }
    const atKill = since(mark, ours);
    expect(atKill.alerts.length).toBeLessThan(order.length);
    const second = spawnChild();
    try {
      const got = await waitFor('every record at every receiver', () => {
        const g = since(mark, ours);
        if ([g.siem, g.alerts, g.splunk].every((ids) => firstArrivals(ids).order.length === order.length)) return g;
        throw new Error(`of ${order.length}: ${Object.entries(g).map(([k, ids]) => `${k} ${firstArrivals(ids).order.length}`).join(', ')}`);
      }, { timeoutMs: 60_000 });
      for (const [name, ids] of Object.entries(got)) {
        const { order: arrived, duplicates } = firstArrivals(ids);
        expect(arrived, name).toEqual(order);
        // At most the batch in flight at the kill is sent again.
        expect(duplicates, name).toBeLessThanOrEqual({ siem: 500, alerts: 50, splunk: 100 }[name]!);
      }
      // A record sent twice is the same event twice (receivers drop it by metadata.uid).
      const byId = new Map<string, string>();
      for (const e of webhook.events.slice(webhookMark)) {
        const text = JSON.stringify(e);
        if (byId.has(e.metadata.uid)) expect(text).toBe(byId.get(e.metadata.uid));
        byId.set(e.metadata.uid, text);
      }
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
    cleanup(ws.dir);
  }, 120_000);

  it('a restart resumes from the cursor: only records committed since are sent', async () => {
    const ws = await declaredWorkspace();
    const one = await started(ws);
    await one.forwarder.whenIdle(10_000);
    await one.forwarder.stop();
    const mark = received();
    expect((await ws.cli(['note', 'after the restart'])).code).toBe(0);
    const ours = new Set(ledgerOrder(ws.repo));
    const two = await started(ws);
    await two.forwarder.whenIdle(10_000);
    const expected = ledgerOrder(ws.repo).slice(-1);
    expect(since(mark, ours)).toEqual({ siem: expected, alerts: expected, splunk: expected });
    cleanup(ws.dir);
  });

  it('an unreadable state file sends everything again, and status says why', async () => {
    const ws = await declaredWorkspace();
    const one = await started(ws);
    expect(await one.forwarder.whenIdle(10_000)).toBe(true);
    await one.forwarder.stop();
    writeFileSync(path.join(one.stateDir, 'alerts.json'), '{"v":1,"cursor":');
    const ours = new Set(ledgerOrder(ws.repo));
    const mark = received();
    const two = await started(ws);
    await two.forwarder.whenIdle(10_000);
    expect(since(mark, ours).alerts).toEqual(ledgerOrder(ws.repo));
    expect(since(mark, ours).siem).toEqual([]);
    const alerts = (await two.forwarder.status()).find((d) => d.id === 'alerts')!;
    expect(alerts.restarted?.reason).toMatch(/state file was unreadable/);
    cleanup(ws.dir);
  });

  it('two forwarders on one host (the console and the CLI) never send a record twice', async () => {
    const ws = await workspace();
    setForwarding(ws.repo, destinations());
    const a = await started(ws);
    const b = await started(ws);
    await Promise.all([a.forwarder.whenIdle(10_000), b.forwarder.whenIdle(10_000)]);
    const mark = received();
    await declare(ws);
    for (const text of ['one', 'two', 'three']) {
      expect((await ws.cli(['note', text])).code).toBe(0);
      a.forwarder.notify();
      b.forwarder.notify();
    }
    const ours = new Set(ledgerOrder(ws.repo));
    await waitFor('four records', () => since(mark, ours).alerts.length >= 4 && since(mark, ours).siem.length >= 4 && since(mark, ours).splunk.length >= 4);
    await Promise.all([a.forwarder.whenIdle(10_000), b.forwarder.whenIdle(10_000)]);
    const expected = ledgerOrder(ws.repo).slice(-4);
    expect(since(mark, ours)).toEqual({ siem: expected, alerts: expected, splunk: expected });
    cleanup(ws.dir);
  });

  it('a wrong CA shows in status as failing since T with the reason, and test() says the same and changes nothing', async () => {
    const ws = await declaredWorkspace(destinations({ syslog: { caFile: ca.otherCaCert } }));
    const { forwarder, stateDir } = await started(ws);
    const siem = await waitFor('siem failing', async () => (await forwarder.status()).find((d) => d.id === 'siem' && d.failing));
    expect(siem).toMatchObject({ pending: 1, deliveredUpTo: null, failing: { kind: 'wrong-ca' } });
    expect(siem!.failing!.reason).toContain(ca.otherCaCert);
    await forwarder.whenIdle(1); // the others are delivered meanwhile
    await waitFor('webhook delivered', async () => (await forwarder.status()).find((d) => d.id === 'alerts' && d.pending === 0));
    await forwarder.stop();
    const before = readFileSync(path.join(stateDir, 'alerts.json'), 'utf8');
    const mark = webhook.events.length;
    const ok = await forwarder.test('alerts');
    expect(ok).toMatchObject({ ok: true, destination: 'alerts' });
    expect(webhook.events.slice(mark).map((e) => e.metadata.event_code)).toEqual(['test']);
    expect(readFileSync(path.join(stateDir, 'alerts.json'), 'utf8')).toBe(before);
    const bad = await forwarder.test('siem');
    expect(bad).toMatchObject({ ok: false, kind: 'wrong-ca', message: siem!.failing!.reason });
    await expect(forwarder.test('nowhere')).rejects.toThrow('No forwarding destination "nowhere" in the policy (there are: siem, alerts, splunk).');
    cleanup(ws.dir);
  });

  it('checkpoints (host, tip commit, record count) go to every destination at start and each checkpoint interval', async () => {
    const ws = await workspace();
    setForwarding(ws.repo, destinations(), 15);
    await declareUnforwarded(ws.repo);
    // The clock starts at the real time: the webhook refuses requests dated far from its own clock (replays).
    const start = Date.now();
    let clock = start;
    const checkpoints = () => syslog.events().filter((e) => e.metadata.event_code === 'checkpoint' && e.device.uid === 'test-host' && e.time >= start);
    const mark = checkpoints().length;
    const { forwarder, store } = await started(ws, { env: ENV, now: () => clock });
    await forwarder.whenIdle(10_000);
    const head = (await store.read()).head;
    const first = checkpoints().slice(mark);
    expect(first).toHaveLength(1);
    expect(first[0]!.unmapped.breakglass).toMatchObject({ tip_commit: head, record_count: 1, own_record_count: 1 });
    expect(webhook.events.filter((e) => e.metadata.uid === first[0]!.metadata.uid)).toHaveLength(1);
    clock += 14 * 60_000;
    await forwarder.poll();
    await forwarder.whenIdle(10_000);
    expect(checkpoints().length - mark).toBe(1);
    clock += 2 * 60_000;
    await forwarder.poll();
    await waitFor('the second checkpoint', () => checkpoints().length - mark === 2);
    cleanup(ws.dir);
  });
});
