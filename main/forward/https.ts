import https from 'node:https';
import { classifyNetworkError, ForwardError, type FailureContext } from './errors';

/**
 * One HTTPS POST for the webhook and Splunk HEC transports: certificate and name verified, no
 * redirects followed (a signed body must not go elsewhere), a hard timeout, and at most 64 KiB of
 * the answer read (the answer is never echoed to people; HEC's is parsed for its ack id).
 */

const MAX_ANSWER_BYTES = 64 * 1024;

/** What came back. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** POSTs `body` to `url` and resolves with the status and (capped) body of the answer; network and TLS failures become ForwardErrors. */
export function postHttps(url: URL, body: string, headers: Record<string, string>, options: { agent: https.Agent; timeoutMs: number; ctx: FailureContext }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = https.request(url, {
      method: 'POST',
      agent: options.agent,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(d);
      });
      res.on('end', () => settle(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })));
      res.on('error', (e) => settle(() => reject(classifyNetworkError(e, options.ctx))));
    });
    const timer = setTimeout(() => {
      req.destroy();
      settle(() => reject(new ForwardError('unreachable', `${options.ctx.what} ${options.ctx.target} did not answer within ${Math.round(options.timeoutMs / 1000)} s. Check that it runs and that this host may connect to it.`)));
    }, options.timeoutMs);
    req.on('error', (e) => settle(() => reject(classifyNetworkError(e, options.ctx))));
    req.end(body);
  });
}

/** A kept-alive agent that trusts the policy's CA (or Node's CAs) and verifies the receiver's name. */
export function httpsAgent(ca: Buffer | undefined): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) });
}
