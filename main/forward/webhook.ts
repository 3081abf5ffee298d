import { createHmac } from 'node:crypto';
import type https from 'node:https';
import { destinationTarget, type WebhookDestination } from '../../app/forwarding/policy';
import type { OcsfEvent } from '../../app/forwarding/ocsf';
import { httpStatusError, ForwardError, type FailureContext } from './errors';
import { describeSecret, readHostFile, readSecret } from './hostFiles';
import { httpsAgent, postHttps } from './https';
import type { Transport } from './transport';

/**
 * HTTPS webhook (issue 19): one POST per event, its body the OCSF event as JSON. The receiver
 * authenticates it with an HMAC-SHA256 over `<timestamp>.<body>` (hex, `sha256=` prefix) in the
 * signature header, the Unix time in the timestamp header: signing the time with the body is what
 * lets a receiver refuse a replayed request (it checks the time is recent and the event id new).
 */

/** Events per pass before the cursor is saved (each is its own request). */
export const WEBHOOK_BATCH = 50;

/** The signature of a webhook request: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Agents kept per CA content, so a replaced CA file takes effect at the next delivery. */
export class AgentCache {
  private agent: https.Agent | null = null;
  private ca: Buffer | undefined;

  get(ca: Buffer | undefined): https.Agent {
    if (!this.agent || !(ca === this.ca || (ca && this.ca && ca.equals(this.ca)))) {
      this.agent?.destroy();
      this.agent = httpsAgent(ca);
      this.ca = ca;
    }
    return this.agent;
  }

  close(): void {
    this.agent?.destroy();
    this.agent = null;
  }
}

/** POSTs each event to the webhook, signed. */
export class WebhookTransport implements Transport {
  readonly maxBatch = WEBHOOK_BATCH;
  private readonly agents = new AgentCache();
  private readonly ctx: FailureContext;

  constructor(private readonly destination: WebhookDestination, private readonly env: NodeJS.ProcessEnv, private readonly now: () => number = Date.now) {
    this.ctx = { what: 'the webhook', target: destinationTarget(destination), ...(destination.caFile ? { caFile: destination.caFile } : {}) };
  }

  async deliver(events: readonly OcsfEvent[]): Promise<void> {
    const d = this.destination;
    const secret = await readSecret(d.secret, 'webhook secret', this.env);
    const agent = this.agents.get(d.caFile ? await readHostFile(d.caFile, 'caFile') : undefined);
    const url = new URL(d.url);
    for (const [i, event] of events.entries()) {
      const body = JSON.stringify(event);
      const timestamp = String(Math.floor(this.now() / 1000));
      let answer;
      try {
        answer = await postHttps(url, body, {
          [d.signatureHeader]: webhookSignature(secret, timestamp, body),
          [d.timestampHeader]: timestamp,
          'x-breakglass-event-id': event.metadata.uid,
        }, { agent, timeoutMs: d.timeoutSeconds * 1000, ctx: this.ctx });
      } catch (e) {
        throw (e as ForwardError).after(i);
      }
      if (answer.status < 200 || answer.status >= 300) throw httpStatusError(answer.status, this.ctx, describeSecret(d.secret, 'webhook secret')).after(i);
    }
  }

  close(): void {
    this.agents.close();
  }
}
