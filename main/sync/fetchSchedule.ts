import type { SyncStatus, WitnessingStatus } from '../../app/views';
import type { MergeOutcome } from '../evidence/merge';
import { backoffDelayMs } from './backoff';
import type { Outbox } from './outbox';
import type { FetchState } from './syncState';

/** The board's default fetch interval (issue 6). */
export const DEFAULT_FETCH_INTERVAL_SECONDS = 30;

/**
 * Brings other hosts' records to this repository (issue 6): every `intervalSeconds` while the
 * board is open, with backoff (the outbox's, capped at 5 minutes) while the remote cannot be
 * reached, and at once on demand. The outcome of each fetch is kept in the sync state file,
 * so the board's "as of the last fetch" survives a restart.
 */
export class FetchSchedule {
  private watching = false;
  private timer: NodeJS.Timeout | null = null;
  private nextFetchAt: number | null = null;
  private running: Promise<SyncStatus> | null = null;
  private readonly listeners = new Set<(s: SyncStatus) => void>();

  constructor(
    private readonly outbox: Pick<Outbox, 'remote' | 'fetchOnce' | 'fetchState'>,
    private readonly options: {
      now: () => number;
      intervalSeconds: () => Promise<number>;
      /** Called after a fetch that merged something, so the caller re-reads the ledger. */
      onMerged: (outcome: MergeOutcome) => Promise<void>;
      /** What became of the observer's statement of the last fetch (issue 16), shown beside the fetch state. */
      witnessing?: () => WitnessingStatus | null;
    },
  ) {}

  /** Subscribes to status changes; returns the unsubscribe. */
  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The board opened (fetch now, then on the schedule) or closed (stop). */
  async watch(on: boolean): Promise<SyncStatus> {
    this.watching = on;
    if (!on) {
      this.clear();
      return this.emit(await this.status());
    }
    return this.fetchNow();
  }

  /** Fetches now (on demand, or on the schedule); never throws. */
  fetchNow(): Promise<SyncStatus> {
    if (this.running) return this.running;
    this.clear();
    this.running = (async () => {
      // The remote is read once per fetch: each read is a git process, on the board's critical path.
      const config = await this.outbox.remote.config();
      const remote = config.url;
      this.emit(await this.status(true, remote));
      const { state, outcome } = await this.outbox.fetchOnce(config);
      if (outcome && outcome.merged !== 'none') await this.options.onMerged(outcome).catch(() => {});
      await this.scheduleAfter(state, remote);
      // `running` is still set until this promise settles: the finished status must not say "fetching".
      return this.status(false, remote);
    })().finally(() => {
      this.running = null;
    });
    return this.running.then((s) => this.emit(s));
  }

  /** Stops the schedule (console shutdown). */
  stop(): void {
    this.watching = false;
    this.clear();
  }

  /** The sync state the board shows. */
  async status(fetching = this.running !== null, knownRemote?: string | null): Promise<SyncStatus> {
    const remote = knownRemote !== undefined ? knownRemote : await this.outbox.remote.url();
    if (remote === null) return { state: 'local-only', watching: this.watching };
    const f = await this.outbox.fetchState();
    const witnessing = this.options.witnessing?.() ?? null;
    return {
      ...(witnessing ? { witnessing } : {}),
      state: f.failure ? f.failure.kind : f.lastFetchAt ? 'ok' : 'never',
      remote,
      lastFetchAt: f.lastFetchAt,
      lastAttemptAt: f.lastAttemptAt,
      nextFetchAt: this.nextFetchAt === null ? null : new Date(this.nextFetchAt).toISOString(),
      reason: f.failure?.reason ?? null,
      failingSince: f.failure?.since ?? null,
      fetching,
      watching: this.watching,
      intervalSeconds: await this.options.intervalSeconds(),
    };
  }

  private async scheduleAfter(state: FetchState, remote: string | null): Promise<void> {
    this.clear();
    if (!this.watching || remote === null) return;
    const interval = (await this.options.intervalSeconds()) * 1_000;
    // While failing, back off (never sooner than the interval); a success returns to the interval.
    const delay = state.failure ? Math.max(interval, backoffDelayMs(state.failure.attempts)) : interval;
    this.nextFetchAt = this.options.now() + delay;
    // A failure to even read the status (the repository went away) must not become an unhandled rejection.
    this.timer = setTimeout(() => void this.fetchNow().catch(() => {}), delay);
    this.timer.unref?.();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextFetchAt = null;
  }

  private emit(s: SyncStatus): SyncStatus {
    for (const l of this.listeners) l(s);
    return s;
  }
}
