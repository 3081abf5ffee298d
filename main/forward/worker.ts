import { checkpointEvent, recordEvent, type OcsfProduct } from '../../app/forwarding/ocsf';
import { destinationFingerprint, type Destination } from '../../app/forwarding/policy';
import { CursorNotInLedger, type ForwardItem, type ForwardSource } from '../../app/forwarding/ports';
import { backoffDelayMs } from '../sync/backoff';
import { ForwardError } from './errors';
import type { ForwardStateStore, DestinationState } from './state';
import { furthest } from './state';
import type { Transport } from './transport';

/**
 * Delivery to one destination, in the background (issue 19). Each pass takes the destination's
 * lock, reads its cursor, and sends every record after it in order, batch by batch, saving the
 * cursor after each batch: at-least-once, so a crash between a send and its save sends that batch
 * again with the same event ids. The declaration of a session still running, when it sits behind
 * more than one batch of backlog, is sent ahead of it. While the destination fails, passes are retried with exponential backoff and jitter.
 */

/** What every worker of a forwarder shares. */
export interface WorkerContext {
  source: ForwardSource;
  states: ForwardStateStore;
  product: OcsfProduct;
  host: { id: string; name: string };
  now: () => number;
  random: () => number;
  checkpointMs: number;
  pollIntervalMs: number;
  /** Called after each pass and each saved change. */
  changed: () => void;
}

/**
 * The push outbox's backoff (exponential, full jitter), capped lower: a security receiver that
 * comes back should hear of a declaration within a minute, and one connection attempt a minute
 * costs nothing. The cap keeps its jitter (30 to 60 s) so hosts do not retry in step.
 */
export function forwardBackoffMs(attempt: number, random: () => number): number {
  return Math.min(backoffDelayMs(attempt, random), Math.round(30_000 + random() * 30_000));
}

/** A new commit may retry a failing destination early, but never more often than this. */
const MIN_RETRY_MS = 2_000;

/** How many declarations (the newest of sessions still running) one pass sends ahead of the backlog at most. */
const AHEAD_LIMIT = 16;

/** One destination's delivery loop. */
export class DestinationWorker {
  readonly fingerprint: string;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private failingSince: number | null = null;
  private lastAttemptAt = 0;
  private lastCheckpointAt: number | null = null;
  /** The last pass found nothing left to send and did not fail. */
  caughtUp = false;
  /** Another process on this host held the destination's lock at the last pass. */
  busyElsewhere = false;

  constructor(readonly destination: Destination, private readonly transport: Transport, private readonly ctx: WorkerContext) {
    this.fingerprint = destinationFingerprint(destination);
  }

  /** Idle: not running, nothing scheduled soon, caught up. */
  get idle(): boolean {
    return !this.running && !this.again && this.caughtUp && this.failingSince === null;
  }

  /** Settled: no pass running or asked for, and caught up, failing (a retry is scheduled), or left to another process holding the lock. */
  get settled(): boolean {
    return !this.running && !this.again && (this.caughtUp || this.failingSince !== null || this.busyElsewhere);
  }

  /** Asks for a pass: `notify` after a commit (may retry a failing destination early), `poll` when the tip moved or a checkpoint is due. */
  kick(reason: 'notify' | 'poll' | 'start'): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.failingSince !== null && reason !== 'start') {
      if (reason === 'poll') return; // the backoff timer is set
      const earliest = this.lastAttemptAt + MIN_RETRY_MS;
      if (earliest > this.ctx.now()) {
        this.schedule(earliest - this.ctx.now());
        return;
      }
    }
    this.runNow();
  }

  /** True when the destination's next checkpoint is due. */
  checkpointDue(): boolean {
    return this.lastCheckpointAt === null || this.ctx.now() - this.lastCheckpointAt >= this.ctx.checkpointMs;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const at = this.ctx.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.runNow();
    }, Math.max(0, delayMs));
  }

  private runNow(): void {
    if (this.stopped || this.running) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Infinity;
    }
    this.again = false;
    this.running = this.pass().finally(() => {
      this.running = null;
      this.ctx.changed();
      if (this.again && !this.stopped) {
        this.again = false;
        if (this.failingSince === null) this.runNow();
      }
    });
  }

  /** Stops the loop; a pass under way finishes its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
    this.transport.close();
  }

  private nowIso(): string {
    return new Date(this.ctx.now()).toISOString();
  }

  private async pass(): Promise<void> {
    const id = this.destination.id;
    let release: (() => Promise<void>) | null;
    try {
      release = await this.ctx.states.tryLock(id);
    } catch {
      // The state folder cannot be written (permissions, disk): nothing can be delivered without a
      // cursor to save, so this is a failure, retried like any other.
      this.caughtUp = false;
      this.failingSince ??= this.ctx.now();
      this.schedule(forwardBackoffMs(2, this.ctx.random));
      return;
    }
    if (!release) {
      this.busyElsewhere = true;
      this.schedule(this.ctx.pollIntervalMs);
      return;
    }
    this.busyElsewhere = false;
    this.lastAttemptAt = this.ctx.now();
    let state = await this.ctx.states.read(id, this.fingerprint, this.nowIso()).catch(() => null);
    const save = async (next: DestinationState) => {
      state = next;
      await this.ctx.states.write(id, next);
      this.ctx.changed();
    };
    try {
      if (!state) throw new ForwardError('config', `The forwarding state of ${id} cannot be read on this host; check the permissions of the evidence repository's git folder.`);
      this.lastCheckpointAt = state.lastCheckpoint ? Date.parse(state.lastCheckpoint.at) : null;
      await this.deliverBacklog(() => state!, save);
      if (this.checkpointDue()) {
        const tip = await this.ctx.source.tip();
        const at = this.ctx.now();
        await this.transport.deliver([checkpointEvent({ host: this.ctx.host, commit: tip.commit, records: tip.records, ownRecords: tip.ownRecords, at }, this.ctx.product)]);
        await save({ ...state, lastCheckpoint: { at: new Date(at).toISOString(), commit: tip.commit } });
        this.lastCheckpointAt = at;
      }
      if (state.failure || state.nextTryAt) await save({ ...state, failure: null, nextTryAt: null });
      this.failingSince = null;
      this.caughtUp = true;
    } catch (e) {
      const error = e instanceof ForwardError ? e : new ForwardError('ledger', 'This host\'s evidence could not be read for forwarding; it is retried. Run breakglass verify if it persists.', 0, { cause: e });
      this.caughtUp = false;
      const previous = state?.failure ?? null;
      const attempts = (previous?.attempts ?? 0) + 1;
      const delay = forwardBackoffMs(attempts, this.ctx.random);
      const now = this.nowIso();
      this.failingSince ??= this.ctx.now();
      if (state) {
        await save({
          ...state,
          failure: { kind: error.kind, reason: error.message, since: previous?.since ?? now, attempts, lastAttemptAt: now },
          nextTryAt: new Date(this.ctx.now() + delay).toISOString(),
        }).catch(() => {});
      }
      this.schedule(delay);
    } finally {
      await release();
    }
  }

  /** Sends every record after the cursor, declarations first, saving the cursor after each batch. */
  private async deliverBacklog(current: () => DestinationState, save: (s: DestinationState) => Promise<void>): Promise<void> {
    const event = (i: ForwardItem) => recordEvent(i, this.ctx.product);
    for (;;) {
      let state = current();
      let batch: ForwardItem[];
      try {
        batch = await this.ctx.source.recordsAfter(state.cursor, { limit: this.transport.maxBatch });
      } catch (e) {
        if (!(e instanceof CursorNotInLedger)) throw e;
        await save({ ...state, cursor: null, cursorRecordAt: null, ahead: [], restarted: { at: this.nowIso(), reason: `${e.message} Every record is sent again.` } });
        continue;
      }
      if (batch.length === 0) return;
      const last = batch[batch.length - 1]!;
      let ahead = new Set(state.ahead);
      if (batch.length === this.transport.maxBatch && ahead.size < 500) {
        // More backlog follows this batch: the declaration of a session still running must not wait
        // behind the rest (issue 19). Old, expired sessions' declarations keep their place.
        const now = this.ctx.now();
        const declared = (await this.ctx.source.recordsAfter(state.cursor, { limit: 100_000, types: ['declared'] }))
          .filter((i) => i.position > last.position && !ahead.has(i.record.hash) && Date.parse(i.session?.expiresAt ?? '') > now)
          .slice(-AHEAD_LIMIT);
        if (declared.length > 0) {
          await this.transport.deliver(declared.map(event));
          await save({ ...state, ahead: [...state.ahead, ...declared.map((i) => i.record.hash)] });
          state = current();
          ahead = new Set(state.ahead);
        }
      }
      const toSend = batch.filter((i) => !ahead.has(i.record.hash));
      try {
        await this.transport.deliver(toSend.map(event));
      } catch (e) {
        const delivered = e instanceof ForwardError ? e.delivered : 0;
        const upTo = delivered > 0 ? batch.indexOf(toSend[delivered]!) - 1 : -1;
        if (upTo >= 0) await save(this.advance(state, batch, upTo));
        throw e;
      }
      await save(this.advance(state, batch, batch.length - 1));
    }
  }

  /** The state with the cursor moved to `batch[upTo]`, dropping the ahead-sent hashes it has passed. */
  private advance(state: DestinationState, batch: readonly ForwardItem[], upTo: number): DestinationState {
    const item = batch[upTo]!;
    const passed = new Set(batch.slice(0, upTo + 1).map((i) => i.record.hash));
    const cursor = furthest(state.cursor, { hash: item.record.hash, commit: item.commit, position: item.position });
    return {
      ...state,
      cursor,
      cursorRecordAt: cursor === state.cursor ? state.cursorRecordAt : item.record.at,
      deliveredAt: this.nowIso(),
      ahead: state.ahead.filter((h) => !passed.has(h)),
    };
  }
}
