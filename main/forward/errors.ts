import { STATUS_CODES } from 'node:http';
import type { ForwardFailureKind } from '../../app/forwarding/status';

/**
 * Why a destination did not take an event (issue 19: "bad configuration is caught before the day
 * it matters"). Each kind has a message a person can act on; none echoes a secret or the
 * receiver's own text (an error never echoes free text).
 */

/** The kinds of forwarding failure, each with what it means. */
export const FORWARD_ERROR_KINDS = {
  unreachable: 'nothing answers at the address (refused, no route, name not found, timed out)',
  tls: 'the TLS handshake failed for a reason other than the certificate (protocol, client certificate, not TLS)',
  'wrong-ca': 'the receiver\'s certificate is not vouched for by the CA the policy names (certificate verify failed)',
  certificate: 'the receiver\'s certificate is for another name, expired or not yet valid',
  auth: '401 or 403: the receiver refused the credential',
  'http-status': 'an answer other than 2xx',
  protocol: 'the receiver answered in a way its protocol does not allow, or never acknowledged',
  config: 'the host lacks what the policy names (a CA file, a secret in an environment variable or file)',
  ledger: 'this host\'s evidence ledger could not be read (nothing was sent)',
} as const satisfies Record<ForwardFailureKind, string>;

/** One kind of forwarding failure. */
export type ForwardErrorKind = keyof typeof FORWARD_ERROR_KINDS & ForwardFailureKind;

/** A failure to deliver to one destination. `delivered` events of the batch (a prefix) got through before it. */
export class ForwardError extends Error {
  constructor(readonly kind: ForwardErrorKind, message: string, readonly delivered = 0, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ForwardError';
  }

  /** The same failure, noting how many events of the batch were delivered first. */
  after(delivered: number): ForwardError {
    return new ForwardError(this.kind, this.message, delivered, { cause: this.cause });
  }
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (nothing listens there)',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  EHOSTUNREACH: 'there is no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved now (DNS)',
  ETIMEDOUT: 'it did not answer in time',
  ECONNABORTED: 'the connection was aborted',
};

const WRONG_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_CHAIN_TOO_LONG',
]);

const CERTIFICATE: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'is not issued for that name',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet (or this host\'s clock is wrong)',
  CERT_REVOKED: 'is revoked',
};

/** What a destination is, for messages: "the syslog receiver tls://siem.example.com:6514". */
export interface FailureContext {
  what: string;
  target: string;
  /** The CA file the policy names, if any (named in advice about the certificate). */
  caFile?: string;
}

/** Turns a socket or TLS error into a ForwardError with advice; never includes the error's own free text. */
export function classifyNetworkError(e: unknown, ctx: FailureContext): ForwardError {
  if (e instanceof ForwardError) return e;
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code ?? '';
  const trust = ctx.caFile ? `the CA in ${ctx.caFile}` : 'the CAs this host trusts';
  if (WRONG_CA.has(code)) {
    return new ForwardError('wrong-ca', `${ctx.what} ${ctx.target} presented a certificate that ${trust} did not issue (certificate verify failed: ${code}). Set caFile to the CA that issued the receiver's certificate.`, 0, { cause: e });
  }
  if (code in CERTIFICATE) {
    return new ForwardError('certificate', `${ctx.what} ${ctx.target} presented a certificate that ${CERTIFICATE[code]} (${code}). Fix the receiver's certificate${code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ', or set serverName to the name it carries' : ''}.`, 0, { cause: e });
  }
  if (code in UNREACHABLE) {
    const duringHandshake = code === 'ECONNRESET' && /before secure TLS connection/.test(err.message ?? '');
    if (duringHandshake) {
      return new ForwardError('tls', `${ctx.what} ${ctx.target} closed the connection during the TLS handshake: it may require a client certificate this host did not present, or not speak TLS on that port.`, 0, { cause: e });
    }
    return new ForwardError('unreachable', `Cannot reach ${ctx.what} ${ctx.target}: ${UNREACHABLE[code]}. Check that the receiver runs and that this host may connect to it.`, 0, { cause: e });
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_')) {
    return new ForwardError('tls', `The TLS handshake with ${ctx.what} ${ctx.target} failed (${code}). Check that the port speaks TLS and accepts this host's TLS version and client certificate.`, 0, { cause: e });
  }
  return new ForwardError('unreachable', `Cannot deliver to ${ctx.what} ${ctx.target}${code ? ` (${code})` : ''}. Check that the receiver runs and that this host may connect to it.`, 0, { cause: e });
}

/** An HTTP answer other than 2xx, as advice; `credential` names where the secret is kept (never the secret). */
export function httpStatusError(status: number, ctx: FailureContext, credential: string): ForwardError {
  const phrase = STATUS_CODES[status] ?? 'unknown status';
  if (status === 401 || status === 403) {
    return new ForwardError('auth', `${ctx.what} ${ctx.target} refused the request (HTTP ${status} ${phrase}): check ${credential} against what the receiver expects.`);
  }
  const advice = status >= 500 || status === 429 ? 'the receiver has a problem or is overloaded; delivery is retried' : status >= 300 && status < 400 ? 'redirects are not followed (the signed body would go elsewhere); put the final URL in the policy' : 'check the URL and the receiver\'s configuration';
  return new ForwardError('http-status', `${ctx.what} ${ctx.target} answered HTTP ${status} ${phrase}: ${advice}.`);
}
