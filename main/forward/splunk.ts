import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { destinationTarget, type SplunkHecDestination } from '../../app/forwarding/policy';
import type { OcsfEvent } from '../../app/forwarding/ocsf';
import { httpStatusError, ForwardError, type FailureContext } from './errors';
import { describeSecret, readHostFile, readSecret } from './hostFiles';
import { postHttps, type HttpAnswer } from './https';
import { AgentCache } from './webhook';
import type { Transport } from './transport';

/**
 * Splunk HTTP Event Collector (issue 19, optional): a batch is one POST to
 * /services/collector/event (one JSON object per event, the OCSF event as `event`), token in
 * `Authorization: Splunk …`. With indexer acknowledgement the answer carries an ackId, and the
 * batch counts as delivered only once /services/collector/ack says it is indexed; until then (or
 * after the wait runs out) it is sent again, with the same event ids.
 */

/** Events per POST. */
export const HEC_BATCH = 100;

const EventAnswerSchema = z.object({ text: z.string().optional(), code: z.number().int(), ackId: z.number().int().min(0).optional() });
const AckAnswerSchema = z.object({ acks: z.record(z.string(), z.boolean()) });

/** How often the acknowledgement is asked for while waiting. */
const ACK_POLL_MS = 200;

/** Events to a Splunk HTTP Event Collector. */
export class SplunkHecTransport implements Transport {
  readonly maxBatch = HEC_BATCH;
  private readonly agents = new AgentCache();
  private readonly ctx: FailureContext;
  /** One channel per forwarder process: acknowledgements are per channel. */
  private readonly channel = randomUUID();

  constructor(private readonly destination: SplunkHecDestination, private readonly env: NodeJS.ProcessEnv) {
    this.ctx = { what: 'the Splunk HTTP Event Collector', target: destinationTarget(destination), ...(destination.caFile ? { caFile: destination.caFile } : {}) };
  }

  async deliver(events: readonly OcsfEvent[]): Promise<void> {
    if (events.length === 0) return;
    const d = this.destination;
    const token = await readSecret(d.token, 'HEC token', this.env);
    const agent = this.agents.get(d.caFile ? await readHostFile(d.caFile, 'caFile') : undefined);
    const headers = { authorization: `Splunk ${token}`, 'x-splunk-request-channel': this.channel };
    const post = async (path: string, body: string, query = ''): Promise<HttpAnswer> => {
      const url = new URL(d.url);
      url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
      url.search = query;
      const answer = await postHttps(url, body, headers, { agent, timeoutMs: d.timeoutSeconds * 1000, ctx: this.ctx });
      if (answer.status < 200 || answer.status >= 300) throw httpStatusError(answer.status, this.ctx, describeSecret(d.token, 'HEC token'));
      return answer;
    };
    const body = events.map((e) => JSON.stringify({
      time: e.time / 1000,
      host: e.device.hostname,
      source: 'breakglass',
      sourcetype: d.sourcetype,
      ...(d.index ? { index: d.index } : {}),
      event: e,
    })).join('\n');
    const answer = parse(EventAnswerSchema, (await post('/services/collector/event', body)).body, this.ctx);
    if (answer.code !== 0) throw new ForwardError('protocol', `${this.ctx.what} ${this.ctx.target} did not accept the events (HEC code ${answer.code}). Check the token's index and sourcetype settings.`);
    if (!d.indexerAcknowledgement) return;
    if (answer.ackId === undefined) {
      throw new ForwardError('protocol', `${this.ctx.what} ${this.ctx.target} gave no acknowledgement id: indexer acknowledgement is not enabled for this token. Enable it on the token, or set indexerAcknowledgement: false.`);
    }
    await this.awaitAck(answer.ackId, (q) => post('/services/collector/ack', JSON.stringify({ acks: [answer.ackId] }), q));
  }

  private async awaitAck(ackId: number, ask: (query: string) => Promise<HttpAnswer>): Promise<void> {
    const deadline = Date.now() + this.destination.ackTimeoutSeconds * 1000;
    for (;;) {
      const acks = parse(AckAnswerSchema, (await ask(`channel=${this.channel}`)).body, this.ctx);
      if (acks.acks[String(ackId)] === true) return;
      if (Date.now() > deadline) {
        throw new ForwardError('protocol', `${this.ctx.what} ${this.ctx.target} did not confirm indexing within ${this.destination.ackTimeoutSeconds} s; the events are sent again.`);
      }
      await new Promise((r) => setTimeout(r, ACK_POLL_MS));
    }
  }

  close(): void {
    this.agents.close();
  }
}

function parse<T>(schema: z.ZodType<T>, text: string, ctx: FailureContext): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new ForwardError('protocol', `${ctx.what} ${ctx.target} answered with something that is not an HEC answer: check that the URL is the collector's base URL (e.g. https://splunk.example.com:8088).`);
  return r.data;
}
