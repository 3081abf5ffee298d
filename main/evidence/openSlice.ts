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
  const sessions = [...keptSessions(view.sessions, hostId)];
  return JSON.stringify({
    version: 1, hostId, viewId: view.viewId, head: view.head, branch: view.branch, tips: view.tips ?? [], sessions,
    unreadable: view.unreadable, conflicts: view.conflicts ?? [], policy: view.policy, roster,
  });
}

/**
 * One record appended after the slice's first line: the view it follows (`from`), the ref it was
 * committed on, the entry, and the view id that results. A line that does not follow the view
 * built so far ends the slice there (another process rewrote the file meanwhile, or a torn write).
 */
const AppendedSchema = z.object({ from: z.string(), ref: z.string(), entry: EntrySchema, viewId: z.string() }).strict();

/**
 * Keeps `<git dir>/breakglass-open` in step with the whole view one process holds.
 *
 * The first line is a whole slice; each record committed since is one line after it, so a write
 * costs the size of its record, not of the slice. A governed shell commits a 256 KiB chunk every
 * 256 KiB of output into a session the slice keeps: rewriting the whole slice each time wrote the
 * session's whole recording again per chunk (a 10 MB `cat` in the console took 3–5 s, growing with
 * every one after it). The file is rewritten whole when the lines after the first outgrow it
 * (amortised: every byte is written a bounded number of times), and whenever the view was read
 * afresh rather than extended by a record.
 */
export class OpenSliceFile {
  /** The view id the file describes, as this process last wrote or read it (nothing is rewritten while it stays the same). */
  private known: string | null = null;
  /** Bytes of the file's first line and of the lines after it, as this process wrote them. */
  private baseBytes = 0;
  private tailBytes = 0;
  /** The roster blob the file's first line carries. */
  private roster: string | null = null;

  constructor(private readonly file: string, private readonly hostId: string) {}

  /** Writes the slice of `view` unless it is the one already there; never fails (derived data only). */
  async save(view: LedgerView, roster: string | null): Promise<void> {
    if (!view.viewId || view.viewId === this.known) return;
    const text = sliceText(view, this.hostId, roster);
    if (text === null) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await fs.writeFile(tmp, `${text}\n`, { mode: 0o600 });
      await fs.rename(tmp, this.file);
      this.known = view.viewId;
      this.baseBytes = Buffer.byteLength(text) + 1;
      this.tailBytes = 0;
      this.roster = roster;
    } catch {
      this.known = null;
      await fs.rm(tmp, { force: true }).catch(() => {});
    }
  }

  /**
   * Brings the file from the view `from` to `view`, which is `from` with `entry` committed on
   * `ref`: one line appended when the file is at `from` (as far as this process knows; a reader
   * checks), else the whole slice of `view` written. Never fails (derived data only).
   */
  async saveAppended(from: string | null | undefined, ref: string, entry: LedgerEntry, view: LedgerView, roster: string | null): Promise<void> {
    if (!view.viewId || view.viewId === this.known) return;
    const appendable = from != null && from === this.known && roster === this.roster && (view.tips ?? []).some((t) => t.ref === ref) && this.tailBytes <= Math.max(this.baseBytes, 1024 * 1024);
    if (!appendable) return this.save(view, roster);
    const line = `${JSON.stringify({ from, ref, entry, viewId: view.viewId })}\n`;
    try {
      await fs.appendFile(this.file, line, { mode: 0o600 });
      this.known = view.viewId;
      this.tailBytes += Buffer.byteLength(line);
    } catch {
      this.known = null;
    }
  }

  /** The slice made from exactly the refs of `viewId`, or null (absent, unreadable, another host's, or older refs). */
  async load(viewId: string | null): Promise<OpenSlice | null> {
    if (viewId === null) return null;
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return null;
    }
    const firstEnd = text.indexOf('\n');
    let raw: unknown;
    try {
      raw = JSON.parse(firstEnd < 0 ? text : text.slice(0, firstEnd));
    } catch {
      return null;
    }
    const parsed = SliceSchema.safeParse(raw);
    if (!parsed.success || parsed.data.hostId !== this.hostId) return null;
    const s = parsed.data;
    let view: LedgerView = {
      head: s.head, viewId: s.viewId, branch: s.branch, tips: s.tips, sessions: new Map(s.sessions), unreadable: s.unreadable,
      conflicts: s.conflicts, policy: s.policy as PolicyInForce,
    };
    const baseBytes = firstEnd < 0 ? Buffer.byteLength(text) : Buffer.byteLength(text.slice(0, firstEnd + 1));
    let tailBytes = 0;
    // The records appended since, in order, each checked to follow the view built so far and to
    // give the view id it says; a line that does not (torn, or for another first line) ends it.
    for (let start = firstEnd + 1; firstEnd >= 0 && start < text.length && view.viewId !== viewId; ) {
      const end = text.indexOf('\n', start);
      if (end < 0) break;
      const lineText = text.slice(start, end);
      start = end + 1;
      let line: z.infer<typeof AppendedSchema>;
      try {
        const checked = AppendedSchema.safeParse(JSON.parse(lineText));
        if (!checked.success) break;
        line = checked.data;
      } catch {
        break;
      }
      if (line.from !== view.viewId || !(view.tips ?? []).some((t) => t.ref === line.ref)) break;
      const next = withRecord(view, line.ref, line.entry);
      if (next.viewId !== line.viewId) break;
      view = { ...next, sessions: keptSessions(next.sessions, this.hostId) };
      tailBytes += Buffer.byteLength(lineText) + 1;
    }
    if (view.viewId !== viewId) return null;
    this.known = viewId;
    this.baseBytes = baseBytes;
    this.tailBytes = tailBytes;
    this.roster = s.roster;
    return { view, roster: s.roster };
  }
}

/** The sessions a slice keeps (a `closed` record takes this host's session out of it). */
function keptSessions(sessions: ReadonlyMap<string, readonly LedgerEntry[]>, hostId: string): Map<string, readonly LedgerEntry[]> {
  const out = new Map<string, readonly LedgerEntry[]>();
  for (const [id, entries] of sessions) if (keptInSlice(id, entries, hostId)) out.set(id, entries);
  return out;
}

/** The view after `entry` was committed on `ref` (which the view has): the record in its session, the ref at its commit. */
export function withRecord(view: LedgerView, ref: string, entry: LedgerEntry): LedgerView {
  const sessions = new Map(view.sessions);
  sessions.set(entry.record.sessionId, sortEntries([...(sessions.get(entry.record.sessionId) ?? []), entry]));
  const tips = (view.tips ?? []).map((t) => (t.ref === ref ? { ...t, commit: entry.commit } : t));
  return { ...view, head: entry.commit, viewId: viewIdOf(tips) ?? undefined, tips, sessions } as LedgerView;
}
