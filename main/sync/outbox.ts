import type { PushStatus } from '../../app/views';
import { GitFailure } from '../git';
import type { GitEvidenceStore } from '../evidence/store';
import type { MergeOutcome } from '../evidence/merge';
import { backoffDelayMs, NETWORK_TIMEOUT_MS } from './backoff';
import { Backlog } from './backlog';
import { REMOTE_NAME, type Remote, type RemoteConfig } from './remote';
import { classifyRemoteFailure, isLostPushRace, isMissingRemoteBranch, type RemoteFailure } from './remoteFailure';
import { nextFailure, SyncStateFile, type FetchState, type SyncFailure } from './syncState';

/**
 * The push outbox (issue 2, procedure.md §7): committed records go to the shared remote in the
 * background; a failed push never touches or blocks local evidence. Before each push the remote's
 * records are fetched and merged (their paths never collide with ours, so our commit ids never
 * change). Nothing is ever force-pushed. The backlog is derived from git (`origin/<branch>..<branch>`);
 * only the last attempt's outcome is kept in the sync state file, so a restart resumes where it was.
 */

/** What the outbox needs of the evidence store: its git, where it lives, its branch, and merging. */
export type SyncedStore = Pick<GitEvidenceStore, 'git' | 'gitDir' | 'branch' | 'resolveHead' | 'mergeFrom'>;

/** Options of the outbox. */
export interface OutboxOptions {
  timeoutMs?: number;
  onPolicyAdopted?: (o: NonNullable<MergeOutcome['policyAdopted']>) => Promise<void>;
  onLockRecovered?: (r: NonNullable<MergeOutcome['lockRecovered']>) => Promise<void>;
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

/** One evidence repository's outbox. */
export class Outbox {
  /** The sync state file (last push, last fetch). */
  readonly state: SyncStateFile;
  private readonly backlog: Backlog;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PushStatus> | null = null;
  private stopped = false;
  private listeners = new Set<(s: PushStatus) => void>();

  constructor(
    private readonly store: SyncedStore,
    /** The shared remote's configuration. */
    readonly remote: Remote,
    private readonly options: OutboxOptions = {},
  ) {
    this.state = new SyncStateFile(store.gitDir);
    this.backlog = new Backlog(store.git, remote);
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
   * outcome is recorded in the sync state file and returned.
   */
  async fetchOnce(known?: RemoteConfig): Promise<{ state: FetchState; outcome: MergeOutcome | null }> {
    // The caller may pass the remote it has just read (one git process less per fetch).
    const remote = known ?? (await this.remote.config());
    if (remote.url === null) return { state: await this.fetchState(), outcome: null };
    const at = this.nowIso();
    try {
      const outcome = await this.fetchAndMerge(remote.branch).catch((e) => {
        // An empty remote has no branch yet: nothing to fetch is a successful fetch.
        if (isMissingRemoteBranch(e)) return null;
        throw e;
      });
      await this.afterMerge(outcome);
      const state = { lastFetchAt: at, lastAttemptAt: at, failure: null };
      const wasFailing = (await this.state.read()).fetchFailure !== null;
      await this.state.update({ lastFetchAt: at, lastFetchAttemptAt: at, fetchFailure: null });
      // The header's push state follows the remote coming back (only on the change: each status costs git processes).
      if (wasFailing) this.emitStatusSoon();
      return { state, outcome };
    } catch (e) {
      const { kind, reason } = syncFailureOf(classifyRemoteFailure(e));
      const previous = (await this.state.read()).fetchFailure;
      await this.state.update({ lastFetchAttemptAt: at, fetchFailure: nextFailure(previous, kind, reason, at) });
      if (previous === null) this.emitStatusSoon();
      return { state: await this.fetchState(), outcome: null };
    }
  }

  private async afterMerge(outcome: MergeOutcome | null): Promise<void> {
    if (outcome?.lockRecovered && this.options.onLockRecovered) await this.options.onLockRecovered(outcome.lockRecovered);
    if (outcome?.policyAdopted && this.options.onPolicyAdopted) await this.options.onPolicyAdopted(outcome.policyAdopted);
  }

  /** Record commits not yet on the remote (merges excluded: they carry no record). */
  pendingCount(): Promise<number> {
    return this.backlog.count();
  }

  /** Commits not yet on the remote; null when this host is local-only. */
  async pendingCommits(): Promise<Set<string> | null> {
    if ((await this.remote.url()) === null) return null;
    return this.backlog.commits();
  }

  /** The push state, derived from git plus the last attempt's outcome. */
  async status(): Promise<PushStatus> {
    const remote = await this.remote.url();
    if (remote === null) return { state: 'local-only' };
    const persisted = await this.state.read();
    const pending = await this.pendingCount();
    const f = persisted.failure;
    if (f?.kind === 'rejected') return { state: 'rejected', pending, remote, reason: f.reason, since: f.since };
    if (f?.kind === 'offline') return { state: 'offline', pending, remote, since: f.since, nextTryAt: persisted.nextTryAt, reason: f.reason };
    // A fetch that failed after the last push attempt means the remote cannot be reached now: the
    // header must not say "synced" beside a board that says offline (an observer never pushes at all).
    const ff = persisted.fetchFailure;
    if (ff?.kind === 'offline' && (persisted.lastFetchAttemptAt ?? '') > (persisted.lastAttemptAt ?? '')) {
      return { state: 'offline', pending, remote, since: ff.since, nextTryAt: null, reason: ff.reason };
    }
    if (pending > 0) return { state: 'pending', pending, remote, lastPushAt: persisted.lastPushAt };
    return { state: 'synced', lastPushAt: persisted.lastPushAt, remote };
  }

  /** Subscribes to status changes; returns the unsubscribe. */
  onStatus(listener: (s: PushStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fetches what other hosts pushed and merges it into the local branch (under the writer lock). */
  async fetchAndMerge(knownRemoteBranch?: string): Promise<MergeOutcome> {
    // -v: git always reports the ref it fetched (a silent command costs a fixed wait in simple-git).
    const remoteBranch = knownRemoteBranch ?? (await this.remote.branch());
    // core.abbrev=no: git reports the tracking ref's move with full ids ("<old>..<new>", a fast-forward).
    const tracking = this.remote.trackingRef;
    const fetched = await this.store.git.run('fetch-remote', ['-c', 'core.abbrev=no', 'fetch', '-v', '--no-tags', REMOTE_NAME, `+refs/heads/${remoteBranch}:${tracking}`], { timeoutMs: this.timeoutMs });
    const moved = /^\s+([0-9a-f]{40,64})\.\.([0-9a-f]{40,64})\s+\S+\s+->\s+(\S+)\s*$/m.exec(fetched.stderr);
    return this.store.mergeFrom(tracking, moved && moved[3] === `${REMOTE_NAME}/${this.store.branch}` ? { from: moved[1]!, to: moved[2]! } : undefined);
  }

  /** One attempt: fetch, merge, push. Never throws; returns and records the status. */
  async syncOnce(options: { fetchFirst?: boolean } = {}): Promise<PushStatus> {
    if (this.running) return this.running;
    this.running = this.attempt(options.fetchFirst ?? true).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * With `fetchFirst` (an explicit "push now"), other hosts' records are fetched and merged before
   * pushing. Without it (the background push after each record), the push goes first and the
   * fetch + merge happen only when the remote refuses it because another host pushed: one network
   * round trip in the common case, and still never a force, never a lost record.
   */
  private async attempt(fetchFirst: boolean): Promise<PushStatus> {
    const { url: remote, branch: remoteBranch } = await this.remote.config();
    if (remote === null) return this.emit({ state: 'local-only' });
    const persisted = await this.state.read();
    const now = this.nowIso();
    let fetchedAt: string | null = null;
    // Set when the fetch itself failed: the board's fetch state must say so too, not keep "ok".
    let fetchFailed = false;
    try {
      for (let round = 0; ; round++) {
        const outcome = !fetchFirst && round === 0 ? null : await this.fetchAndMerge(remoteBranch).catch((e) => {
          // An empty remote (a new shared repository) has no branch to fetch yet: the push creates it.
          if (isMissingRemoteBranch(e)) return null;
          fetchFailed = true;
          throw e;
        });
        if (fetchFirst || round > 0) fetchedAt = this.nowIso();
        await this.afterMerge(outcome);
        // One push carries the whole backlog; git answers "up to date" at once when there is none.
        const pushed = await this.store.resolveHead();
        const push = await this.store.git.run('push-evidence', ['push', '--quiet', '--porcelain', REMOTE_NAME, `refs/heads/${this.store.branch}:refs/heads/${remoteBranch}`], { timeoutMs: this.timeoutMs, ok: [0, 1] });
        if (push.exitCode === 0) {
          // A bare clone has no fetch refspec, so git does not move the tracking ref on push: the
          // backlog is counted against it, so record what the remote now has.
          if (pushed) await this.store.git.updateRefs('track-pushed', [{ ref: this.remote.trackingRef, next: pushed }]);
          break;
        }
        // Someone pushed between our fetch and our push: fetch, merge and try again (never force).
        // Also a race lost at the remote: another host's push moved the branch between its checks.
        if (!isLostPushRace(push.text() + push.stderr) || round === 2) {
          throw new GitFailure('push-evidence', ['push'], push.exitCode, push.stderr || push.text());
        }
      }
      await this.state.update({ lastPushAt: now, lastAttemptAt: now, failure: null, nextTryAt: null, ...(fetchedAt ? { lastFetchAt: fetchedAt, lastFetchAttemptAt: fetchedAt, fetchFailure: null } : {}) });
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
