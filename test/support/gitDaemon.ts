import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { waitFor } from './waitFor';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port, false when refused. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.setTimeout(1_000, () => done(false));
  });
}

/**
 * A real `git daemon` serving every repository under `baseDir` on 127.0.0.1, push enabled
 * (git:// has no authentication: tests only). Started and stopped by the test.
 */
export class GitDaemon {
  private child: ChildProcess | null = null;
  private exited: Promise<void> | null = null;
  stderr = '';

  private constructor(readonly baseDir: string, readonly port: number) {}

  /** Starts a daemon on `port` (a free one when omitted) and waits until it accepts connections. */
  static async start(baseDir: string, port?: number): Promise<GitDaemon> {
    const d = new GitDaemon(baseDir, port ?? (await freePort()));
    await d.start();
    return d;
  }

  /** git:// URL of a repository under the base directory. */
  url(name: string): string {
    return `git://127.0.0.1:${this.port}/${name}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** (Re)starts the daemon on the same port. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn('git', [
      'daemon', '--reuseaddr', `--base-path=${this.baseDir}`, '--export-all', '--enable=receive-pack',
      '--listen=127.0.0.1', `--port=${this.port}`, this.baseDir,
    ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child.stderr?.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
    const failedEarly = this.exited.then(() => {
      throw new Error(`git daemon exited before listening on ${this.port}: ${this.stderr}`);
    });
    await Promise.race([waitFor(`git daemon on port ${this.port}`, () => portAccepts(this.port), { timeoutMs: 10_000 }), failedEarly]);
    failedEarly.catch(() => {});
  }

  /** Stops the daemon (and the per-connection children it forked, in its process group); waits until the port refuses. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    this.child = null;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await this.exited;
    await waitFor(`port ${this.port} to close`, async () => !(await portAccepts(this.port)), { timeoutMs: 10_000 });
  }
}

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: the closest local
 * stand-in for a blackholed remote (git connects, then waits for a reply that never comes).
 */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    }),
  };
}
