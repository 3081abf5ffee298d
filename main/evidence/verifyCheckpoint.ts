import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { IntegrityProblem } from '../../app/ledger';
import type { GitEvidenceStore } from './store';
import { CountColumn, IdsColumn, joinColumn, rowsOf, splitColumn } from './checkpointColumns';
import { carriedOfStored, storedCarried, StoredCarriedSchema, type Carried } from './verifyCarried';

/**
 * The checkpoint of the last verify (issue 18): what `breakglass verify` found up to the ref tips
 * it covered, keyed by their commit ids, so the next `verify` re-checks only what was added since.
 * Derived data beside the others (`<git dir>/breakglass-verified`), validated with zod when read;
 * anything unreadable or from another repository state is discarded and the verify is full.
 * `verify --full` never reads it.
 */

/** What verify reads of the store: the repository's git and refs, its cached view, and its derived caches to repair. */
export type VerifiedStore = Pick<GitEvidenceStore, 'dir' | 'git' | 'gitDir' | 'branch' | 'hostId' | 'objectFormat' | 'read' | 'readTips' | 'discardDerivedCaches'>;

const CommitId = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/);
const Problem = z.object({ sessionId: z.string().nullable(), seq: z.number().int().nullable(), path: z.string().nullable(), commit: z.string().nullable(), message: z.string() }).strict();
const State = z.object({ roster: z.string().nullable(), policy: z.string().nullable(), changedAt: z.number().int(), signedSeen: z.boolean() }).strict();

const Fields = {
  objectFormat: z.enum(['sha1', 'sha256']),
  branch: z.string(),
  hostId: z.string().nullable(),
  /** The trust anchor the verify was pinned to (`--anchor`), null when none. */
  pinned: CommitId.nullable(),
  /** The view's head at the checkpoint ("incremental from <head>"). */
  head: CommitId.nullable(),
  tips: z.array(z.object({ ref: z.string(), commit: CommitId }).strict()),
  /** Findings at the checkpoint: `session` ones are recomputed when their session gains records, the others carried forward. */
  problems: z.array(z.object({ problem: Problem, session: z.boolean() }).strict()),
  commitsChecked: z.number().int().nonnegative(),
  signatures: z.object({ roster: z.boolean(), anchor: CommitId.nullable(), proven: z.number().int(), claimed: z.number().int(), invalid: z.number().int() }).strict(),
  /** What the signature walk needs to go on from the tips: the rosters adopted, its order, the governed state at each tip, each session operator's keys. */
  governance: z.object({
    anchor: CommitId.nullable(),
    adopted: z.array(z.string()),
    order: z.number().int().nonnegative(),
    states: z.record(CommitId, State),
    operatorKeys: z.record(z.string(), z.array(z.string())),
  }).strict(),
};

/** The checkpoint as stored: the per-session tables as columns (verifyCarried.ts StoredCarriedSchema says why). */
const StoredSchema = z.object({
  version: z.literal(3),
  ...Fields,
  counts: z.object({ ids: IdsColumn, records: CountColumn }).strict(),
  carried: StoredCarriedSchema,
}).strict();

type Stored = z.infer<typeof StoredSchema>;
/** The checkpoint as verify uses it: records per session at the checkpoint (the counts of the next report), and what the checks every verify makes afresh go on from (verifyCarried.ts). */
export type Checkpoint = Omit<Stored, 'counts' | 'carried'> & { counts: Map<string, number>; carried: Carried };
export type CheckpointProblem = Checkpoint['problems'][number];
export type ResumeState = Checkpoint['governance'];

const FILE = 'breakglass-verified';

export function checkpointFile(gitDir: string): string {
  return path.join(gitDir, FILE);
}

/** The checkpoint, or why there is none to use (absent, unreadable, not valid). */
export async function readCheckpoint(gitDir: string): Promise<{ checkpoint: Checkpoint } | { reason: string }> {
  let text: string;
  try {
    text = await fs.readFile(checkpointFile(gitDir), 'utf8');
  } catch {
    return { reason: 'there is no checkpoint of an earlier verify yet' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { reason: 'the checkpoint file is not valid JSON' };
  }
  const parsed = StoredSchema.safeParse(json);
  const checkpoint = parsed.success ? fromStored(parsed.data) : null;
  return checkpoint ? { checkpoint } : { reason: 'the checkpoint file is not a valid checkpoint' };
}

/** The checkpoint of a validated stored one; null when its columns do not agree. */
function fromStored(s: Stored): Checkpoint | null {
  const ids = rowsOf(s.counts.ids);
  const records = splitColumn(s.counts.records, ids.length);
  const carried = carriedOfStored(s.carried);
  if (!records || !carried) return null;
  const counts = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) counts.set(ids[i]!, Number(records[i]));
  return counts.size === ids.length ? { ...s, counts, carried } : null;
}

/** Writes the checkpoint atomically (a temporary file renamed over it); a read-only repository simply keeps none. */
export async function writeCheckpoint(gitDir: string, checkpoint: Checkpoint): Promise<void> {
  const file = checkpointFile(gitDir);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const stored = toStored(checkpoint);
    // A value a column cannot hold (a newline in a session id): no checkpoint, and the next verify is full.
    if (!stored) return await fs.rm(file, { force: true });
    await fs.writeFile(tmp, JSON.stringify(stored));
    await fs.rename(tmp, file);
  } catch {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

function toStored(c: Checkpoint): Stored | null {
  const ids = [...c.counts.keys()];
  const idsColumn = joinColumn(ids);
  const carried = storedCarried(c.carried);
  if (idsColumn === null || ids.includes('') || !carried) return null;
  return { ...c, counts: { ids: idsColumn, records: [...c.counts.values()].join('\n') }, carried };
}

/** A finding's identity for carrying forward: everything but the commit (unknown for records read again from an earlier part). */
export function problemKey(p: IntegrityProblem): string {
  return JSON.stringify([p.sessionId, p.seq, p.path, p.message]);
}
