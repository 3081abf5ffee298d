import { testEvent, type OcsfProduct } from '../../app/forwarding/ocsf';
import { destinationFingerprint, destinationTarget, type Destination, type ForwardingConfig } from '../../app/forwarding/policy';
import type { ForwardSource } from '../../app/forwarding/ports';
import type { ForwardDestinationStatus, ForwardTestResult } from '../../app/forwarding/status';
import { ForwardError } from './errors';
import { SplunkHecTransport } from './splunk';
import { ForwardStateStore } from './state';
import { SyslogTransport } from './syslog';
import type { Transport } from './transport';
import { WebhookTransport } from './webhook';
import { DestinationWorker, type WorkerContext } from './worker';

/**
 * Forwarding of every evidence record to the security team's receivers (issue 19). The ledger
 * is the outbox: each destination keeps only a cursor in the host's state, and everything after
 * it is read from the ledger again, so a full or failing destination never loses a record and a
 * restart resumes where it was. All sending happens in the background: the writer commits, then
 * calls `notify()`, which returns at once; forwarding never delays or blocks a commit.
 */

/** Options of a forwarder. */
export interface ForwarderOptions {
  /** The ledger, as forwarding reads it. */
  source: ForwardSource;
  /** Folder of the per-destination state files (e.g. `<git dir>/breakglass-forward`). */
  stateDir: string;
  /** The policy's forwarding section; null or absent: nothing is forwarded. */
  forwarding: ForwardingConfig | null | undefined;
  /** This host, named in checkpoint and test events. */
  host: { id: string; name: string };
  /** The product named in every event's metadata. */
  product: OcsfProduct;
  /** Where secrets named by `{ env }` are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The clock (tests move it to make checkpoints due). */
  now?: () => number;
  /** How often the ledger's tip is checked for records other writers (the CLI) committed. Default 2 s. */
  pollIntervalMs?: number;
  random?: () => number;
}

/** One destination's state, for the header, Settings and `breakglass forward status`. */
export type DestinationStatus = ForwardDestinationStatus;

/** The outcome of `test(destination)`. */
export type { ForwardTestResult };

/** Builds the transport of a destination. */
export function createTransport(d: Destination, env: NodeJS.ProcessEnv, now: () => number = Date.now): Transport {
  switch (d.kind) {
    case 'syslog':
      return new SyslogTransport(d);
    case 'webhook':
      return new WebhookTransport(d, env, now);
    case 'splunk-hec':
      return new SplunkHecTransport(d, env);
  }
}

/** Forwards this host's evidence records to every destination of the policy. */
export class Forwarder {
  private workers = new Map<string, DestinationWorker>();
  private readonly states: ForwardStateStore;
  private readonly ctx: WorkerContext;
  private readonly env: NodeJS.ProcessEnv;
  private forwarding: ForwardingConfig | null;
  private pollTimer: NodeJS.Timeout | null = null;
  private lastTip: string | null | undefined = undefined;
  private started = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: ForwarderOptions) {
    this.states = new ForwardStateStore(options.stateDir);
    this.env = options.env ?? process.env;
    this.forwarding = options.forwarding ?? null;
    this.ctx = {
      source: options.source,
      states: this.states,
      product: options.product,
      host: options.host,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      checkpointMs: (this.forwarding?.checkpointMinutes ?? 60) * 60_000,
      pollIntervalMs: options.pollIntervalMs ?? 2_000,
      changed: () => this.emit(),
    };
  }

  /** The destinations of the policy in force. */
  get destinations(): readonly Destination[] {
    return this.forwarding?.destinations ?? [];
  }

  /** Starts delivering in the background: every record after each cursor is sent again, in order. */
  start(): void {
    if (this.started) return;
    this.started = true;
    // Nothing is stopping yet, so the workers exist as soon as this returns; there is no wait to miss.
    void this.syncWorkers();
    for (const w of this.workers.values()) w.kick('start');
    this.pollTimer = setInterval(() => void this.poll(), this.ctx.pollIntervalMs);
    // Polling alone never keeps a process alive (a CLI that forgot to stop it still exits; deliveries in flight do).
    this.pollTimer.unref?.();
  }

  /** Tells the forwarder a record was committed; returns at once (the sending is in the background). */
  notify(): void {
    if (!this.started) return;
    for (const w of this.workers.values()) w.kick('notify');
  }

  /** Applies a new policy's forwarding section (destinations added, changed or removed). */
  async reconfigure(forwarding: ForwardingConfig | null | undefined): Promise<void> {
    this.forwarding = forwarding ?? null;
    this.ctx.checkpointMs = (this.forwarding?.checkpointMinutes ?? 60) * 60_000;
    if (this.started) await this.syncWorkers();
    for (const w of this.workers.values()) w.kick('start');
  }

  /** Checks the ledger's tip (records other writers committed) and due checkpoints. */
  async poll(): Promise<void> {
    let tip: string | null;
    try {
      tip = (await this.ctx.source.tip()).commit;
    } catch {
      return; // the next poll tries again; a pass reports a ledger that stays unreadable
    }
    const moved = tip !== this.lastTip;
    this.lastTip = tip;
    for (const w of this.workers.values()) if (moved || w.checkpointDue() || !w.caughtUp) w.kick('poll');
  }

  private async syncWorkers(): Promise<void> {
    const wanted = new Map(this.destinations.map((d) => [d.id, d]));
    const stopping: Promise<void>[] = [];
    for (const [id, w] of this.workers) {
      const d = wanted.get(id);
      if (!d || JSON.stringify(d) !== JSON.stringify(w.destination)) {
        this.workers.delete(id);
        stopping.push(w.stop());
      }
    }
    for (const [id, d] of wanted) {
      if (!this.workers.has(id)) this.workers.set(id, new DestinationWorker(d, createTransport(d, this.env, this.ctx.now), this.ctx));
    }
    await Promise.all(stopping);
  }

  /** Each destination's state, read from the host's state files (so another process's deliveries show too). */
  async status(): Promise<DestinationStatus[]> {
    if (this.destinations.length === 0) return [];
    const tip = await this.ctx.source.tip();
    const nowIso = new Date(this.ctx.now()).toISOString();
    return Promise.all(this.destinations.map(async (d): Promise<DestinationStatus> => {
      const s = await this.states.read(d.id, destinationFingerprint(d), nowIso);
      const delivered = (s.cursor?.position ?? 0) + s.ahead.length;
      return {
        id: d.id,
        kind: d.kind,
        target: destinationTarget(d),
        deliveredUpTo: s.cursor ? { position: s.cursor.position, recordHash: s.cursor.hash, recordAt: s.cursorRecordAt, deliveredAt: s.deliveredAt } : null,
        pending: Math.max(0, tip.ownRecords - delivered),
        failing: s.failure ? { kind: s.failure.kind, reason: s.failure.reason, since: s.failure.since, attempts: s.failure.attempts, nextTryAt: s.nextTryAt } : null,
        lastCheckpointAt: s.lastCheckpoint?.at ?? null,
        restarted: s.restarted,
      };
    }));
  }

  /**
   * Each destination's current failure (of `destinations`, by default the ones in force), from the
   * host's state files alone: no ledger read, so it is safe where the ledger is held (the
   * preconditions a declaration runs inside its commit).
   */
  async failures(destinations: readonly Destination[] = this.destinations): Promise<Array<Pick<DestinationStatus, 'id' | 'target' | 'failing'>>> {
    const nowIso = new Date(this.ctx.now()).toISOString();
    return Promise.all(destinations.map(async (d) => {
      const s = await this.states.read(d.id, destinationFingerprint(d), nowIso);
      return { id: d.id, target: destinationTarget(d), failing: s.failure ? { kind: s.failure.kind, reason: s.failure.reason, since: s.failure.since, attempts: s.failure.attempts, nextTryAt: s.nextTryAt } : null };
    }));
  }

  /** Sends a test event to one destination and changes nothing else (no cursor, no state). */
  async test(destinationId: string): Promise<ForwardTestResult> {
    const d = this.destinations.find((x) => x.id === destinationId);
    if (!d) throw new ForwardError('config', `No forwarding destination "${destinationId}" in the policy${this.destinations.length ? ` (there are: ${this.destinations.map((x) => x.id).join(', ')})` : ''}.`);
    const transport = createTransport(d, this.env, this.ctx.now);
    const t0 = performance.now();
    try {
      await transport.deliver([testEvent(this.options.host, this.ctx.now(), d.id, this.options.product)]);
      return { ok: true, destination: d.id, target: destinationTarget(d), ms: Math.round(performance.now() - t0) };
    } catch (e) {
      const err = e instanceof ForwardError ? e : new ForwardError('unreachable', `The test event to ${d.id} failed.`);
      return { ok: false, destination: d.id, target: destinationTarget(d), kind: err.kind, message: err.message };
    } finally {
      transport.close();
    }
  }

  /** Resolves true once every destination is caught up and idle, false after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => [...this.workers.values()].every((w) => w.idle), timeoutMs);
  }

  private async waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.listeners.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 250));
        this.listeners.add(done);
      });
    }
    return true;
  }

  /**
   * Resolves true once every destination has finished its passes and is caught up, failing
   * (retried later, from the ledger), or being delivered by another process on this host; false
   * after `timeoutMs`. A short-lived CLI waits for this, not for a failing receiver to come back.
   */
  async whenSettled(timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => [...this.workers.values()].every((w) => w.settled), timeoutMs);
  }

  /** Calls `listener` whenever a destination's state may have changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  /** Stops every loop; passes under way finish their current batch. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }
}
