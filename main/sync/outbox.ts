import type { PushStatus } from '../../app/views';
import type { GitEvidenceStore } from '../evidence/store';
import type { MergeOutcome } from '../evidence/merge';
import { backoffDelayMs, NETWORK_TIMEOUT_MS } from './backoff';
import { Backlog } from './backlog';
import type { Remote, RemoteConfig } from './remote';
import { classifyRemoteFailure, type RemoteFailure, type RemoteFailureCause } from './remoteFailure';
import { confirmedAfter } from './confirmed';
import { confirmedTipOf, nextFailure, SyncStateFile, type FetchState, type SyncFailure } from './syncState';
import { fetchEvidence, OwnRefGone, pushEvidence, pushMovesTracking, readPushRefs, type PushRefs, type SeenTip } from './transfer';

/**
 * The push outbox (issue 2, procedure.md §7): committed records go to the shared remote in the
 * background; a failed push never touches or blocks local evidence. Each host pushes only its own
 * ref, `refs/heads/hosts/<id>` (issue 14), which no other host writes: pushes never race, so one
 * push per host delivers its backlog however many hosts push at once, and nothing is ever merged,
 * forced or rebased. The backlog is derived from git (the own ref against the commit of it the
 * remote last confirmed, issue 16); only that commit and the last attempt's outcome are kept in
 * the sync state file, so a restart resumes.
 */

/** What the outbox needs of the evidence store: its git, where it lives, its branches, taking in a fetch. */
export type SyncedStore = Pick<GitEvidenceStore, 'git' | 'gitDir' | 'branch' | 'hostId' | 'takeFetched' | 'readTips'>;

/** Options of the outbox. */
export interface OutboxOptions {
  timeoutMs?: number;
  onPolicyAdopted?: (o: NonNullable<MergeOutcome['policyAdopted']>) => Promise<void>;
  onLockRecovered?: (r: NonNullable<MergeOutcome['lockRecovered']>) => Promise<void>;
  /**
   * Before a push while this host has no own ref yet (issue 14 migration): the service writes the
   * `layout-migrated` journal note when the host wrote records on the shared branch before.
   */
  onLayoutMove?: () => Promise<void>;
  /** The service clock (the test host moves it); Date.now by default. */
  now?: () => number;
}

/** What a failed push or fetch is for the push state: the network (retry) or the remote refusing (a person must act). */
export function syncFailureOf(f: RemoteFailure): { kind: SyncFailure['kind']; reason: string } {
  const line = f.message || 'unknown failure';
  switch (f.cause) {
    case 'timeout':
      return { kind: 'offline', reason: 'the remote did not answer in time' };
    case 'not-a-repository':
      return { kind: 'rejected', reason: `the remote is not a git repository (${line})` };
    case 'auth':
      return { kind: 'rejected', reason: `the remote refused our credentials (${line})` };
    case 'push-rejected':
      return { kind: 'rejected', reason: `the remote rejected the push (${line})` };
    case 'unreachable':
    case 'unknown':
      return { kind: 'offline', reason: line.replace(/^fatal: /, '') };
  }
}

/** What the board says when the remote rewrote refs this repository had fetched. */
function rewrittenReason(refs: readonly string[]): string {
  return `the remote's ${refs.slice(0, 3).join(', ')}${refs.length > 3 ? ` and ${refs.length - 3} more` : ''} changed without a fast-forward (history rewritten there); this repository keeps the history it fetched before`;
}

/** One evidence repository's outbox. */
export class Outbox {
  /** The sync state file (last push, last fetch). */
  readonly state: SyncStateFile;
  private readonly backlog: Backlog;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PushStatus> | null = null;
  private stopped = false;
  /** A read showed this host's own ref and the remote's organisation branch (see {@link push}). */
  private settled = false;
  private listeners = new Set<(s: PushStatus) => void>();

  constructor(
    private readonly store: SyncedStore,
    /** The shared remote's configuration. */
    readonly remote: Remote,
    private readonly options: OutboxOptions = {},
  ) {
    this.state = new SyncStateFile(store.gitDir);
    this.backlog = new Backlog(store.git, store.hostId ?? '');
  }

  private nowIso(): string {
    return new Date((this.options.now ?? Date.now)()).toISOString();
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? NETWORK_TIMEOUT_MS;
  }

  /** The last fetch's outcome, from the sync state file. */
  fetchState(): Promise<FetchState> {
    return this.state.fetchState();
  }

  /**
   * One fetch + merge for the board (issue 6): records from other hosts arrive; local evidence is
   * never changed (their paths never collide with ours) and nothing is pushed. Never throws: the
   * outcome is recorded in the sync state file and returned (with the failure's cause).
   * `takeIn: false` (`verify --online`, a reading command) only fetches: the next writer's fetch
   * takes the organisation branch in, and records what that adopts.
   */
  async fetchOnce(known?: RemoteConfig, options: { takeIn?: boolean } = {}): Promise<{ state: FetchState; outcome: MergeOutcome | null; cause?: RemoteFailureCause }> {
    // The caller may pass the remote it has just read (one git process less per fetch).
    const remote = known ?? (await this.remote.config());
    if (remote.url === null) return { state: await this.fetchState(), outcome: null };
    const at = this.nowIso();
    try {
      const { outcome, refused, own } = await this.fetchAndMerge(remote.branch, options.takeIn ?? true);
      await this.afterMerge(outcome);
      const persisted = await this.state.read();
      const previous = persisted.fetchFailure;
      // A ref the remote rewrote is kept as this repository had it, and the board says so.
      const fetchFailure = refused.length > 0 ? nextFailure(previous, 'rejected', rewrittenReason(refused), at) : null;
      await this.state.update({ lastFetchAt: at, lastFetchAttemptAt: at, fetchFailure, ...(await confirmedAfter(this.store.git, persisted, own, at, this.store.hostId)) });
      // The header's push state follows the remote coming back (only on the change: each status costs git processes).
      if ((previous === null) !== (fetchFailure === null)) this.emitStatusSoon();
      return { state: { lastFetchAt: at, lastAttemptAt: at, failure: fetchFailure }, outcome };
    } catch (e) {
      const failure = classifyRemoteFailure(e);
      const { kind, reason } = syncFailureOf(failure);
      const previous = (await this.state.read()).fetchFailure;
      await this.state.update({ lastFetchAttemptAt: at, fetchFailure: nextFailure(previous, kind, reason, at) });
      if (previous === null) this.emitStatusSoon();
      return { state: await this.fetchState(), outcome: null, cause: failure.cause };
    }
  }

  private async afterMerge(outcome: MergeOutcome | null): Promise<void> {
    if (outcome?.lockRecovered && this.options.onLockRecovered) await this.options.onLockRecovered(outcome.lockRecovered);
    if (outcome?.policyAdopted && this.options.onPolicyAdopted) await this.options.onPolicyAdopted(outcome.policyAdopted);
  }

  /** Record commits of this host's own ref not yet on the remote (since the commit it confirmed). */
  async pendingCount(): Promise<number> {
    return this.backlog.count(confirmedTipOf(await this.state.read(), this.store.hostId));
  }

  /** Commits not yet on the remote; null when this host is local-only. */
  async pendingCommits(): Promise<Set<string> | null> {
    if ((await this.remote.url()) === null) return null;
    return this.backlog.commits(confirmedTipOf(await this.state.read(), this.store.hostId));
  }

  /** The push state, derived from git plus the last attempt's outcome. */
  async status(): Promise<PushStatus> {
    const remote = await this.remote.url();
    if (remote === null) return { state: 'local-only' };
    const persisted = await this.state.read();
    // Synced only while this host's own ref is the commit the remote confirmed or goes on from it (issue 16).
    const confirmed = confirmedTipOf(persisted, this.store.hostId);
    const { count: pending, synced, behind } = await this.backlog.since(confirmed);
    // First: a history that lost pushed records says so whatever else the last attempt met.
    if (behind !== undefined && confirmed !== null) return { state: 'behind', missing: behind, remote, confirmed, lastPushAt: persisted.lastPushAt };
    const f = persisted.failure;
    if (f?.kind === 'rejected') return { state: 'rejected', pending, remote, reason: f.reason, since: f.since };
    if (f?.kind === 'offline') return { state: 'offline', pending, remote, since: f.since, nextTryAt: persisted.nextTryAt, reason: f.reason };
    // A fetch that failed after the last push attempt means the remote cannot be reached now: the
    // header must not say "synced" beside a board that says offline (an observer never pushes at all).
    const ff = persisted.fetchFailure;
    if (ff?.kind === 'offline' && (persisted.lastFetchAttemptAt ?? '') > (persisted.lastAttemptAt ?? '')) {
      return { state: 'offline', pending, remote, since: ff.since, nextTryAt: null, reason: ff.reason };
    }
    if (!synced) return { state: 'pending', pending, remote, lastPushAt: persisted.lastPushAt };
    return { state: 'synced', lastPushAt: persisted.lastPushAt, remote };
  }

  /** Subscribes to status changes; returns the unsubscribe. */
  onStatus(listener: (s: PushStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Fetches the organisation branch and every host's ref (one `git fetch`), then takes them in
   * under the writer lock: the view becomes the union of them, nothing is merged (issue 14).
   */
  async fetchAndMerge(knownRemoteBranch?: string, takeIn = true): Promise<{ outcome: MergeOutcome | null; refused: string[]; own: SeenTip | null }> {
    const remoteBranch = knownRemoteBranch ?? (await this.remote.branch());
    // The view before the fetch: a read running meanwhile (the console's tick) may take in the fetched
    // refs before takeFetched does, which must not make a fetch that brought records look like nothing.
    const viewBeforeFetch = takeIn ? (await this.store.readTips()).viewId : null;
    const { refused, empty, own } = await fetchEvidence(this.store.git, remoteBranch, this.store.branch, this.timeoutMs, this.store.hostId);
    // An empty remote (nothing pushed yet) has nothing to take in: a successful fetch, no outcome.
    if (empty || !takeIn) return { outcome: null, refused, own };
    return { outcome: await this.store.takeFetched(viewBeforeFetch), refused, own };
  }

  /** One attempt: fetch (on an explicit push), then push this host's own ref. Never throws; returns and records the status. */
  async syncOnce(options: { fetchFirst?: boolean } = {}): Promise<PushStatus> {
    if (this.running) return this.running;
    this.running = this.attempt(options.fetchFirst ?? true).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * With `fetchFirst` (an explicit "push now"), other hosts' records are fetched first, so this
   * host's view is current too. Without it (the background push after each record) only the push
   * runs: one network round trip. Either way the push cannot lose a race: only this host writes
   * its ref. A passing failure is retried inside the push itself (bounded, with jitter).
   */
  private async attempt(fetchFirst: boolean): Promise<PushStatus> {
    const { url: remote, branch: remoteBranch, fetchRefspecs } = await this.remote.settings();
    if (remote === null) return this.emit({ state: 'local-only' });
    const persisted = await this.state.read();
    const now = this.nowIso();
    let fetchedAt: string | null = null;
    let refused: string[] = [];
    let fetchedOwn: SeenTip | null = null;
    // Set when the fetch itself failed: the board's fetch state must say so too, not keep "ok".
    let fetchFailed = false;
    try {
      if (fetchFirst) {
        const fetched = await this.fetchAndMerge(remoteBranch).catch((e: unknown) => {
          fetchFailed = true;
          throw e;
        });
        refused = fetched.refused;
        fetchedOwn = fetched.own;
        fetchedAt = this.nowIso();
        await this.afterMerge(fetched.outcome);
      }
      const pushedOwn = await this.push(remoteBranch, fetchRefspecs);
      const fetchFailure = refused.length > 0 ? nextFailure(persisted.fetchFailure, 'rejected', rewrittenReason(refused), now) : null;
      // What the remote confirmed: the fetch's tip of this host's ref, then the push's (issue 16).
      const afterFetch = fetchedAt ? await confirmedAfter(this.store.git, persisted, fetchedOwn, fetchedAt, this.store.hostId) : persisted;
      const confirmed = await confirmedAfter(this.store.git, afterFetch, pushedOwn, now, this.store.hostId);
      await this.state.update({ lastPushAt: now, lastAttemptAt: now, failure: null, nextTryAt: null, ...confirmed, ...(fetchedAt ? { lastFetchAt: fetchedAt, lastFetchAttemptAt: fetchedAt, fetchFailure } : {}) });
      // A push the remote took whose tip leaves the history it confirmed before (a rewrite) is no sync.
      if (pushedOwn !== null && confirmed.confirmedOwnTip !== pushedOwn.commit) return this.emit(await this.status());
      return this.emit({ state: 'synced', lastPushAt: now, remote });
    } catch (e) {
      const { kind, reason } = syncFailureOf(classifyRemoteFailure(e));
      const failure = nextFailure(persisted.failure, kind, reason, now);
      const nextTryAt = new Date(Date.parse(now) + backoffDelayMs(failure.attempts)).toISOString();
      await this.state.update({
        lastAttemptAt: now, nextTryAt, failure,
        ...(fetchedAt ? { lastFetchAt: fetchedAt, lastFetchAttemptAt: fetchedAt, fetchFailure: null } : {}),
        ...(fetchFailed ? { lastFetchAttemptAt: now, fetchFailure: nextFailure(persisted.fetchFailure, kind, reason, now) } : {}),
      });
      return this.emit(await this.status());
    }
  }

  /**
   * Pushes this host's own ref (and, to create it, the organisation branch). The refs are read
   * first, except once a read has shown the own ref and the remote's organisation branch while
   * git's push moves the tracking ref itself: nothing in the product deletes a ref, so the push
   * then goes without a process before it (issue 14 benchmark). A push that finds the own ref
   * gone after all (deleted by hand) reads and pushes as a first push does.
   */
  private async push(remoteBranch: string, fetchRefspecs: readonly string[]): Promise<SeenTip | null> {
    const hostId = this.store.hostId ?? '';
    if (this.settled && pushMovesTracking(fetchRefspecs)) {
      try {
        return (await pushEvidence(this.store.git, { hostId, refs: null, createOrg: null, fetchRefspecs, timeoutMs: this.timeoutMs })).own;
      } catch (e) {
        if (!(e instanceof OwnRefGone)) throw e;
      }
    }
    let refs = await readPushRefs(this.store.git, this.store.hostId, this.store.branch);
    if (refs.ownTip === null && this.options.onLayoutMove) {
      await this.options.onLayoutMove();
      refs = await readPushRefs(this.store.git, this.store.hostId, this.store.branch);
    }
    this.settled = refs.ownTip !== null && refs.orgTracking !== null;
    return (await pushEvidence(this.store.git, { hostId, refs, createOrg: this.orgToCreate(refs, remoteBranch), fetchRefspecs, timeoutMs: this.timeoutMs })).own;
  }

  /**
   * The organisation branch to push, only while the remote is not known to have one (no tracking
   * ref: a new, empty shared repository): the first host creates it. Hosts never write it otherwise.
   */
  private orgToCreate(refs: PushRefs, remoteBranch: string): { branch: string; remoteBranch: string; tip: string } | null {
    if (refs.orgTracking !== null) return null;
    return refs.orgTip ? { branch: this.store.branch, remoteBranch, tip: refs.orgTip } : null;
  }

  /** Starts the background loop: an attempt now, then after every kick, with backoff while failing. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a push soon (after each committed record); one push carries the whole backlog. */
  kick(): void {
    if (!this.stopped) this.schedule(250);
  }

  /** Stops the background loop. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void (async () => {
        const s = await this.syncOnce({ fetchFirst: false });
        if (this.stopped) return;
        if (s.state === 'offline' || s.state === 'rejected') {
          const p = await this.state.read();
          this.schedule(Math.max(1_000, Date.parse(p.nextTryAt ?? '') - (this.options.now ?? Date.now)() || backoffDelayMs(1)));
        }
      })().catch(() => {
        // The status file could not be written (the repository went away, a full disk): the
        // evidence is untouched and the next record's kick tries again; never an unhandled rejection.
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Sends the push state without making the caller wait for the git processes it takes. */
  private emitStatusSoon(): void {
    void this.status().then((s) => this.emit(s), () => {});
  }

  private emit(s: PushStatus): PushStatus {
    for (const l of this.listeners) l(s);
    return s;
  }
}
