import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { BreakGlassError } from '../../app/errors';
import type { LockRecovery } from '../../app/ports';

/**
 * The evidence writers' lock (issue 2): the console and any number of CLI processes on one host
 * serialise their appends through it. proper-lockfile provides the atomic mkdir lock, its mtime
 * refresh and stale takeover; on top of it an owner file names the holder, so a lock left by a
 * killed process is recovered as soon as its owner is gone (not only after the stale timeout),
 * and the recovery is reported so the caller can commit a `lock-recovered` record.
 */

const OwnerSchema = z.object({ pid: z.number().int(), host: z.string(), since: z.string(), procStart: z.string().nullable() }).strict();
type Owner = z.infer<typeof OwnerSchema>;

/** How long a writer waits for the lock before giving up with a clear error. */
export const DEFAULT_LOCK_WAIT_MS = 30_000;

/** Git lock files a killed git can leave behind; each blocks later commits until removed (issue 2). */
const GIT_LOCK_FILES = ['HEAD.lock', 'index.lock', 'packed-refs.lock', 'config.lock', 'shallow.lock'];

/** Start time of a process (Linux /proc), to tell a live owner from a reused pid. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the parenthesised command name, which may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: Owner): boolean {
  if (owner.host !== os.hostname()) return true; // Another host's lock (shared folder): only the stale timeout may take it over.
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(owner.pid);
  return !(start !== null && owner.procStart !== null && start !== owner.procStart);
}

/** A held writer lock. */
export interface HeldLock {
  recovered: LockRecovery | null;
  release(): Promise<void>;
}

/** The writer lock of one evidence repository, kept in its git directory. */
export class WriterLock {
  private readonly target: string;
  private readonly ownerFile: string;
  private readonly lockDir: string;

  constructor(private readonly gitDir: string, private readonly waitMs = DEFAULT_LOCK_WAIT_MS) {
    this.target = path.join(gitDir, 'breakglass-writer');
    this.lockDir = `${this.target}.lock`;
    this.ownerFile = `${this.target}.owner`;
  }

  /** Takes the lock, recovering it first when its owner is gone; throws evidence-not-committed after the wait. */
  async acquire(): Promise<HeldLock> {
    const deadline = Date.now() + this.waitMs;
    let delay = 5;
    let recovered: LockRecovery | null = null;
    for (;;) {
      try {
        const release = await lockfile.lock(this.target, {
          realpath: false,
          stale: 10_000,
          retries: 0,
          // A compromised lock means another writer may be appending too; the ref compare-and-swap
          // still keeps the ledger whole, so log and carry on rather than crash mid-commit.
          onCompromised: () => {},
        });
        const leftover = await this.readOwner();
        if (leftover && !recovered) {
          // proper-lockfile took over a stale lock whose owner file was never cleared.
          recovered = { previousOwner: pick(leftover), reason: 'stale lock taken over (owner stopped refreshing it)', gitLockFilesRemoved: await this.removeGitLocks() };
        }
        await this.writeOwner();
        return {
          recovered,
          release: async () => {
            await fs.rm(this.ownerFile, { force: true });
            await release().catch(() => {});
          },
        };
      } catch (e) {
        if ((e as { code?: string }).code !== 'ELOCKED') {
          throw new BreakGlassError('evidence-not-committed', `Cannot take the evidence lock in the repository: ${(e as Error).message}. Check that the evidence folder is writable.`, { cause: e });
        }
      }
      const r = await this.recoverIfOwnerGone();
      if (r) {
        recovered = r;
        continue;
      }
      if (Date.now() > deadline) {
        const owner = await this.readOwner();
        throw new BreakGlassError('evidence-not-committed', `Another writer has held the evidence lock for more than ${Math.round(this.waitMs / 1000)} s${owner ? ` (pid ${owner.pid} on ${owner.host} since ${owner.since})` : ''}. Nothing was recorded; retry when it finishes.`);
      }
      await new Promise((res) => setTimeout(res, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 200);
    }
  }

  private async readOwner(): Promise<Owner | null> {
    try {
      const parsed = OwnerSchema.safeParse(JSON.parse(await fs.readFile(this.ownerFile, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private async writeOwner(): Promise<void> {
    const owner: Owner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), procStart: processStart(process.pid) };
    const tmp = `${this.ownerFile}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(owner));
    await fs.rename(tmp, this.ownerFile);
  }

  /**
   * Removes a lock whose owner process is gone. Recoverers serialise through a second short lock,
   * and re-read the owner under it, so a live lock taken meanwhile is never removed.
   */
  private async recoverIfOwnerGone(): Promise<LockRecovery | null> {
    const seen = await this.readOwner();
    if (!seen || isAlive(seen)) return null;
    let releaseRecovery: () => Promise<void>;
    try {
      releaseRecovery = await lockfile.lock(path.join(this.gitDir, 'breakglass-recovery'), { realpath: false, stale: 5_000, retries: 0 });
    } catch {
      return null; // Someone else is recovering; wait and retry.
    }
    try {
      const owner = await this.readOwner();
      if (!owner || owner.pid !== seen.pid || owner.since !== seen.since || isAlive(owner)) return null;
      const gitLockFilesRemoved = await this.removeGitLocks();
      await fs.rm(this.ownerFile, { force: true });
      await fs.rm(this.lockDir, { recursive: true, force: true });
      return { previousOwner: pick(owner), reason: `writer process ${owner.pid} ended without releasing the lock`, gitLockFilesRemoved };
    } finally {
      await releaseRecovery().catch(() => {});
    }
  }

  /** Removes git's own lock files and temporary packs that a killed git left (only while we hold or recover our lock). */
  private async removeGitLocks(): Promise<string[]> {
    const removed: string[] = [];
    const tryRemove = async (rel: string) => {
      try {
        await fs.rm(path.join(this.gitDir, rel));
        removed.push(rel);
      } catch {
        /* not there */
      }
    };
    for (const f of GIT_LOCK_FILES) await tryRemove(f);
    const walk = async (rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(path.join(this.gitDir, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const child = `${rel}/${e.name}`;
        if (e.isDirectory()) await walk(child);
        else if (e.name.endsWith('.lock')) await tryRemove(child);
      }
    };
    await walk('refs/heads');
    try {
      for (const name of await fs.readdir(path.join(this.gitDir, 'objects/pack'))) {
        if (!name.startsWith('tmp_pack_') && !name.startsWith('tmp_idx_')) continue;
        // A fresh temporary pack may belong to a live fetch; a killed writer's is garbage, never a blocker.
        const stat = await fs.stat(path.join(this.gitDir, 'objects/pack', name)).catch(() => null);
        if (stat && Date.now() - stat.mtimeMs > 60_000) await tryRemove(`objects/pack/${name}`);
      }
    } catch {
      /* no pack dir yet */
    }
    return removed;
  }
}

function pick(owner: Owner): LockRecovery['previousOwner'] {
  return { pid: owner.pid, host: owner.host, since: owner.since };
}
