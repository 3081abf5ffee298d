import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { OcsfEvent } from '../../app/forwarding/ocsf';
import type { TestCa } from './testCa';

/**
 * Real HTTPS receivers on 127.0.0.1 (node:https with the test CA's server certificate): a webhook
 * that checks the HMAC signature and the timestamp the way docs/forwarding.md tells a receiver
 * to, and a Splunk HTTP Event Collector that speaks HEC's event and acknowledgement endpoints as
 * Splunk documents them (no Splunk can run here). Restarts keep the port.
 */

interface Base {
  port: number;
  url: string;
  /** Make every answer this status (null: answer normally). */
  answer(status: number | null): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** A signed-webhook receiver. */
export interface WebhookReceiver extends Base {
  /** Events whose signature and timestamp verified, in arrival order. */
  events: OcsfEvent[];
  /** Every request, verified or not. */
  requests: Array<{ headers: Record<string, string | string[] | undefined>; body: string; verified: boolean }>;
}

async function serve(ca: TestCa, handler: import('node:http').RequestListener): Promise<Base & { server: () => https.Server }> {
  let port = 0;
  let server: https.Server;
  let forced: number | null = null;
  const listen = () => new Promise<void>((resolve, reject) => {
    server = https.createServer({ cert: readFileSync(ca.serverCert), key: readFileSync(ca.serverKey) }, (req, res) => {
      if (forced !== null) {
        req.resume();
        req.on('end', () => res.writeHead(forced!, { 'content-type': 'application/json' }).end('{"text":"forced by the test"}'));
        return;
      }
      handler(req, res);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve();
    });
  });
  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `https://127.0.0.1:${port}`;
    },
    answer: (status) => (forced = status),
    server: () => server,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
    restart: listen,
  };
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Starts a webhook receiver that accepts only requests signed with `secret` and dated within `toleranceS`. */
export async function startWebhookReceiver(ca: TestCa, secret: string, options: { signatureHeader?: string; timestampHeader?: string; toleranceS?: number } = {}): Promise<WebhookReceiver> {
  const sigHeader = (options.signatureHeader ?? 'X-Breakglass-Signature').toLowerCase();
  const tsHeader = (options.timestampHeader ?? 'X-Breakglass-Timestamp').toLowerCase();
  const events: WebhookReceiver['events'] = [];
  const requests: WebhookReceiver['requests'] = [];
  const base = await serve(ca, async (req, res) => {
    const body = await readBody(req);
    const ts = String(req.headers[tsHeader] ?? '');
    const sig = Buffer.from(String(req.headers[sigHeader] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
    const fresh = Math.abs(Date.now() / 1000 - Number(ts)) <= (options.toleranceS ?? 300);
    const verified = fresh && sig.length === expected.length && timingSafeEqual(sig, expected);
    requests.push({ headers: req.headers, body, verified });
    if (!verified) return void res.writeHead(401).end();
    events.push(JSON.parse(body));
    res.writeHead(204).end();
  });
  return Object.assign(base, { events, requests });
}

/** A Splunk HTTP Event Collector. */
export interface HecReceiver extends Base {
  /** Events received (each HEC envelope's `event`), in arrival order, with the envelope. */
  envelopes: Array<{ event: OcsfEvent; [field: string]: unknown }>;
  /** Whether the collector confirms indexing from now on (false: new acks stay false forever). */
  setIndexing(on: boolean): void;
}

/** Starts an HEC endpoint that takes `token`; with `ack`, answers ackIds and confirms them on /services/collector/ack. */
export async function startHecReceiver(ca: TestCa, token: string, options: { ack: boolean }): Promise<HecReceiver> {
  const envelopes: HecReceiver['envelopes'] = [];
  const acked = new Map<string, Set<number>>();
  let nextAck = 0;
  const state = { indexes: true };
  const base = await serve(ca, async (req, res) => {
    const body = await readBody(req);
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const auth = req.headers.authorization;
    if (!auth) return json(401, { text: 'Token is required', code: 2 });
    if (auth !== `Splunk ${token}`) return json(403, { text: 'Invalid token', code: 4 });
    const url = new URL(req.url ?? '/', 'https://x');
    const channel = String(req.headers['x-splunk-request-channel'] ?? url.searchParams.get('channel') ?? '');
    if (url.pathname === '/services/collector/event') {
      if (options.ack && !channel) return json(400, { text: 'Data channel is missing', code: 10 });
      for (const line of body.split('\n').filter(Boolean)) envelopes.push(JSON.parse(line));
      if (!options.ack) return json(200, { text: 'Success', code: 0 });
      const id = nextAck++;
      if (state.indexes) (acked.get(channel) ?? acked.set(channel, new Set()).get(channel)!).add(id);
      return json(200, { text: 'Success', code: 0, ackId: id });
    }
    if (url.pathname === '/services/collector/ack') {
      const ids = (JSON.parse(body) as { acks: number[] }).acks;
      return json(200, { acks: Object.fromEntries(ids.map((i) => [String(i), acked.get(channel)?.has(i) ?? false])) });
    }
    return json(404, { text: 'The requested URL was not found on this server.', code: 404 });
  });
  return Object.assign(base, { envelopes, setIndexing: (on: boolean) => void (state.indexes = on) });
}
