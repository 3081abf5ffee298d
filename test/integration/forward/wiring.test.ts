import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardDestinationStatus, ForwardTestResult } from '../../../app/forwarding/status';
import type { PreconditionResult } from '../../../app/service';
import { ConsoleBackend } from '../../../main/console/backend';
import { cleanup, declaration, jsonFile } from '../../support/cli';
import { ledgerOrder, recordIds, setForwarding } from '../../support/forwardHarness';
import type { WebhookReceiver } from '../../support/httpsReceivers';
import { receiverDestinations, startForwardReceivers, type DestinationExtras, type ForwardReceivers } from '../../support/forwardReceivers';
import { assertCliBuilt, workspace, type Workspace } from '../../support/lifecycleKit';
import type { Rsyslog } from '../../support/rsyslog';
import type { TestCa } from '../../support/testCa';
import { waitFor } from '../../support/waitFor';

/**
 * Forwarding wired into the product (issue 19): the console's backend and the real `breakglass`
 * CLI, each over a real evidence repository whose policy forwards to Debian's rsyslogd over TLS
 * and to a signed HTTPS webhook on 127.0.0.1. A record is handed to forwarding by the
 * application layer's after-write work; the contract's forward.status / forward.test and the
 * CLI's `forward status|test` report and test the same destinations; the wizard warns.
 */

const SECRET = 'whsec-wiring-test-secret';
let receivers: ForwardReceivers | undefined;
let dir: string;
let ca: TestCa;
let syslog: Rsyslog;
let webhook: WebhookReceiver;
const backends: ConsoleBackend[] = [];

const destinations = (extra: DestinationExtras = {}) => receiverDestinations(receivers!, 'BG_WIRING_SECRET', { ...extra, webhook: { timeoutSeconds: 2, ...extra.webhook } });

async function forwardingWorkspace(to = destinations()): Promise<Workspace> {
  const ws = await workspace({ env: { BG_WIRING_SECRET: SECRET } });
  setForwarding(ws.repo, to);
  return ws;
}

async function console(ws: Workspace): Promise<ConsoleBackend> {
  const backend = await ConsoleBackend.create({ repo: ws.repo, env: ws.env });
  backends.push(backend);
  await backend.start();
  return backend;
}

async function call<T>(backend: ConsoleBackend, name: string, input: unknown = {}): Promise<T> {
  const r = await backend.dispatch(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value as T;
}

const atWebhook = (ids: Set<string>) => recordIds(webhook.events).filter((id) => ids.has(id));
const atSyslog = (ids: Set<string>) => recordIds(syslog.events()).filter((id) => ids.has(id));

describe('forwarding in the console and the CLI (issue 19)', () => {
  beforeAll(async () => {
    assertCliBuilt();
    receivers = await startForwardReceivers('bg-fwd-wiring-', SECRET);
    ({ dir, ca, syslog, webhook } = receivers);
  });

  afterEach(async () => {
    for (const b of backends.splice(0)) b.stop();
  });

  afterAll(() => receivers?.stop());

  it('the console forwards a declaration within 2 s, reports it in forward.status and forward.changed, and follows a policy change', async () => {
    const ws = await forwardingWorkspace();
    const backend = await console(ws);
    const changes: ForwardDestinationStatus[][] = [];
    backend.subscribe((event, payload) => {
      if (event === 'forward.changed') changes.push(payload as ForwardDestinationStatus[]);
    });
    const t0 = performance.now();
    const declared = await call<{ sessionId: string; commit: string; record: { hash: string } }>(backend, 'session.declare', { declaration: declaration() });
    const hash = declared.record.hash;
    const ms = await waitFor('the declaration at both receivers', () => (atWebhook(new Set([hash])).length && atSyslog(new Set([hash])).length ? performance.now() - t0 : null), { intervalMs: 5 });
    expect(ms).toBeLessThan(2000);
    const event = webhook.events.find((e) => e.metadata.uid === hash)!;
    expect(event).toMatchObject({ class_uid: 3003, metadata: { correlation_uid: declared.sessionId }, unmapped: { breakglass: { incident_id: 'INC-12345', environment: 'production', evidence_commit: declared.commit } } });

    const statuses = await waitFor('both destinations delivered', async () => {
      const s = await call<ForwardDestinationStatus[]>(backend, 'forward.status');
      return s.every((d) => d.pending === 0 && d.deliveredUpTo?.recordHash === hash) ? s : null;
    });
    expect(statuses.map((s) => [s.id, s.kind, s.failing])).toEqual([['siem', 'syslog', null], ['alerts', 'webhook', null]]);
    await waitFor('a forward.changed event saying so', () => changes.some((c) => c.every((d) => d.pending === 0 && d.deliveredUpTo)) || null);

    // The organisation adds a destination: the running console follows the policy and sends it the whole history.
    const before = webhook.events.length;
    setForwarding(ws.repo, [...destinations(), { id: 'alerts-two', kind: 'webhook', url: `${webhook.url}/second`, secret: { env: 'BG_WIRING_SECRET' }, caFile: ca.caCert }]);
    await waitFor('the new destination listed and caught up', async () => {
      const s = await call<ForwardDestinationStatus[]>(backend, 'forward.status');
      return s.length === 3 && s[2]!.id === 'alerts-two' && s[2]!.deliveredUpTo?.recordHash === hash ? s : null;
    }, { timeoutMs: 15_000 });
    expect(webhook.events.slice(before).map((e) => e.metadata.uid)).toContain(hash);
    cleanup(ws.dir);
  });

  it('forward.test sends one test event and changes nothing else; a wrong CA is refused with a message that names it', async () => {
    const ws = await forwardingWorkspace([
      ...destinations(),
      { id: 'wrong-ca', kind: 'syslog', host: '127.0.0.1', port: syslog.port, caFile: ca.otherCaCert, timeoutSeconds: 2 },
    ]);
    const backend = await console(ws);
    await call(backend, 'session.declare', { declaration: declaration() });
    await waitFor('siem and alerts delivered', async () => (await call<ForwardDestinationStatus[]>(backend, 'forward.status')).slice(0, 2).every((d) => d.pending === 0) || null);
    const before = await call<ForwardDestinationStatus[]>(backend, 'forward.status');
    const tests = webhook.events.filter((e) => e.metadata.event_code === 'test').length;

    const ok = await call<ForwardTestResult>(backend, 'forward.test', { destination: 'alerts' });
    expect(ok).toMatchObject({ ok: true, destination: 'alerts', target: `${webhook.url}/hook` });
    expect(webhook.events.filter((e) => e.metadata.event_code === 'test')).toHaveLength(tests + 1);
    const bad = await call<ForwardTestResult>(backend, 'forward.test', { destination: 'wrong-ca' });
    expect(bad).toMatchObject({ ok: false, kind: 'wrong-ca' });
    expect(bad.ok ? '' : bad.message).toContain(ca.otherCaCert);
    const after = await call<ForwardDestinationStatus[]>(backend, 'forward.status');
    expect(after.slice(0, 2).map((s) => s.deliveredUpTo)).toEqual(before.slice(0, 2).map((s) => s.deliveredUpTo));
    expect((await backend.dispatch('forward.test', { destination: 'Not An Id' })).ok).toBe(false);
    cleanup(ws.dir);
  });

  it('the wizard warns about what the host lacks and about a failing destination, and the declaration still goes through', async () => {
    const ws = await forwardingWorkspace([
      ...destinations(),
      { id: 'hooks', kind: 'webhook', url: `${webhook.url}/hooks`, secret: { env: 'BG_WIRING_UNSET' }, caFile: path.join(dir, 'absent-ca.pem') },
    ]);
    const backend = await console(ws);
    await waitFor('hooks failing', async () => (await call<ForwardDestinationStatus[]>(backend, 'forward.status'))[2]!.failing || null);
    const checks = await call<PreconditionResult[]>(backend, 'preconditions.check', { environment: 'production', incidentId: 'INC-12345' });
    const forwarding = checks.find((c) => c.id === 'forwarding')!;
    expect(forwarding.status).toBe('warn');
    expect(forwarding.detail).toContain(`the file ${path.join(dir, 'absent-ca.pem')} named by caFile is not on this host`);
    expect(forwarding.detail).toContain('the environment variable BG_WIRING_UNSET named by secret is not set');
    expect(forwarding.detail).toMatch(/Forwarding to hooks .* is failing since/);
    const declared = await backend.dispatch('session.declare', { declaration: declaration() });
    expect(declared.ok).toBe(true);
    cleanup(ws.dir);
  });

  it('a CLI write is delivered before the CLI exits; with the receiver down it exits anyway and the records follow, once and in order, on the next run (exec too)', async () => {
    const ws = await forwardingWorkspace();
    const d = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'd.json', declaration())]);
    expect(d.code, d.stderr).toBe(0);
    let ours = new Set(ledgerOrder(ws.repo));
    expect(atWebhook(ours)).toEqual([...ours]);
    expect(atSyslog(ours)).toEqual([...ours]);

    await webhook.stop();
    const t0 = performance.now();
    const n = await ws.cli(['note', 'receiver is down']);
    expect(n.code, n.stderr).toBe(0);
    expect(performance.now() - t0).toBeLessThan(9_000);
    ours = new Set(ledgerOrder(ws.repo));
    expect(atSyslog(ours)).toEqual([...ours]);
    const status = await ws.cli(['--json', 'forward', 'status']);
    expect(status.code).toBe(0);
    const alerts = (JSON.parse(status.stdout) as { destinations: ForwardDestinationStatus[] }).destinations.find((s) => s.id === 'alerts')!;
    expect(alerts).toMatchObject({ pending: 1, failing: { kind: 'unreachable' } });
    const human = await ws.cli(['forward', 'status']);
    expect(human.stdout).toMatch(/alerts \(webhook, https:\/\/127\.0\.0\.1:\d+\/hook\): delivered up to record 1 .*; 1 pending/);
    expect(human.stdout).toContain('failing since');

    await webhook.restart();
    // exec sets its own exit code (not through the common action wrapper): it too delivers, and exits.
    const e = await ws.cli(['exec', '--', 'true']);
    expect(e.code, e.stderr).toBe(0);
    ours = new Set(ledgerOrder(ws.repo));
    expect(atWebhook(ours)).toEqual([...ours]);
    // declared, the note, and the command's action-started and action records (issue 12 item 7).
    expect(ours.size).toBe(4);
    cleanup(ws.dir);
  });

  it('breakglass forward test: exit 0 and the time taken; a wrong CA exits 1 naming it; an unknown destination exits 2', async () => {
    const ws = await forwardingWorkspace([...destinations(), { id: 'wrong-ca', kind: 'webhook', url: `${webhook.url}/hook`, secret: { env: 'BG_WIRING_SECRET' }, caFile: ca.otherCaCert }]);
    const ok = await ws.cli(['forward', 'test', 'siem']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Test event delivered to siem \(tls:\/\/127\.0\.0\.1:\d+\) in \d+ ms\.$/m);
    const bad = await ws.cli(['forward', 'test', 'wrong-ca']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('(wrong-ca)');
    expect(bad.stdout).toContain(ca.otherCaCert);
    const unknown = await ws.cli(['forward', 'test', 'nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there are: siem, alerts, wrong-ca');
    expect(unknown.stderr).not.toContain('nowhere');
    cleanup(ws.dir);
  });
});
