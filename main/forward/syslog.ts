import net from 'node:net';
import tls from 'node:tls';
import { SYSLOG_FACILITIES, destinationTarget, type SyslogDestination } from '../../app/forwarding/policy';
import type { OcsfEvent } from '../../app/forwarding/ocsf';
import { octetCountedFrame, syslogMessage } from '../../app/forwarding/syslog';
import { classifyNetworkError, ForwardError, type FailureContext } from './errors';
import { tlsMaterial } from './hostFiles';
import type { Transport } from './transport';

/**
 * Syslog over TLS (RFC 5425) or, when the policy says so explicitly, plain TCP (RFC 6587), with
 * octet-counted framing. Syslog has no acknowledgement, so a batch counts as delivered only when
 * the receiver has read it to the end: the batch goes out on its own connection, this side
 * half-closes, and the receiver closes its side only after reading everything before our end of
 * stream (rsyslog's imtcp does). A receiver that goes away mid-batch resets the connection
 * instead, and the whole batch is sent again (same event ids). A receiver that hangs up on its
 * own before reading would look the same, so nothing is sent until the receiver has kept the new
 * connection open for a round trip (see `connect`).
 */

/** Events per connection: large enough for a backlog to flow, small enough that a retry resends little. */
export const SYSLOG_BATCH = 500;

/** Sends `payload` on a connected socket, half-closes, and resolves when the receiver closes its side after it. */
export function sendAndConfirm(socket: net.Socket, payload: string, timeoutMs: number, ctx: FailureContext): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(classifyNetworkError(error, ctx));
    };
    const timer = setTimeout(() => finish(new ForwardError('unreachable', `${ctx.what} ${ctx.target} did not finish reading the events within ${Math.round(timeoutMs / 1000)} s; they are sent again.`)), timeoutMs);
    socket.on('error', finish);
    // A syslog receiver sends nothing; reading keeps the stream flowing so its end is seen.
    socket.on('data', () => {});
    socket.on('end', () => finish());
    socket.on('close', () => finish(new ForwardError('unreachable', `${ctx.what} ${ctx.target} dropped the connection before reading the events; they are sent again.`)));
    socket.end(payload, 'latin1');
  });
}

/** RFC 5424 messages to a syslog receiver. */
export class SyslogTransport implements Transport {
  readonly maxBatch = SYSLOG_BATCH;
  private readonly ctx: FailureContext;

  constructor(private readonly destination: SyslogDestination) {
    this.ctx = { what: 'the syslog receiver', target: destinationTarget(destination), ...(destination.caFile ? { caFile: destination.caFile } : {}) };
  }

  /** The bytes a batch is sent as (one octet-counted frame per event). */
  frames(events: readonly OcsfEvent[]): string {
    const header = { facility: SYSLOG_FACILITIES[this.destination.facility], appName: this.destination.appName };
    return events.map((e) => octetCountedFrame(syslogMessage(e, header))).join('');
  }

  async deliver(events: readonly OcsfEvent[]): Promise<void> {
    if (events.length === 0) return;
    const payload = this.frames(events);
    const socket = await this.connect();
    await sendAndConfirm(socket, payload, this.destination.timeoutSeconds * 1000, this.ctx);
  }

  /**
   * Opens a connection: TLS with the policy's CA and optional client certificate, verifying the
   * receiver's name; or plain TCP. Then it waits as long as the handshake took (at least 50 ms, or
   * more) before anything is sent: a receiver that refuses this host after the handshake (rsyslog
   * checks a required client certificate only then, and refuses sessions over its limit) closes
   * within that time, and the refusal is reported instead of being mistaken for a delivery.
   */
  connect(): Promise<net.Socket> {
    const d = this.destination;
    const timeoutMs = d.timeoutSeconds * 1000;
    return (async () => {
      const material = d.insecurePlainTcp ? {} : await tlsMaterial(d);
      const t0 = performance.now();
      const socket = await new Promise<net.Socket>((resolve, reject) => {
        const name = d.serverName ?? d.host;
        const socket = d.insecurePlainTcp
          ? net.connect({ host: d.host, port: d.port })
          : tls.connect({
            host: d.host,
            port: d.port,
            // SNI carries names only (RFC 6066 §3); the certificate is checked against `name` either way.
            ...(net.isIP(name) ? {} : { servername: name }),
            checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert),
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
            ...material,
          });
        let tcpConnected = false;
        socket.once('connect', () => (tcpConnected = true));
        const timer = setTimeout(() => {
          socket.destroy();
          reject(tcpConnected && !d.insecurePlainTcp
            ? new ForwardError('tls', `${this.ctx.what} ${this.ctx.target} accepted the connection but did not complete the TLS handshake within ${d.timeoutSeconds} s: the port may not speak TLS.`)
            : new ForwardError('unreachable', `Cannot reach ${this.ctx.what} ${this.ctx.target}: it did not complete the connection within ${d.timeoutSeconds} s. Check the address and any firewall between.`));
        }, timeoutMs);
        const fail = (e: unknown) => {
          clearTimeout(timer);
          socket.destroy();
          reject(classifyNetworkError(e, this.ctx));
        };
        socket.once('error', fail);
        socket.once(d.insecurePlainTcp ? 'connect' : 'secureConnect', () => {
          clearTimeout(timer);
          socket.off('error', fail);
          resolve(socket);
        });
      });
      // At least 50 ms: on a loaded host rsyslog's check of the client certificate can come well
      // after a handshake that took a few milliseconds (seen as a reset that read "unreachable").
      await this.acceptedBy(socket, Math.min(1000, Math.max(50, performance.now() - t0)));
      return socket;
    })();
  }

  /** Resolves when the receiver keeps the connection open for `graceMs`; rejects when it hangs up or fails first. */
  private acceptedBy(socket: net.Socket, graceMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const refused = (e?: unknown) => {
        cleanup();
        socket.destroy();
        reject(e instanceof Error && !(e instanceof ForwardError) && (e as NodeJS.ErrnoException).code?.startsWith('ERR_SSL')
          ? classifyNetworkError(e, this.ctx)
          : new ForwardError('tls', `${this.ctx.what} ${this.ctx.target} closed the connection right after it was set up: it did not accept this host (a client certificate it requires is missing or not trusted by it, or it takes no more connections).`));
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve();
      }, graceMs);
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('end', refused).off('close', refused).off('error', refused);
      };
      socket.once('end', refused).once('close', refused).once('error', refused);
    });
  }

  close(): void {}
}
