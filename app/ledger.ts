import { computeRecordHash } from './chain';
import { verifyChainClock } from './clock';
import { foldSession, stateAt, type SessionFacts, type SessionState } from './lifecycle';
import type { ClockReading } from './clock';
import { controlsFor, isChainRecord, parseRecordPath, RECORD_SCHEMA_VERSION, type EvidenceRecord, type UnsealedRecord } from './records';
import type { LedgerEntry, LedgerView } from './ports';

/** Seals a record onto its session's chain: seq, prev (hash of the previous record), control tags, own hash. */
export function sealRecord(previous: readonly LedgerEntry[] | undefined, unsealed: UnsealedRecord): EvidenceRecord {
  const last = previous?.[previous.length - 1]?.record;
  // Field order is for people reading the JSON in git; the hash is over the canonical form, so order never matters to it.
  const withChain = {
    v: RECORD_SCHEMA_VERSION,
    sessionId: unsealed.sessionId,
    seq: (last?.seq ?? 0) + 1,
    type: unsealed.type,
    at: unsealed.at,
    ...(unsealed.boot === undefined ? {} : { boot: unsealed.boot }),
    host: unsealed.host,
    actor: unsealed.actor,
    controls: controlsFor(unsealed.type),
    redactions: unsealed.redactions,
    ...(unsealed.redactionKinds === undefined || unsealed.redactions === 0 ? {} : { redactionKinds: unsealed.redactionKinds }),
    prev: last?.hash ?? null,
    payload: unsealed.payload,
  };
  return { ...withChain, hash: computeRecordHash(withChain) } as EvidenceRecord;
}

/**
 * How the `layout-migrated` journal note begins (issue 14): a host's first record on its own ref
 * when it wrote on the shared branch before. verify finds the move by it.
 */
export const LAYOUT_MIGRATED = 'layout-migrated (issue 14):';

/** One integrity problem, addressed by session, record and commit (issue 2, `verify`). */
export interface IntegrityProblem {
  sessionId: string | null;
  seq: number | null;
  path: string | null;
  commit: string | null;
  message: string;
}

/**
 * Checks what can be checked from the records alone: schema, path, seq, chain links and hashes,
 * lifecycle order, and that no two refs hold different copies of one record (issue 14).
 */
export function verifyLedgerRecords(view: LedgerView): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  for (const c of view.conflicts ?? []) {
    const parsed = parseRecordPath(c.path);
    const refs = c.copies.map((x) => `${x.ref.replace(/^refs\//, '')} (blob ${x.blob.slice(0, 12)})`).join(', ');
    problems.push({ sessionId: parsed?.sessionId ?? null, seq: parsed?.seq ?? null, path: c.path, commit: null, message: `Refs hold different copies of this record: ${refs}; the copy of ${c.shown.replace(/^refs\//, '')} is shown.` });
  }
  for (const u of view.unreadable) {
    const parsed = parseRecordPath(u.path);
    problems.push({ sessionId: parsed?.sessionId ?? null, seq: parsed?.seq ?? null, path: u.path, commit: null, message: `Unreadable record: ${u.message}` });
  }
  for (const [sessionId, entries] of view.sessions) problems.push(...verifySessionEntries(sessionId, entries));
  return problems;
}

/** One session's checks from its records alone (the session page's and the report's chain result). */
export function verifySessionEntries(sessionId: string, entries: readonly LedgerEntry[]): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  const chain = entries.filter((e) => isChainRecord(e.record));
  let prevHash: string | null = null;
  chain.forEach((entry, i) => {
    const r = entry.record;
    const at = { sessionId, seq: r.seq, path: entry.path, commit: entry.commit };
    if (r.sessionId !== sessionId) problems.push({ ...at, message: `Record names session ${r.sessionId} but is filed under ${sessionId}.` });
    const fromPath = parseRecordPath(entry.path);
    if (!fromPath || fromPath.reviewerHost !== undefined || fromPath.sessionId !== r.sessionId || fromPath.seq !== r.seq || fromPath.type !== r.type) {
      problems.push({ ...at, message: `File name does not match the record (session ${r.sessionId}, seq ${r.seq}, type ${r.type}).` });
    }
    if (r.seq !== i + 1) problems.push({ ...at, message: `Sequence gap or reorder: expected seq ${i + 1}, found ${r.seq}.` });
    const recomputed = computeRecordHash(r as unknown as Record<string, unknown>);
    if (recomputed !== r.hash) problems.push({ ...at, message: `Record content does not match its hash (changed after sealing).` });
    if (r.prev !== prevHash) {
      problems.push({ ...at, message: i === 0 ? 'First record of the session must have no predecessor.' : `Chain broken: prev does not match the hash of seq ${i}.` });
    }
    prevHash = r.hash;
  });
  // Issue 16: wall time never goes back along the chain, nor the boot clock within a boot.
  problems.push(...verifyChainClock(sessionId, chain));
  problems.push(...verifyReviewsOutsideChain(sessionId, entries));
  if (!sessionId.startsWith('journal-') && entries.length > 0) {
    try {
      foldSession(entries.map((e) => e.record));
    } catch (e) {
      problems.push({ sessionId, seq: null, path: null, commit: null, message: (e as Error).message });
    }
  }
  return problems;
}

/**
 * Reviews filed on the reviewers' hosts (issue 14): each reviewer host numbers its own reviews of
 * a session and links them (seq, prev), and each names the hash of the session's closing record.
 */
function verifyReviewsOutsideChain(sessionId: string, entries: readonly LedgerEntry[]): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  const closed = entries.find((e) => e.record.type === 'closed' && isChainRecord(e.record))?.record.hash ?? null;
  const byHost = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    if (isChainRecord(e.record)) continue;
    const list = byHost.get(e.record.host.id) ?? [];
    list.push(e);
    byHost.set(e.record.host.id, list);
  }
  for (const [hostId, list] of byHost) {
    let prev: string | null = null;
    [...list].sort((a, b) => a.record.seq - b.record.seq).forEach((entry, i) => {
      const r = entry.record;
      const at = { sessionId, seq: r.seq, path: entry.path, commit: entry.commit };
      const fromPath = parseRecordPath(entry.path);
      if (r.sessionId !== sessionId || !fromPath || fromPath.sessionId !== sessionId || fromPath.reviewerHost !== hostId || fromPath.seq !== r.seq) {
        problems.push({ ...at, message: `File name does not match the review (session ${r.sessionId}, reviewer host ${hostId}, review ${r.seq}).` });
      }
      if (r.seq !== i + 1) problems.push({ ...at, message: `Review numbering gap or reorder on host ${hostId}: expected review ${i + 1}, found ${r.seq}.` });
      if (computeRecordHash(r as unknown as Record<string, unknown>) !== r.hash) problems.push({ ...at, message: 'Record content does not match its hash (changed after sealing).' });
      if (r.prev !== prev) problems.push({ ...at, message: `Review chain of host ${hostId} broken: prev does not match the hash of its review ${i}.` });
      const reviews = r.type === 'reviewed' ? r.payload.reviews : undefined;
      if (reviews !== closed) problems.push({ ...at, message: closed === null ? 'Review of a session that has no closing record.' : 'The review names a closing record that is not this session\'s.' });
      prev = r.hash;
    });
  }
  return problems;
}

/** A session's facts with its evidence (the entries), for views and reports. */
export interface SessionSummary {
  facts: SessionFacts;
  entries: readonly LedgerEntry[];
}

/**
 * Folds are memoised by the identity of a session's entries array: the store replaces the array
 * of a session that changed and keeps the others, so a reload after a few new records refolds
 * only their sessions (issue 2: incremental reload).
 */
const folds = new WeakMap<readonly LedgerEntry[], SessionFacts | null>();

function foldCached(entries: readonly LedgerEntry[]): SessionFacts | null {
  let facts = folds.get(entries);
  if (facts === undefined) {
    try {
      facts = foldSession(entries.map((e) => e.record));
    } catch {
      facts = null; // verifyLedgerRecords names this session; the others must still show.
    }
    folds.set(entries, facts);
  }
  return facts;
}

/** Folds every break-glass session of the view (journals excluded); sessions that cannot fold are skipped here and reported by verify. */
export function summariseSessions(view: LedgerView): SessionSummary[] {
  const out: SessionSummary[] = [];
  for (const [sessionId, entries] of view.sessions) {
    if (sessionId.startsWith('journal-')) continue;
    const facts = foldCached(entries);
    if (facts) out.push({ facts, entries });
  }
  return out.sort((a, b) => (a.facts.declaredAt < b.facts.declaredAt ? 1 : a.facts.declaredAt > b.facts.declaredAt ? -1 : 0));
}

/** Every session's state at `nowMs`, newest first; `clock`: this host's reading of both clocks (issue 16, {@link stateAt}). */
export function sessionStatesAt(view: LedgerView, nowMs: number, clock?: ClockReading): SessionState[] {
  return summariseSessions(view).map((s) => stateAt(s.facts, nowMs, clock));
}

/**
 * The states of the sessions whose `declared` record passes `filter` (checked before folding, so
 * picking this host's sessions out of 10,000 folds only those). Unordered.
 */
export function sessionStatesWhere(view: LedgerView, nowMs: number, filter: (declared: EvidenceRecord) => boolean, clock?: ClockReading): SessionState[] {
  const out: SessionState[] = [];
  for (const [sessionId, entries] of view.sessions) {
    const first = entries[0]?.record;
    if (!first || sessionId.startsWith('journal-') || !filter(first)) continue;
    const facts = foldCached(entries);
    if (facts) out.push(stateAt(facts, nowMs, clock));
  }
  return out;
}

/** One session's state, or undefined. */
export function sessionStateOf(view: LedgerView, sessionId: string, nowMs: number, clock?: ClockReading): SessionState | undefined {
  const entries = view.sessions.get(sessionId);
  const facts = entries ? foldCached(entries) : null;
  return facts ? stateAt(facts, nowMs, clock) : undefined;
}

/** Finds the entries of a session, or undefined. */
export function entriesOf(view: LedgerView, sessionId: string): readonly LedgerEntry[] | undefined {
  return view.sessions.get(sessionId);
}

/** The id of the commit that recorded `declared` for a session. */
export function declaredCommit(view: LedgerView, sessionId: string): string | null {
  return view.sessions.get(sessionId)?.[0]?.commit ?? null;
}

/** A new session id: `bg-YYYYMMDD-HHMMSS-<8 hex>` from the declaration time and Web Crypto randomness. */
export function newSessionId(nowMs: number): string {
  const iso = new Date(nowMs).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const bytes = new Uint8Array(4);
  globalThis.crypto.getRandomValues(bytes);
  return `bg-${stamp}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
