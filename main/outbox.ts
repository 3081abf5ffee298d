import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BreakGlassError } from '../app/errors';
import { Git, GitFailure } from './git';
import type { GitEvidenceStore } from './evidenceStore';
import type { PushStatus } from '../app/views';

/**
 * The push outbox (issue 2, procedure.md §7): committed records go to the shared remote in the
 * background; a failed push never touches or blocks local evidence. Before each push the remote's
 * records are fetched and merged (their paths never collide with ours, so our commit ids never
 * change). Nothing is ever force-pushed. The backlog is derived from git (`origin/<branch>..<branch>`);
 * only the last attempt's outcome is kept in a small status file, so a restart resumes where it was.
 */

export type { PushStatus };

const FailureSchema = z.object({ kind: z.enum(['offline', 'rejected']), since: z.string(), reason: z.string(), attempts: z.number().int() });

const PersistedSchema = z.object({
  lastPushAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  failure: FailureSchema.nullable(),
  nextTryAt: z.string().nullable(),
  // Fetching (issue 6); absent in files written before it.
  lastFetchAt: z.string().nullable().default(null),
  lastFetchAttemptAt: z.string().nullable().default(null),
  fetchFailure: FailureSchema.nullable().default(null),
}).strict();
type Persisted = z.infer<typeof PersistedSchema>;

/** Network calls get a hard timeout: a blackholed address otherwise hangs git for minutes. */
export const NETWORK_TIMEOUT_MS = 20_000;

/** Backoff: exponential with full jitter, capped at 5 minutes (issue 2). */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5 * 60_000, 2_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Outcome of merging what other hosts pushed. */
export interface MergeOutcome {
  merged: 'none' | 'fast-forward' | 'merge';
  policyAdopted: { previous: string | null; adopted: string } | null;
  /** A stale writer lock recovered while merging: the caller records it (it has the service). */
  lockRecovered: import('../app/ports').LockRecovery | null;
}

/** The last fetch's outcome (issue 6): what the board's staleness line is made of. */
export interface FetchState {
  lastFetchAt: string | null;
  lastAttemptAt: string | null;
  failure: { kind: 'offline' | 'rejected'; since: string; reason: string; attempts: number } | null;
}

/** git config key of the remote branch, when it is not the local branch's name. */
const REMOTE_BRANCH_KEY = 'breakglass.remoteBranch';

/** One evidence repository's outbox. */
export class Outbox {
  private readonly statusFile: string;
  private readonly remote = 'origin';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PushStatus> | null = null;
  private stopped = false;
  private listeners = new Set<(s: PushStatus) => void>();

  constructor(
    private readonly store: GitEvidenceStore,
    private readonly options: {
      timeoutMs?: number;
      onPolicyAdopted?: (o: NonNullable<MergeOutcome['policyAdopted']>) => Promise<void>;
      onLockRecovered?: (r: NonNullable<MergeOutcome['lockRecovered']>) => Promise<void>;
      /** The service clock (the test host moves it); Date.now by default. */
      now?: () => number;
    } = {},
  ) {
    this.statusFile = path.join(store.gitDir, 'breakglass-outbox.json');
  }

  private get git(): Git {
    return this.store.git;
  }

  /** The remote's URL, or null when this host is local-only. */
  async remoteUrl(): Promise<string | null> {
    return (await this.remoteConfig()).url;
  }

  /** The branch on the remote that evidence is pushed to and fetched from (the local branch's name unless set). */
  async remoteBranch(): Promise<string> {
    return (await this.remoteConfig()).branch;
  }

  /**
   * The remote's URL and branch in one git process: the board's fetch pays for every process on its
   * critical path (issue 6 benchmark).
   */
  async remoteConfig(): Promise<{ url: string | null; branch: string }> {
    // core.repositoryformatversion is always set: git prints a line even without a remote (a silent
    // command costs a fixed 50 ms wait in simple-git).
    const r = await this.git.run('remote-config', ['config', '--get-regexp', `^(core\\.repositoryformatversion|remote\\.${this.remote}\\.url|${REMOTE_BRANCH_KEY.replace('.', '\\.').toLowerCase()})$`], { ok: [0, 1] });
    let url: string | null = null;
    let branch = this.store.branch;
    for (const line of r.text().split('\n')) {
      const space = line.indexOf(' ');
      if (space < 0) continue;
      const key = line.slice(0, space);
      const value = line.slice(space + 1).trim();
      if (key === `remote.${this.remote}.url`) url = value;
      else if (key === REMOTE_BRANCH_KEY.toLowerCase() && value) branch = value;
    }
    return { url, branch };
  }

  /** Sets (or replaces) the remote; credentials stay with git's helpers and the ssh agent, never in the URL. */
  async setRemote(url: string, remoteBranch?: string): Promise<void> {
    assertNoPasswordInUrl(url);
    // git would read a leading "-" as an option (e.g. --mirror), not as the URL.
    if (url.startsWith('-')) throw new BreakGlassError('invalid-input', 'A remote URL cannot start with "-": give an ssh or https URL, or a folder path.', { field: 'url' });
    const existing = await this.remoteUrl();
    await this.git.run('set-remote', existing === null ? ['remote', 'add', '--', this.remote, url] : ['remote', 'set-url', '--', this.remote, url]);
    if (remoteBranch !== undefined) {
      if (remoteBranch === this.store.branch) await this.git.run('unset-remote-branch', ['config', '--unset', REMOTE_BRANCH_KEY], { ok: [0, 5] });
      else await this.git.run('set-remote-branch', ['config', REMOTE_BRANCH_KEY, remoteBranch]);
    }
  }

  private nowIso(): string {
    return new Date((this.options.now ?? Date.now)()).toISOString();
  }

  /** The last fetch's outcome, from the status file. */
  async fetchState(): Promise<FetchState> {
    const p = await this.readPersisted();
    return { lastFetchAt: p.lastFetchAt, lastAttemptAt: p.lastFetchAttemptAt, failure: p.fetchFailure };
  }

  /**
   * One fetch + merge for the board (issue 6): records from other hosts arrive; local evidence is
   * never changed (their paths never collide with ours) and nothing is pushed. Never throws: the
   * outcome is recorded in the status file and returned.
   */
  async fetchOnce(known?: { url: string | null; branch: string }): Promise<{ state: FetchState; outcome: MergeOutcome | null }> {
    // The caller may pass the remote it has just read (one git process less per fetch).
    const remote = known ?? (await this.remoteConfig());
    if (remote.url === null) return { state: await this.fetchState(), outcome: null };
    const at = this.nowIso();
    try {
      const outcome = await this.fetchAndMerge(remote.branch).catch((e) => {
        // An empty remote has no branch yet: nothing to fetch is a successful fetch.
        if (e instanceof GitFailure && /couldn't find remote ref/i.test(e.stderr)) return null;
        throw e;
      });
      await this.afterMerge(outcome);
      const state = { lastFetchAt: at, lastAttemptAt: at, failure: null };
      const wasFailing = (await this.readPersisted()).fetchFailure !== null;
      await this.updatePersisted({ lastFetchAt: at, lastFetchAttemptAt: at, fetchFailure: null });
      // The header's push state follows the remote coming back (only on the change: each status costs git processes).
      if (wasFailing) this.emitStatusSoon();
      return { state, outcome };
    } catch (e) {
      const { kind, reason } = classifyRemoteFailure(e);
      const previous = (await this.readPersisted()).fetchFailure;
      const failure = { kind, reason, attempts: (previous?.attempts ?? 0) + 1, since: previous?.kind === kind ? previous.since : at };
      await this.updatePersisted({ lastFetchAttemptAt: at, fetchFailure: failure });
      if (previous === null) this.emitStatusSoon();
      return { state: await this.fetchState(), outcome: null };
    }
  }

  private async afterMerge(outcome: MergeOutcome | null): Promise<void> {
    if (outcome?.lockRecovered && this.options.onLockRecovered) await this.options.onLockRecovered(outcome.lockRecovered);
    if (outcome?.policyAdopted && this.options.onPolicyAdopted) await this.options.onPolicyAdopted(outcome.policyAdopted);
  }

  /** Record commits not yet on the remote (merges excluded: they carry no record). */
  async pendingCount(): Promise<number> {
    const tracking = `refs/remotes/${this.remote}/${this.store.branch}`;
    const has = await this.git.run('has-tracking', ['rev-parse', '--verify', '--quiet', tracking], { ok: [0, 1] });
    const range = has.exitCode === 0 ? [`${tracking}..refs/heads/${this.store.branch}`] : [`refs/heads/${this.store.branch}`];
    return Number(await this.git.text('count-pending', ['rev-list', '--count', '--no-merges', ...range, '--', 'sessions', 'journal']));
  }

  /** The push state, derived from git plus the last attempt's outcome. */
  async status(): Promise<PushStatus> {
    const remote = await this.remoteUrl();
    if (remote === null) return { state: 'local-only' };
    const persisted = await this.readPersisted();
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
    const timeoutMs = this.options.timeoutMs ?? NETWORK_TIMEOUT_MS;
    // -v: git always reports the ref it fetched (a silent command costs a fixed wait in simple-git).
    const remoteBranch = knownRemoteBranch ?? (await this.remoteBranch());
    // core.abbrev=no: git reports the tracking ref's move with full ids ("<old>..<new>", a fast-forward).
    const tracking = `refs/remotes/${this.remote}/${this.store.branch}`;
    const fetched = await this.git.run('fetch-remote', ['-c', 'core.abbrev=no', 'fetch', '-v', '--no-tags', this.remote, `+refs/heads/${remoteBranch}:${tracking}`], { timeoutMs });
    const moved = /^\s+([0-9a-f]{40,64})\.\.([0-9a-f]{40,64})\s+\S+\s+->\s+(\S+)\s*$/m.exec(fetched.stderr);
    return this.store.mergeFrom(tracking, moved && moved[3] === `${this.remote}/${this.store.branch}` ? { from: moved[1]!, to: moved[2]! } : undefined);
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
    const { url: remote, branch: remoteBranch } = await this.remoteConfig();
    if (remote === null) return this.emit({ state: 'local-only' });
    const persisted = await this.readPersisted();
    const now = this.nowIso();
    const timeoutMs = this.options.timeoutMs ?? NETWORK_TIMEOUT_MS;
    let fetchedAt: string | null = null;
    // Set when the fetch itself failed: the board's fetch state must say so too, not keep "ok".
    let fetchFailed = false;
    try {
      for (let round = 0; ; round++) {
        const outcome = !fetchFirst && round === 0 ? null : await this.fetchAndMerge(remoteBranch).catch((e) => {
          // An empty remote (a new shared repository) has no branch to fetch yet: the push creates it.
          if (e instanceof GitFailure && /couldn't find remote ref/i.test(e.stderr)) return null;
          fetchFailed = true;
          throw e;
        });
        if (fetchFirst || round > 0) fetchedAt = this.nowIso();
        await this.afterMerge(outcome);
        // One push carries the whole backlog; git answers "up to date" at once when there is none.
        const pushed = await this.store.resolveHead();
        const push = await this.git.run('push-evidence', ['push', '--quiet', '--porcelain', this.remote, `refs/heads/${this.store.branch}:refs/heads/${remoteBranch}`], { timeoutMs, ok: [0, 1] });
        if (push.exitCode === 0) {
          // A bare clone has no fetch refspec, so git does not move the tracking ref on push: the
          // backlog is counted against it, so record what the remote now has.
          if (pushed) await this.git.updateRefs('track-pushed', [{ ref: `refs/remotes/${this.remote}/${this.store.branch}`, next: pushed }]);
          break;
        }
        // Someone pushed between our fetch and our push: fetch, merge and try again (never force).
        // Also a race lost at the remote: another host's push moved the branch between its checks.
        if (!/\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref/.test(push.text() + push.stderr) || round === 2) {
          throw new GitFailure('push-evidence', ['push'], push.exitCode, push.stderr || push.text());
        }
      }
      await this.updatePersisted({ lastPushAt: now, lastAttemptAt: now, failure: null, nextTryAt: null, ...(fetchedAt ? { lastFetchAt: fetchedAt, lastFetchAttemptAt: fetchedAt, fetchFailure: null } : {}) });
      return this.emit({ state: 'synced', lastPushAt: now, remote });
    } catch (e) {
      const { kind, reason } = classifyRemoteFailure(e);
      const attempts = (persisted.failure?.attempts ?? 0) + 1;
      const nextTryAt = new Date(Date.parse(now) + backoffDelayMs(attempts)).toISOString();
      await this.updatePersisted({
        lastAttemptAt: now, nextTryAt,
        failure: { kind, reason, attempts, since: persisted.failure?.kind === kind ? persisted.failure.since : now },
        ...(fetchedAt ? { lastFetchAt: fetchedAt, lastFetchAttemptAt: fetchedAt, fetchFailure: null } : {}),
        ...(fetchFailed ? {
          lastFetchAttemptAt: now,
          fetchFailure: { kind, reason, attempts: (persisted.fetchFailure?.attempts ?? 0) + 1, since: persisted.fetchFailure?.kind === kind ? persisted.fetchFailure.since : now },
        } : {}),
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
          const p = await this.readPersisted();
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

  private async readPersisted(): Promise<Persisted> {
    try {
      const parsed = PersistedSchema.safeParse(JSON.parse(await fs.readFile(this.statusFile, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      /* first run, or unreadable: start clean (the backlog itself comes from git) */
    }
    return { lastPushAt: null, lastAttemptAt: null, failure: null, nextTryAt: null, lastFetchAt: null, lastFetchAttemptAt: null, fetchFailure: null };
  }

  /**
   * Read-modify-write of the status file. Push and fetch both update it; they run in one process
   * and each write is one rename, so the chain below keeps one update from overwriting another's.
   */
  private persistChain: Promise<void> = Promise.resolve();
  private updatePersisted(patch: Partial<Persisted>): Promise<void> {
    const next = this.persistChain.then(async () => this.writePersisted({ ...(await this.readPersisted()), ...patch }));
    this.persistChain = next.catch(() => {});
    return next;
  }

  private async writePersisted(p: Persisted): Promise<void> {
    const tmp = `${this.statusFile}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(p));
    await fs.rename(tmp, this.statusFile);
  }
}

/** Says whether a failed sync is the network (retry later) or the remote refusing (needs a person). */
export function classifyRemoteFailure(e: unknown): { kind: 'offline' | 'rejected'; reason: string } {
  const text = e instanceof GitFailure ? `${e.stderr}` : (e as Error)?.message ?? String(e);
  // The cause is git's error line, not its progress chatter ("Looking up host ... done."); git
  // often splits it over two lines ("unable to connect to host:" / "errno=Connection refused").
  const lines = text.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  // The marker may sit mid-line, after progress ("Connecting to host ... fatal: unable to connect").
  const marker = /\b(fatal|error):|\[(remote )?rejected\]/i;
  const at = Math.max(0, lines.findIndex((l) => marker.test(l)));
  const found = lines[at]?.search(marker) ?? -1;
  const head = found > 0 ? lines[at]!.slice(found) : lines[at];
  const next = lines[at + 1];
  const firstLine = (head?.endsWith(':') && next ? `${head} ${next.replace(/^fatal: /, '')}` : head) ?? 'unknown failure';
  if (e instanceof GitFailure && e.exitCode === null) return { kind: 'offline', reason: 'the remote did not answer in time' };
  if (/Could not resolve host|Connection refused|Connection timed out|Network is unreachable|No route to host|unable to connect|Could not read from remote|does not appear to be a git repository|early EOF|Connection reset/i.test(text)) {
    if (/does not appear to be a git repository/i.test(text)) return { kind: 'rejected', reason: `the remote is not a git repository (${firstLine})` };
    return { kind: 'offline', reason: firstLine.replace(/^fatal: /, '') };
  }
  if (/Authentication failed|Permission denied|403|401|could not read Username/i.test(text)) return { kind: 'rejected', reason: `the remote refused our credentials (${firstLine})` };
  if (/\[rejected\]|\[remote rejected\]|pre-receive hook declined|protected branch|non-fast-forward|cannot lock ref|failed to update ref/i.test(text)) return { kind: 'rejected', reason: `the remote rejected the push (${firstLine})` };
  return { kind: 'offline', reason: firstLine.replace(/^fatal: /, '') };
}

/** A remote URL must not carry a password: the console never stores credentials (issue 6). */
export function urlHasPassword(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(url);
}

/** Refuses a URL with a password, saying where credentials belong. */
export function assertNoPasswordInUrl(url: string): void {
  if (urlHasPassword(url)) {
    throw new BreakGlassError('invalid-input', 'The URL contains a password. Leave credentials to git\'s credential helper or the ssh agent, and give the URL without them.', { field: 'url' });
  }
}
