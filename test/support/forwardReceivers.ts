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
