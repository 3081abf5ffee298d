import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { PolicySchema } from '../../app/policy';
import { EvidenceRecordSchema } from '../../app/records';
import type { LedgerEntry, LedgerView, PolicyInForce } from '../../app/ports';
import { viewIdOf } from './layout';
import { sortEntries } from './recordParse';

/**
 * This host's open slice of a ledger view (issue 18): the commands that need one session (`env`,
 * `status`) read it instead of every record. It is the view restricted to the sessions this host
 * declared that have no `closed` record yet (active, or expired awaiting closure) and to every
 * host's journal (witness statements, acknowledgements, the clock records of issue 16), with the
 * view's tips, policy in force, unreadable records, path conflicts and roster blob.
 *
 * Derived data beside the repository (`<git dir>/breakglass-open`), like the record cache: written
 * by whichever process holds the whole view, valid only for exactly the refs it was made from (its
 * view id covers every ref's commit), so any ref that moved — another host's fetched, this host's
 * own by another process — sends the reader back to the whole view. `verify` never reads it.
 */

const ProblemSchema = z.object({ file: z.string(), field: z.string(), line: z.number().nullable(), message: z.string() }).strict();

const PolicyInForceSchema = z.union([
  z.object({
    ok: z.literal(true), policy: PolicySchema, sha256: z.string(), source: z.enum(['repository', 'built-in']),
    rejected: z.object({ problems: z.array(ProblemSchema), sha256: z.string() }).strict().optional(),
    notInForce: z.object({ sha256: z.string(), reason: z.string() }).strict().optional(),
  }).strict(),
  z.object({ ok: z.literal(false), problems: z.array(ProblemSchema), sha256: z.string() }).strict(),
]);

const EntrySchema = z.object({ record: EvidenceRecordSchema, commit: z.string(), path: z.string() }).strict();

const SliceSchema = z.object({
  version: z.literal(1),
  hostId: z.string(),
  viewId: z.string(),
  head: z.string().nullable(),
  branch: z.string(),
  tips: z.array(z.object({ ref: z.string(), commit: z.string(), hostId: z.string().nullable(), organisation: z.boolean() }).strict()),
  sessions: z.array(z.tuple([z.string(), z.array(EntrySchema)])),
  unreadable: z.array(z.object({ path: z.string(), blob: z.string(), message: z.string() }).strict()),
  conflicts: z.array(z.object({ path: z.string(), shown: z.string(), copies: z.array(z.object({ ref: z.string(), blob: z.string() }).strict()) }).strict()),
  policy: PolicyInForceSchema,
  /** The roster in force (its blob id; null: none). */
  roster: z.string().nullable(),
}).strict();

/** A view's open slice for one host, and the roster blob in force with it. */
export interface OpenSlice {
  view: LedgerView;
  roster: string | null;
}

/** True for the sessions the slice keeps: every journal, and this host's sessions not closed. */
export function keptInSlice(sessionId: string, entries: readonly LedgerEntry[], hostId: string): boolean {
  if (sessionId.startsWith('journal-')) return true;
  const declared = entries[0]?.record;
  return declared?.type === 'declared' && declared.host.id === hostId && !entries.some((e) => e.record.type === 'closed');
}

/** The file's text for `view` (which must carry its view id). */
function sliceText(view: LedgerView, hostId: string, roster: string | null): string | null {
  if (!view.viewId) return null;
  const sessions: Array<[string, readonly LedgerEntry[]]> = [];
  for (const [id, entries] of view.sessions) if (keptInSlice(id, entries, hostId)) sessions.push([id, entries]);
  return JSON.stringify({
    version: 1, hostId, viewId: view.viewId, head: view.head, branch: view.branch, tips: view.tips ?? [], sessions,
    unreadable: view.unreadable, conflicts: view.conflicts ?? [], policy: view.policy, roster,
  });
}

/** Keeps `<git dir>/breakglass-open` in step with the whole view one process holds. */
export class OpenSliceFile {
  /** The view id last written or read (nothing is rewritten while it stays the same). */
  private known: string | null = null;

  constructor(private readonly file: string, private readonly hostId: string) {}

  /** Writes the slice of `view` unless it is the one already there; never fails (derived data only). */
  async save(view: LedgerView, roster: string | null): Promise<void> {
    if (!view.viewId || view.viewId === this.known) return;
    const text = sliceText(view, this.hostId, roster);
    if (text === null) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await fs.writeFile(tmp, text, { mode: 0o600 });
      await fs.rename(tmp, this.file);
      this.known = view.viewId;
    } catch {
      await fs.rm(tmp, { force: true }).catch(() => {});
    }
  }

  /** The slice made from exactly the refs of `viewId`, or null (absent, unreadable, another host's, or older refs). */
  async load(viewId: string | null): Promise<OpenSlice | null> {
    if (viewId === null) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(await fs.readFile(this.file, 'utf8'));
    } catch {
      return null;
    }
    const parsed = SliceSchema.safeParse(raw);
    if (!parsed.success || parsed.data.viewId !== viewId || parsed.data.hostId !== this.hostId) return null;
    const s = parsed.data;
    this.known = s.viewId;
    const view: LedgerView = {
      head: s.head, viewId: s.viewId, branch: s.branch, tips: s.tips, sessions: new Map(s.sessions), unreadable: s.unreadable,
      conflicts: s.conflicts, policy: s.policy as PolicyInForce,
    };
    return { view, roster: s.roster };
  }
}

/** The view after `entry` was committed on `ref` (which the view has): the record in its session, the ref at its commit. */
export function withRecord(view: LedgerView, ref: string, entry: LedgerEntry): LedgerView {
  const sessions = new Map(view.sessions);
  sessions.set(entry.record.sessionId, sortEntries([...(sessions.get(entry.record.sessionId) ?? []), entry]));
  const tips = (view.tips ?? []).map((t) => (t.ref === ref ? { ...t, commit: entry.commit } : t));
  return { ...view, head: entry.commit, viewId: viewIdOf(tips) ?? undefined, tips, sessions } as LedgerView;
}
