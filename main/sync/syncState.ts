import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The sync state file (`<git dir>/breakglass-outbox.json`): the outcome of the last push and the
 * last fetch, so a restart resumes where it was (README "Sync"). The backlog itself is never kept
 * here: it is derived from git (this host's own ref against the commit the remote last confirmed).
 */

const FailureSchema = z.object({ kind: z.enum(['offline', 'rejected']), since: z.string(), reason: z.string(), attempts: z.number().int() });

const SyncStateSchema = z.object({
  lastPushAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  failure: FailureSchema.nullable(),
  nextTryAt: z.string().nullable(),
  // Fetching (issue 6); absent in files written before it.
  lastFetchAt: z.string().nullable().default(null),
  lastFetchAttemptAt: z.string().nullable().default(null),
  fetchFailure: FailureSchema.nullable().default(null),
  // Issue 16: the commit of this host's own ref the remote last confirmed (a push it accepted, a
  // fetch of it), and when. The backlog and verify trust it, not the remote-tracking ref the
  // operator can move; absent in files written before it (then the tracking ref counts, as before).
  confirmedOwnTip: z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/).nullable().default(null),
  // Whose own ref that commit is: a repository opened under another host id (a second host id on one clone) has confirmed nothing.
  confirmedHostId: z.string().regex(/^[a-z0-9-]{1,64}$/).nullable().default(null),
  confirmedAt: z.string().nullable().default(null),
}).strict();

/** What the file holds. */
export type SyncState = z.infer<typeof SyncStateSchema>;

/** A run of failed attempts: network (offline, retried) or the remote refusing (rejected, needs a person). */
export type SyncFailure = z.infer<typeof FailureSchema>;

/** The last fetch's outcome (issue 6): what the board's staleness line is made of. */
export interface FetchState {
  lastFetchAt: string | null;
  lastAttemptAt: string | null;
  failure: SyncFailure | null;
}

const EMPTY: SyncState = { lastPushAt: null, lastAttemptAt: null, failure: null, nextTryAt: null, lastFetchAt: null, lastFetchAttemptAt: null, fetchFailure: null, confirmedOwnTip: null, confirmedAt: null, confirmedHostId: null };

/** One repository's sync state file. */
export class SyncStateFile {
  private readonly file: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(gitDir: string) {
    this.file = path.join(gitDir, 'breakglass-outbox.json');
  }

  /** The state; a missing or unreadable file reads as a clean start (the backlog itself comes from git). */
  async read(): Promise<SyncState> {
    try {
      const parsed = SyncStateSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      /* first run, or unreadable: start clean */
    }
    return { ...EMPTY };
  }

  /** The last fetch's outcome. */
  async fetchState(): Promise<FetchState> {
    const p = await this.read();
    return { lastFetchAt: p.lastFetchAt, lastAttemptAt: p.lastFetchAttemptAt, failure: p.fetchFailure };
  }

  /**
   * Read-modify-write. Push and fetch both update the file; they run in one process and each write
   * is one rename, so the chain keeps one update from overwriting another's.
   */
  update(patch: Partial<SyncState>): Promise<void> {
    const next = this.chain.then(async () => this.write({ ...(await this.read()), ...patch }));
    this.chain = next.catch(() => {});
    return next;
  }

  private async write(p: SyncState): Promise<void> {
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(p));
    await fs.rename(tmp, this.file);
  }
}

/** The next failure of a run: the count goes on, and the run keeps its start while the kind stays the same. */
export function nextFailure(previous: SyncFailure | null, kind: SyncFailure['kind'], reason: string, at: string): SyncFailure {
  return { kind, reason, attempts: (previous?.attempts ?? 0) + 1, since: previous?.kind === kind ? previous.since : at };
}

/** The commit of `hostId`'s own ref the remote confirmed (issue 16), or null: none yet, or confirmed for another host id. */
export function confirmedTipOf(state: Pick<SyncState, 'confirmedOwnTip' | 'confirmedHostId'>, hostId: string | null): string | null {
  return hostId !== null && state.confirmedHostId === hostId ? state.confirmedOwnTip : null;
}
