import path from 'node:path';
import { cleanup, tempDir } from './cli';
import { startHecReceiver, startWebhookReceiver, type HecReceiver, type WebhookReceiver } from './httpsReceivers';
import { startRsyslog, type Rsyslog } from './rsyslog';
import { makeTestCa, type TestCa } from './testCa';

/** Real receivers on 127.0.0.1 for the forwarding tests, under one test CA in one folder. */
export interface ForwardReceivers {
  dir: string;
  ca: TestCa;
  /** Debian's rsyslogd, over TLS. */
  syslog: Rsyslog;
  /** A signed HTTPS webhook checking `secret`. */
  webhook: WebhookReceiver;
  /** A Splunk HEC endpoint with indexer acknowledgement, when a token was given. */
  hec: HecReceiver | null;
  /** Stops every receiver and removes the folder. */
  stop(): Promise<void>;
}

/** Starts the receivers a forwarding test file sends to. */
export async function startForwardReceivers(prefix: string, secret: string, options: { hecToken?: string } = {}): Promise<ForwardReceivers> {
  const dir = tempDir(prefix);
  const ca = makeTestCa(path.join(dir, 'ca'));
  const syslog = await startRsyslog(path.join(dir, 'rsyslog'), ca);
  const webhook = await startWebhookReceiver(ca, secret);
  const hec = options.hecToken !== undefined ? await startHecReceiver(ca, options.hecToken, { ack: true }) : null;
  return {
    dir, ca, syslog, webhook, hec,
    stop: async () => {
      await Promise.all([syslog.stop(), webhook.stop(), hec?.stop()]);
      cleanup(dir);
    },
  };
}

/** Settings added to (or replacing those of) one destination of {@link receiverDestinations}. */
export interface DestinationExtras {
  syslog?: Record<string, unknown>;
  webhook?: Record<string, unknown>;
}

/**
 * The policy's destinations for these receivers: `siem` (syslog over TLS) and `alerts` (the
 * webhook, its secret read from `secretEnv`), then `splunk` (HEC with acknowledgement) when
 * there is one.
 */
export function receiverDestinations(r: ForwardReceivers, secretEnv: string, extra: DestinationExtras = {}): Array<Record<string, unknown>> {
  return [
    { id: 'siem', kind: 'syslog', host: '127.0.0.1', port: r.syslog.port, caFile: r.ca.caCert, ...extra.syslog },
    { id: 'alerts', kind: 'webhook', url: `${r.webhook.url}/hook`, secret: { env: secretEnv }, caFile: r.ca.caCert, ...extra.webhook },
    ...(r.hec ? [{ id: 'splunk', kind: 'splunk-hec', url: r.hec.url, token: { env: 'BG_HEC_TOKEN' }, caFile: r.ca.caCert, indexerAcknowledgement: true }] : []),
  ];
}
