import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OcsfEvent } from '../../app/forwarding/ocsf';
import type { TestCa } from './testCa';
import { waitFor } from './waitFor';

/**
 * Debian's rsyslogd as a real syslog receiver on 127.0.0.1, started by the test as a child
 * process with its own configuration, work folder and pid file: imtcp with the gtls (GnuTLS)
 * driver and the test CA (or plain TCP), writing every message it receives, as received, to a
 * file the test reads. The first start takes a free port; restarts keep it, so a forwarder sees
 * "the receiver came back".
 */
export interface Rsyslog {
  port: number;
  /** The raw syslog messages received so far, in order. */
  messages(): string[];
  /** The OCSF events received so far (the JSON MSG of each message), in order. */
  events(): OcsfEvent[];
  /** Stops the receiver (SIGTERM, then waits for it to exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
}

/** Where rsyslogd is on Debian. */
export const RSYSLOGD = '/usr/sbin/rsyslogd';

function config(dir: string, ca: TestCa | null, port: number, requireClientCert: boolean): string {
  const tls = ca
    ? `global(defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="${ca.caCert}" defaultNetstreamDriverCertFile="${ca.serverCert}" defaultNetstreamDriverKeyFile="${ca.serverKey}")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="${requireClientCert ? 'x509/certvalid' : 'anon'}")`
    : 'module(load="imtcp")';
  return `global(workDirectory="${path.join(dir, 'work')}" maxMessageSize="64k")
${tls}
input(type="imtcp" port="${port}" address="127.0.0.1" listenPortFileName="${path.join(dir, 'port')}")
template(name="asReceived" type="string" string="%rawmsg%\\n")
if $inputname == "imtcp" then action(type="omfile" file="${path.join(dir, 'received.log')}" template="asReceived")
`;
}

/** True when something accepts TCP connections on 127.0.0.1:port (the probe sends nothing). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Starts rsyslogd in `dir` (created), with TLS when `ca` is given. */
export async function startRsyslog(dir: string, ca: TestCa | null, options: { requireClientCert?: boolean } = {}): Promise<Rsyslog> {
  if (!existsSync(RSYSLOGD)) throw new Error(`${RSYSLOGD} is missing: apt-get install rsyslog rsyslog-gnutls (.ci/run installs them).`);
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  const out = path.join(dir, 'received.log');
  const portFile = path.join(dir, 'port');
  let child: ChildProcess | null = null;
  let port = 0;
  let stderr = '';

  const start = async () => {
    rmSync(portFile, { force: true });
    const conf = path.join(dir, 'rsyslog.conf');
    writeFileSync(conf, config(dir, ca, port, options.requireClientCert ?? false));
    child = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    const started = child;
    const alive = () => {
      if (started.exitCode !== null) throw new Error(`rsyslogd exited ${started.exitCode}: ${stderr}`);
    };
    if (port === 0) {
      // rsyslog writes the port it chose to listenPortFileName (only for port 0).
      port = await waitFor('rsyslogd listening', () => {
        alive();
        const text = existsSync(portFile) ? readFileSync(portFile, 'utf8').trim() : '';
        return Number(text) > 0 ? Number(text) : null;
      }, { timeoutMs: 30_000 });
    } else {
      await waitFor('rsyslogd listening again', () => {
        alive();
        return accepts(port);
      }, { timeoutMs: 30_000 });
    }
  };

  const messages = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('<')) : []);
  await start();
  return {
    get port() {
      return port;
    },
    messages,
    events: () => messages().map((m) => JSON.parse(m.slice(m.indexOf(' - {') + 3))),
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
      child = null;
    },
    async restart() {
      await start();
    },
  };
}
