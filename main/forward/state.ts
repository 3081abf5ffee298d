import { promises as fs } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import type { ForwardCursor } from '../../app/forwarding/ports';
import { FORWARD_ERROR_KINDS, type ForwardErrorKind } from './errors';

/**
 * Each destination's cursor (issue 19, "the ledger is the outbox"): the last record it
 * acknowledged, plus the declarations sent ahead of the backlog, the last checkpoint and the
 * failure being retried. One JSON file per destination in the host's state folder, written
 * atomically (temporary file, fsync, rename, fsync of the folder) so a crash leaves the old
 * cursor or the new one, never a torn file; validated with zod on read. The records themselves
 * are never here: the backlog is derived from the ledger.
 */

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const Commit = z.string().regex(/^[0-9a-f]{40,64}$/);
const Instant = z.string().datetime();

const CursorSchema = z.object({ hash: Hex64, commit: Commit, position: z.number().int().min(1) }).strict();

const FailureSchema = z.object({
  kind: z.enum(Object.keys(FORWARD_ERROR_KINDS) as [ForwardErrorKind, ...ForwardErrorKind[]]),
  reason: z.string().max(2000),
  since: Instant,
  attempts: z.number().int().min(1),
  lastAttemptAt: Instant,
}).strict();

/** What is kept per destination. */
export const DestinationStateSchema = z.object({
  v: z.literal(1),
  /** The destination's fingerprint (kind, address): a new receiver starts from the first record. */
  fingerprint: z.string().max(4096),
  cursor: CursorSchema.nullable(),
  /** The record time of the cursor's record. */
  cursorRecordAt: Instant.nullable(),
  /** When the cursor last moved (delivered up to when). */
  deliveredAt: Instant.nullable(),
  /** Hashes of declarations after the cursor that were already sent ahead of the backlog. */
  ahead: z.array(Hex64).max(1000),
  lastCheckpoint: z.object({ at: Instant, commit: Commit.nullable() }).strict().nullable(),
  failure: FailureSchema.nullable(),
  nextTryAt: Instant.nullable(),
  /** Why the cursor started again from the first record, if it did. */
  restarted: z.object({ at: Instant, reason: z.string().max(2000) }).strict().nullable(),
}).strict();

/** A destination's state. */
export type DestinationState = z.infer<typeof DestinationStateSchema>;

/** The state of a destination nothing was sent to yet. */
export function freshState(fingerprint: string): DestinationState {
  return { v: 1, fingerprint, cursor: null, cursorRecordAt: null, deliveredAt: null, ahead: [], lastCheckpoint: null, failure: null, nextTryAt: null, restarted: null };
}

/** The cursor advanced to `cursor`, unless the stored one is already further (another process delivered more). */
export function furthest(a: ForwardCursor | null, b: ForwardCursor | null): ForwardCursor | null {
  if (!a) return b;
  if (!b) return a;
  return b.position > a.position ? b : a;
}

/** The state files of one evidence repository's host. */
export class ForwardStateStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  /**
   * Reads a destination's state. A missing file, one for another fingerprint, or one that does not
   * validate gives a fresh state (everything is sent again: at-least-once, receivers drop
   * duplicates by event id) with the reason in `restarted`.
   */
  async read(id: string, fingerprint: string, nowIso: string): Promise<DestinationState> {
    let text: string;
    try {
      text = await fs.readFile(this.file(id), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return freshState(fingerprint);
      throw e;
    }
    let parsed: DestinationState | null;
    try {
      const r = DestinationStateSchema.safeParse(JSON.parse(text));
      parsed = r.success ? r.data : null;
    } catch {
      parsed = null;
    }
    if (!parsed) return { ...freshState(fingerprint), restarted: { at: nowIso, reason: 'the forwarding state file was unreadable; every record is sent again' } };
    if (parsed.fingerprint !== fingerprint) return { ...freshState(fingerprint), restarted: { at: nowIso, reason: 'the destination\'s address changed in the policy; every record is sent to the new receiver' } };
    return parsed;
  }

  /** Writes a destination's state atomically (temp file + fsync + rename + fsync of the folder). */
  async write(id: string, state: DestinationState): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.file(id);
    const tmp = `${target}.${process.pid}.tmp`;
    const handle = await fs.open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(DestinationStateSchema.parse(state), null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
    const folder = await fs.open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  /**
   * Takes the destination's delivery lock (one process on the host delivers to a destination at a
   * time, so the console and the CLI never send the same record twice); null when another process
   * holds it. A lock left by a killed process is taken over once it is stale (4 s without refresh).
   */
  async tryLock(id: string): Promise<(() => Promise<void>) | null> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      const release = await lockfile.lock(this.file(id), { realpath: false, stale: 4_000, update: 1_000, retries: 0, onCompromised: () => {} });
      return async () => {
        await release().catch(() => {});
      };
    } catch (e) {
      if ((e as { code?: string }).code === 'ELOCKED') return null;
      throw e;
    }
  }
}
