import { z } from 'zod';
import { ackInputsOf, commanderAcks, type AckJudge, type CommanderAck, type SessionAckInputs } from '../../app/acknowledgement';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerEntry, LedgerView } from '../../app/ports';
import type { RecordOf } from '../../app/records';
import { claimsIn, witnessClaims } from '../../app/witness';
import type { Git } from '../git';
import { readBlobs } from './blobs';
import { IdsColumn, joinColumn, rowsOf, splitColumn, TextColumn } from './checkpointColumns';
import { parseRecordText } from './recordParse';

/**
 * What a verify checkpoint carries for the checks every verify makes afresh (issue 16, issue 18):
 * the acknowledgements and the witnesses depend on the clock and on statements other hosts add at
 * any time, so they are judged again on every verify, but from inputs carried here rather than
 * from a read of the whole ledger. Each session's acknowledgement inputs (its declaration's and
 * closing's codes, the operator's typed responses), every commander's acknowledgement as judged
 * against the roster in force, every witness claim, and the rules of the policy in force. Records
 * are append-only (a changed or removed record is a finding of the part before, and a change of the
 * roster or policy makes the checkpoint unusable), so what was carried stays true; what the
 * commits since add to a session or a journal is added to it.
 */

const Event = z.enum(['declared', 'closed']);
const Ack = z.object({
  record: z.object({
    sessionId: z.string(), seq: z.number().int(), at: z.string(),
    actor: z.object({ name: z.string(), email: z.string() }).strict(),
    payload: z.object({ event: Event, challenge: z.string(), response: z.string() }).strict(),
  }).strict(),
  commit: z.string(), path: z.string(), invalid: z.string().nullable(),
}).strict();
const Claim = z.object({
  host: z.string(), commit: z.string(), records: z.number().int(), witnessHost: z.string(), witness: z.string(), at: z.string(),
  via: z.enum(['fetch', 'command']), path: z.string(), statementCommit: z.string(),
}).strict();

const Fields = {
  /** The roster blob in force (the commanders' keys), null: none. */
  roster: z.string().nullable(),
  /** The policy's rules the afresh checks apply. */
  rules: z.object({ acknowledgement: z.object({ declared: z.enum(['before-actions', 'within', 'optional']), withinMinutes: z.number().int() }).strict(), clockSkewToleranceSeconds: z.number().int() }).strict(),
  acks: z.array(Ack),
  claims: z.array(Claim),
  /** The claims (`host\ncommit`) found contained in their host's refs at the checkpoint (verifyWitnesses.ts). */
  contained: z.array(z.string()),
};

/**
 * The same on disk (issue 18): the sessions' inputs as columns (checkpointColumns.ts), one row per
 * session ('' for a code not known), and the operator's typed responses (few) by row.
 */
export const StoredCarriedSchema = z.object({
  ...Fields,
  sessions: z.object({
    ids: IdsColumn,
    declaredAt: TextColumn,
    declared: TextColumn,
    closed: TextColumn,
    typed: z.array(z.object({ row: z.number().int().nonnegative(), seq: z.number().int(), event: Event, challenge: z.string(), response: z.string() }).strict()),
  }).strict(),
}).strict();

export type StoredCarried = z.infer<typeof StoredCarriedSchema>;
/** The carried inputs as verify uses them: each session's acknowledgement inputs by session id. */
export type Carried = Omit<StoredCarried, 'sessions'> & { sessions: Map<string, SessionAckInputs> };
export type CarriedRules = Carried['rules'];

/** The carried inputs as stored (see StoredCarriedSchema); null when a value cannot be stored in a column. */
export function storedCarried(c: Carried): StoredCarried | null {
  const n = c.sessions.size;
  const ids: string[] = new Array(n);
  const declaredAt: string[] = new Array(n);
  const declared: string[] = new Array(n);
  const closed: string[] = new Array(n);
  const typed: StoredCarried['sessions']['typed'] = [];
  let row = 0;
  for (const [id, i] of c.sessions) {
    ids[row] = id;
    declaredAt[row] = i.declaredAt;
    declared[row] = i.challenges.declared ?? '';
    closed[row] = i.challenges.closed ?? '';
    for (const t of i.typed) typed.push({ row, seq: t.seq, event: t.event, challenge: t.challenge, response: t.response });
    row += 1;
  }
  const columns = [joinColumn(ids), joinColumn(declaredAt), joinColumn(declared), joinColumn(closed)] as const;
  if (columns.some((x) => x === null) || ids.includes('')) return null;
  return { ...c, sessions: { ids: columns[0]!, declaredAt: columns[1]!, declared: columns[2]!, closed: columns[3]!, typed } };
}

/** The carried inputs of a validated stored form; null when its columns do not agree (then it is no checkpoint). */
export function carriedOfStored(s: StoredCarried): Carried | null {
  const ids = rowsOf(s.sessions.ids);
  const declaredAt = splitColumn(s.sessions.declaredAt, ids.length);
  const declared = splitColumn(s.sessions.declared, ids.length);
  const closed = splitColumn(s.sessions.closed, ids.length);
  if (!declaredAt || !declared || !closed) return null;
  const sessions = new Map<string, SessionAckInputs>();
  const rows: SessionAckInputs[] = new Array(ids.length);
  for (let row = 0; row < ids.length; row++) {
    const inputs: SessionAckInputs = { declaredAt: declaredAt[row]!, challenges: { declared: declared[row] || null, closed: closed[row] || null }, typed: [] };
    rows[row] = inputs;
    sessions.set(ids[row]!, inputs);
  }
  if (sessions.size !== ids.length) return null;
  for (const t of s.sessions.typed) {
    const inputs = rows[t.row];
    if (!inputs) return null;
    inputs.typed.push({ seq: t.seq, event: t.event, challenge: t.challenge, response: t.response });
  }
  return { ...s, sessions };
}

function compactAck(a: CommanderAck): Carried['acks'][number] {
  const r = a.record;
  return { record: { sessionId: r.sessionId, seq: r.seq, at: r.at, actor: { name: r.actor.name, email: r.actor.email }, payload: { event: r.payload.event, challenge: r.payload.challenge, response: r.payload.response } }, commit: a.commit, path: a.path, invalid: a.invalid };
}

/** The rules of the view's policy (the default policy's when it has none valid). */
export function rulesOf(view: LedgerView): CarriedRules {
  const p = view.policy.ok ? view.policy.policy : DEFAULT_POLICY;
  return { acknowledgement: { declared: p.acknowledgement.declared, withinMinutes: p.acknowledgement.withinMinutes }, clockSkewToleranceSeconds: p.clockSkewToleranceSeconds };
}

/** What a full verify's view gives the checkpoint. */
export function carriedOf(view: LedgerView, roster: string | null, judge: AckJudge, contained: string[]): Carried {
  const sessions = new Map<string, SessionAckInputs>();
  for (const [id, entries] of view.sessions) {
    if (id.startsWith('journal-')) continue;
    const inputs = ackInputsOf(entries);
    if (inputs) sessions.set(id, inputs);
  }
  const acks = [...commanderAcks(view, judge).values()].flat().map(compactAck);
  return { roster, rules: rulesOf(view), sessions, acks, claims: witnessClaims(view).map((c) => ({ ...c })), contained };
}

/**
 * The carried inputs brought up to date with the sessions an incremental verify read again
 * (`touched`: every record of each, with its adding commit where it was added since, '' before):
 * a session's inputs are computed again, keeping the carried code of an event whose commit is not
 * known here; a journal's acknowledgements and witness statements not carried yet are added.
 * `judge` is asked only when a journal gained an acknowledgement.
 */
export async function carryForward(c: Carried, touched: ReadonlyMap<string, readonly LedgerEntry[]>, judge: () => Promise<AckJudge>): Promise<Carried> {
  const sessions = new Map(c.sessions);
  const acks = [...c.acks];
  const claims = [...c.claims];
  const ackPaths = new Set(acks.map((a) => a.path));
  const claimPaths = new Set(claims.map((x) => x.path));
  let judgeOf: AckJudge | null = null;
  for (const [id, entries] of touched) {
    if (!id.startsWith('journal-')) {
      const fresh = ackInputsOf(entries);
      const before = sessions.get(id);
      if (!fresh) sessions.delete(id);
      else sessions.set(id, { ...fresh, challenges: { declared: fresh.challenges.declared ?? before?.challenges.declared ?? null, closed: fresh.challenges.closed ?? before?.challenges.closed ?? null } });
      continue;
    }
    for (const e of entries) {
      if (e.record.type === 'acknowledgement' && !ackPaths.has(e.path)) {
        judgeOf ??= await judge();
        const record = e.record as RecordOf<'acknowledgement'>;
        acks.push(compactAck({ record, commit: e.commit, path: e.path, invalid: judgeOf(record) }));
      }
    }
    claims.push(...claimsIn(entries.filter((e) => e.record.type === 'witnessed' && !claimPaths.has(e.path))));
  }
  return { ...c, sessions, acks, claims };
}

/** The carried commanders' acknowledgements by challenge, as the states read them. */
export function acksByChallenge(c: Carried): Map<string, CommanderAck[]> {
  const out = new Map<string, CommanderAck[]>();
  for (const a of c.acks) out.set(a.record.payload.challenge, [...(out.get(a.record.payload.challenge) ?? []), a]);
  return out;
}

/**
 * The records the given commits added, read from git's objects (one `diff-tree --stdin`, one
 * `cat-file --batch`): what the witness check reads of records after a witnessed commit when no
 * view of the whole ledger was read. A file that is no record is left out (the history checks name it).
 */
export async function recordsAddedBy(git: Git, commits: ReadonlySet<string>): Promise<LedgerEntry[]> {
  if (commits.size === 0) return [];
  const out = await git.text('verify-records-of-commits', ['diff-tree', '--stdin', '-r', '--no-renames', '--no-abbrev', '--root', '--', 'sessions', 'journal'], { input: `${[...commits].join('\n')}\n` });
  const added: Array<{ commit: string; blob: string; path: string }> = [];
  let commit = '';
  for (const line of out.split('\n')) {
    if (!line.startsWith(':')) {
      if (line) commit = line.trim();
      continue;
    }
    const [meta, path] = line.split('\t');
    const f = meta!.split(' ');
    if (f[4] === 'A' && path) added.push({ commit, blob: f[3]!, path });
  }
  const texts = await readBlobs(git, [...new Set(added.map((a) => a.blob))]);
  const entries: LedgerEntry[] = [];
  for (const a of added) {
    const parsed = parseRecordText(texts.get(a.blob));
    if (parsed.record) entries.push({ record: parsed.record, commit: a.commit, path: a.path });
  }
  return entries;
}
