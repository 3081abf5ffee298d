import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent, testEvent } from '../../../app/forwarding/ocsf';
import { DestinationSchema, type Destination } from '../../../app/forwarding/policy';
import { ForwardError } from '../../../main/forward/errors';
import { createTransport } from '../../../main/forward/forwarder';
import { cleanup, tempDir } from '../../support/cli';
import { itemOfEveryType, TEST_PRODUCT } from '../../support/forwardItems';
import { startHecReceiver, startWebhookReceiver, type HecReceiver, type WebhookReceiver } from '../../support/httpsReceivers';
import { startRsyslog, type Rsyslog } from '../../support/rsyslog';
import { makeTestCa, type TestCa } from '../../support/testCa';
import { waitFor } from '../../support/waitFor';

/**
 * The three transports against real receivers on 127.0.0.1 (issue 19): Debian's rsyslogd with
 * its GnuTLS driver and a test CA (and a second one that requires a client certificate, and one
 * on plain TCP), a node:https webhook that checks the HMAC, and an HEC endpoint. Every failure
 * the policy can cause is one clear message: unreachable, TLS failure, wrong CA, wrong name,
 * 401/403, non-2xx.
 */

const SECRET = 'whsec-test-0123456789abcdef';
const TOKEN = '8f0c4d3e-hec-token-test';
const EVENTS = Object.values(itemOfEveryType()).map((i) => recordEvent(i, TEST_PRODUCT));
const HOST = { id: 'host-a', name: 'admin-01' };

let dir: string;
let ca: TestCa;
let tlsSyslog: Rsyslog;
let mtlsSyslog: Rsyslog;
let tcpSyslog: Rsyslog;
let webhook: WebhookReceiver;
let hec: HecReceiver;
const env: NodeJS.ProcessEnv = { BG_WEBHOOK_SECRET: SECRET, BG_HEC_TOKEN: TOKEN };

function destination(d: Record<string, unknown>): Destination {
  return DestinationSchema.parse(d);
}

async function failure(d: Destination, e: NodeJS.ProcessEnv = env): Promise<ForwardError> {
  const err = await createTransport(d, e).deliver([testEvent(HOST, Date.now(), d.id, TEST_PRODUCT)]).then(() => null, (x: unknown) => x);
  if (!(err instanceof ForwardError)) throw new Error(`expected a ForwardError, got ${String(err)}`);
  expect(err.message).not.toContain(SECRET);
  expect(err.message).not.toContain(TOKEN);
  return err;
}

describe('forwarding transports against real receivers', () => {
  beforeAll(async () => {
    dir = tempDir('bg-fwd-transports-');
    ca = makeTestCa(path.join(dir, 'ca'));
    [tlsSyslog, mtlsSyslog, tcpSyslog] = await Promise.all([
      startRsyslog(path.join(dir, 'rs-tls'), ca),
      startRsyslog(path.join(dir, 'rs-mtls'), ca, { requireClientCert: true }),
      startRsyslog(path.join(dir, 'rs-tcp'), null),
    ]);
    webhook = await startWebhookReceiver(ca, SECRET);
    hec = await startHecReceiver(ca, TOKEN, { ack: true });
  });

  afterAll(async () => {
    await Promise.all([tlsSyslog?.stop(), mtlsSyslog?.stop(), tcpSyslog?.stop(), webhook?.stop(), hec?.stop()]);
    cleanup(dir);
  });

  const syslog = (r: Rsyslog, extra: Record<string, unknown> = {}) => destination({ id: 'siem', kind: 'syslog', host: '127.0.0.1', port: r.port, caFile: ca.caCert, ...extra });

  it('syslog over TLS: a batch arrives at rsyslog whole and in order, each event in its own RFC 5424 message', async () => {
    const before = tlsSyslog.events().length;
    await createTransport(syslog(tlsSyslog), env).deliver(EVENTS);
    // Delivery resolves once rsyslog has read the batch; its file write follows at once.
    const got = await waitFor('the batch in rsyslog', () => (tlsSyslog.events().length >= before + EVENTS.length ? tlsSyslog.events().slice(before) : null));
    expect(got).toEqual(EVENTS);
    expect(tlsSyslog.messages().slice(before)[0]).toMatch(/^<82>1 2026-11-28T09:48:26\.000Z admin-01 breakglass - declared - \{/);
  });

  it('syslog with a client certificate, where the receiver requires one; without it, a clear TLS failure', async () => {
    const before = mtlsSyslog.events().length;
    await createTransport(syslog(mtlsSyslog, { clientCertFile: ca.clientCert, clientKeyFile: ca.clientKey }), env).deliver(EVENTS.slice(0, 2));
    await waitFor('the events in rsyslog', () => mtlsSyslog.events().length >= before + 2);
    const err = await failure(syslog(mtlsSyslog));
    expect(err.kind).toBe('tls');
    expect(err.message).toMatch(/tls:\/\/127\.0\.0\.1:\d+/);
    expect(err.message).toMatch(/client certificate/);
  });

  it('syslog over plain TCP only when the policy says insecurePlainTcp', async () => {
    const before = tcpSyslog.events().length;
    await createTransport(destination({ id: 'siem', kind: 'syslog', host: '127.0.0.1', port: tcpSyslog.port, insecurePlainTcp: true }), env).deliver(EVENTS.slice(0, 3));
    expect(await waitFor('plain TCP events', () => (tcpSyslog.events().length >= before + 3 ? tcpSyslog.events().slice(before) : null))).toEqual(EVENTS.slice(0, 3));
    // The same port does not speak TLS: a TLS destination pointed at it fails the handshake, not silently.
    const notTls = await failure(syslog(tcpSyslog, { timeoutSeconds: 1 }));
    expect(notTls).toMatchObject({ kind: 'tls', message: `the syslog receiver tls://127.0.0.1:${tcpSyslog.port} accepted the connection but did not complete the TLS handshake within 1 s: the port may not speak TLS.` });
  });

  it('a wrong CA is refused: certificate verify failed, naming the CA file to fix', async () => {
    const err = await failure(syslog(tlsSyslog, { caFile: ca.otherCaCert }));
    expect(err.kind).toBe('wrong-ca');
    expect(err.message).toContain(ca.otherCaCert);
    expect(err.message).toMatch(/certificate verify failed/);
    // The system's CAs do not know the test CA either.
    expect((await failure(destination({ id: 'siem', kind: 'syslog', host: '127.0.0.1', port: tlsSyslog.port }))).kind).toBe('wrong-ca');
  });

  it('the receiver\'s name is verified: another name is refused, serverName says which name to expect', async () => {
    const err = await failure(syslog(tlsSyslog, { serverName: 'siem.example.com' }));
    expect(err.kind).toBe('certificate');
    expect(err.message).toMatch(/not issued for that name.*serverName/);
    await createTransport(syslog(tlsSyslog, { serverName: 'localhost' }), env).deliver(EVENTS.slice(0, 1));
  });

  it('unreachable: nothing listening, or a name that does not resolve', async () => {
    const closed = await failure(destination({ id: 'siem', kind: 'syslog', host: '127.0.0.1', port: 1, caFile: ca.caCert }));
    expect(closed.kind).toBe('unreachable');
    expect(closed.message).toBe('Cannot reach the syslog receiver tls://127.0.0.1:1: the connection was refused (nothing listens there). Check that the receiver runs and that this host may connect to it.');
    expect((await failure(destination({ id: 'siem', kind: 'syslog', host: 'nonexistent.invalid', port: 6514, caFile: ca.caCert }))).message).toMatch(/does not resolve/);
  });

  it('a CA file that is not there is a configuration problem on this host', async () => {
    const err = await failure(syslog(tlsSyslog, { caFile: '/nonexistent/ca.pem' }));
    expect(err).toMatchObject({ kind: 'config', message: 'The file /nonexistent/ca.pem named by caFile does not exist on this host.' });
  });

  const hook = (extra: Record<string, unknown> = {}) => destination({ id: 'alerts', kind: 'webhook', url: `${webhook.url}/hook`, secret: { env: 'BG_WEBHOOK_SECRET' }, caFile: ca.caCert, ...extra });

  it('webhook: each event is one POST the receiver verifies by HMAC over timestamp and body', async () => {
    const before = webhook.events.length;
    await createTransport(hook(), env).deliver(EVENTS);
    expect(webhook.events.slice(before)).toEqual(EVENTS);
    const last = webhook.requests[webhook.requests.length - 1]!;
    expect(last.verified).toBe(true);
    expect(last.headers['x-breakglass-event-id']).toBe(EVENTS[EVENTS.length - 1]!.metadata.uid);
    expect(String(last.headers['x-breakglass-signature'])).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('webhook: a wrong secret gets 401, which names where the secret is kept and never the secret', async () => {
    const err = await failure(hook(), { BG_WEBHOOK_SECRET: 'not-the-secret' });
    expect(err.kind).toBe('auth');
    expect(err.message).toBe(`the webhook https://127.0.0.1:${webhook.port}/hook refused the request (HTTP 401 Unauthorized): check the webhook secret in $BG_WEBHOOK_SECRET against what the receiver expects.`);
    expect(err.message).not.toContain('not-the-secret');
    expect((await failure(hook(), {})).message).toBe('The webhook secret is not set: the policy names the environment variable BG_WEBHOOK_SECRET, which is empty or unset for this process.');
  });

  it('webhook: 403, a non-2xx answer and a wrong CA each say what to do', async () => {
    try {
      webhook.answer(403);
      expect((await failure(hook())).message).toMatch(/HTTP 403 Forbidden\): check the webhook secret in \$BG_WEBHOOK_SECRET/);
      webhook.answer(503);
      expect(await failure(hook())).toMatchObject({ kind: 'http-status', message: `the webhook https://127.0.0.1:${webhook.port}/hook answered HTTP 503 Service Unavailable: the receiver has a problem or is overloaded; delivery is retried.` });
      webhook.answer(302);
      expect((await failure(hook())).message).toMatch(/redirects are not followed/);
    } finally {
      webhook.answer(null);
    }
    expect((await failure(hook({ caFile: ca.otherCaCert }))).kind).toBe('wrong-ca');
  });

  it('webhook: a failure mid-batch counts the events delivered before it', async () => {
    const before = webhook.events.length;
    const transport = createTransport(hook(), env);
    let calls = 0;
    webhook.answer(null);
    const original = webhook.events.push.bind(webhook.events);
    webhook.events.push = (...e) => {
      calls += 1;
      if (calls === 3) webhook.answer(500);
      return original(...e);
    };
    try {
      const err = await transport.deliver(EVENTS).then(() => null, (x: ForwardError) => x);
      expect(err?.delivered).toBe(3);
      expect(webhook.events.length - before).toBe(3);
    } finally {
      webhook.events.push = original;
      webhook.answer(null);
    }
  });

  const splunk = (extra: Record<string, unknown> = {}) => destination({ id: 'splunk', kind: 'splunk-hec', url: hec.url, token: { env: 'BG_HEC_TOKEN' }, caFile: ca.caCert, indexerAcknowledgement: true, ...extra });

  it('Splunk HEC: a batch is delivered once the indexer acknowledges it', async () => {
    const before = hec.envelopes.length;
    await createTransport(splunk({ index: 'security' }), env).deliver(EVENTS);
    const got = hec.envelopes.slice(before);
    expect(got.map((e) => e.event)).toEqual(EVENTS);
    expect(got[0]).toMatchObject({ sourcetype: 'ocsf:breakglass', index: 'security', host: 'admin-01', time: EVENTS[0]!.time / 1000 });
  });

  it('Splunk HEC: no acknowledgement in time, a refused token, and no ack id each say what to do', async () => {
    hec.setIndexing(false);
    try {
      expect((await failure(splunk({ ackTimeoutSeconds: 1 })))).toMatchObject({ kind: 'protocol', message: `the Splunk HTTP Event Collector ${hec.url} did not confirm indexing within 1 s; the events are sent again.` });
    } finally {
      hec.setIndexing(true);
    }
    const refused = await failure(splunk(), { BG_HEC_TOKEN: 'wrong' });
    expect(refused.message).toMatch(/HTTP 403 Forbidden\): check the HEC token in \$BG_HEC_TOKEN/);
    const plain = await startHecReceiver(ca, TOKEN, { ack: false });
    try {
      expect((await failure(destination({ id: 'splunk', kind: 'splunk-hec', url: plain.url, token: { env: 'BG_HEC_TOKEN' }, caFile: ca.caCert, indexerAcknowledgement: true }))).message).toMatch(/indexer acknowledgement is not enabled/);
      const before = plain.envelopes.length;
      await createTransport(destination({ id: 'splunk', kind: 'splunk-hec', url: plain.url, token: { env: 'BG_HEC_TOKEN' }, caFile: ca.caCert }), env).deliver(EVENTS.slice(0, 2));
      expect(plain.envelopes.slice(before).map((e) => e.event)).toEqual(EVENTS.slice(0, 2));
    } finally {
      await plain.stop();
    }
  });
});
