import type { RecordSignature } from './verifyResult';
import type { AckStatus } from './acknowledgement/state';
import type { Declaration } from './declaration';
import type { Person } from './identity';
import type { ClockSkewSeen, SessionPhase, SessionState } from './lifecycle';
import type { PolicyProblem } from './policy';
import type { EvidenceRecord, RecordType, Review } from './records';
import type { IntegrityProblem } from './ledger';
import type { HostForwarding } from './forwarding/lag';
import { summarise } from './summary';

/**
 * Plain data that crosses from main to the renderer (structured-clone safe): what the UI shows.
 * Everything here is derived from the ledger; nothing is stored beside it.
 */

/** What the operator sees about sync (issue 2 "Status", issue 6 indicator). */
export type PushStatus =
  | { state: 'local-only' }
  | { state: 'synced'; lastPushAt: string | null; remote: string }
  | { state: 'pending'; pending: number; remote: string; lastPushAt: string | null }
  | { state: 'offline'; pending: number; remote: string; since: string; nextTryAt: string | null; reason: string }
  | { state: 'rejected'; pending: number; remote: string; reason: string; since: string }
  /**
   * Issue 16: this host's own ref is behind the commit of it the remote confirmed: `missing` records
   * the remote holds are no longer in this host's history (removed after the push, or an older copy
   * restored). Never shown as synced; verify names the records.
   */
  | { state: 'behind'; missing: number; remote: string; confirmed: string; lastPushAt: string | null };

/**
 * What the operator and the commander know about fetching other hosts' records (issue 6): when the
 * board's data was last confirmed against the remote, and what happens next. Derived from the
 * outbox's status file, so it survives a restart.
 */
export type SyncStatus =
  | { state: 'local-only'; watching: boolean }
  | {
      state: 'never' | 'ok' | 'offline' | 'rejected';
      remote: string;
      /** The last fetch that succeeded: the board's data is "as of" this instant for other hosts' sessions. */
      lastFetchAt: string | null;
      lastAttemptAt: string | null;
      /** The next scheduled fetch (only while the board is open), with backoff while failing. */
      nextFetchAt: string | null;
      reason: string | null;
      /** When the current run of failed fetches began (null while fetching succeeds). */
      failingSince: string | null;
      fetching: boolean;
      watching: boolean;
      intervalSeconds: number;
      /** The commander's console (issue 16): whether it could witness what its last fetch brought. */
      witnessing?: WitnessingStatus;
    };

/**
 * What became of the observer's statement of the tips its last fetch brought (issue 16):
 * `witnessed` (signed, committed, sent), `witnessed-unsigned` (no roster: committed and sent,
 * naming this host's account, signed by nobody), `no-signer` (no registered host key, no roster person's
 * key in ssh-agent that signs without a touch: nothing stated, since an unverifiable statement would
 * be a finding) or `failed` (why, in the product's words).
 */
export interface WitnessingStatus {
  state: 'witnessed' | 'witnessed-unsigned' | 'no-signer' | 'failed';
  at: string;
  reason: string | null;
}

/** The commander's board (issue 6): every session the repository knows, and how fresh that is. */
export interface BoardData {
  /** Service time when the rows were derived. */
  at: string;
  /** The ledger view's id: it changes whenever any ref the view reads moves (issue 14). */
  head: string | null;
  /** The refs the view reads, one per host (issue 14): the header can show where each host stands. */
  tips?: readonly ViewTip[];
  hostId: string;
  rows: SessionView[];
  sync: SyncStatus;
  /** Each host's forwarding (issue 19): this host's live, others' as they recorded it (app/forwarding/lag.ts). */
  forwarding: HostForwarding[];
  /** Which sessions hold records not proven by a roster key (issue 15); absent where not checked. */
  signatures?: BoardSignatures;
  /** Issue 16: per session id, its acknowledgements that are not confirmed (awaited, provisional, mismatched, missing); absent where not checked. */
  acknowledgements?: Record<string, AckStatus[]>;
}

/** The board's signature marks (issue 15): whether the repository has a roster, and per session id its records not proven (only sessions that have any). */
export interface BoardSignatures {
  roster: boolean;
  sessions: Record<string, { unsigned: number; invalid: number }>;
}

/** One session as lists and the countdown show it. */
export interface SessionView {
  sessionId: string;
  phase: SessionPhase;
  incidentId: string;
  environment: string;
  trigger: string;
  scopes: string[];
  operator: Person;
  host: { id: string; name: string };
  declaredAt: string;
  /** The expiry: the earlier of the wall clock's deadline and the boot clock's (issue 16). */
  expiresAt: string;
  /** The wall clock's deadline, only when the boot clock's is earlier (issue 16): what extensions add to. */
  wallExpiresAt?: string;
  extensions: number;
  closedAt: string | null;
  reviewDueAt: string | null;
  reviewOverdue: boolean;
  /** The outcome in force: the most severe of the standing reviews (issue 14). */
  reviewOutcome: string | null;
  /** How many reviews stand (two reviewers on two hosts at once: 2; the UI says "2 reviews" and shows both). */
  standingReviews: number;
  lastActivityAt: string;
  /** The latest action or note, as one line (the board's "last action and when"). */
  lastAction: { at: string; summary: string } | null;
  records: number;
  /** True when the session belongs to the host the console runs on. */
  mine: boolean;
  /** The latest wall-clock jump recorded in the session, shown to the operator (issue 5) and marked on the board (issue 16). */
  lastClockSkew: ClockSkewSeen | null;
}

/** One ref the ledger view reads (issue 14): the organisation branch, or a host's own ref. */
export interface ViewTip {
  ref: string;
  commit: string;
  /** The host whose ref it is; null for the organisation branch. */
  hostId: string | null;
  /** True for this host's own ref. */
  mine: boolean;
}

/** The state snapshot pushed to the UI whenever the ledger changes. */
export interface StatusSnapshot {
  /** Service time when the snapshot was taken: the renderer's countdown is anchored to expiry, not to this. */
  at: string;
  host: { id: string; name: string };
  osAccount: { username: string; uid: number | null };
  gitIdentity: Person | null;
  /** `head` is the view's id: it changes whenever any ref the view reads moves (issue 14). */
  repository: { path: string; branch: string; head: string | null; remote: string | null };
  /** The refs the view reads (issue 14): the organisation branch and each host's own ref. */
  tips?: readonly ViewTip[];
  observer: boolean;
  /** Why the console is read-only although observer mode was not asked for (an unreadable settings file), or null. */
  readOnlyReason: string | null;
  /**
   * The policy in force. `ok: false`: the newest policy.yaml is invalid; `inForce` then names the
   * last valid policy, which stays in force (issue 12 item 5: declaring and closing go on under it).
   */
  policy: { ok: true; source: 'repository' | 'built-in'; sha256: string } | { ok: false; problems: PolicyProblem[]; inForce?: { source: 'repository' | 'built-in'; sha256: string } };
  /** Record paths two refs hold with different contents (issue 14): a finding to show, never blocking this host. */
  conflicts?: number;
  push: PushStatus;
  /** This host's open sessions (active, or expired awaiting closure). */
  open: SessionView[];
  /** The most recent sessions of the whole repository, newest first. */
  recent: SessionView[];
  /** This host's closed sessions awaiting review, however old (the home screen's overdue list, issue 7). */
  awaitingReview: SessionView[];
  counts: { sessions: number; records: number; awaitingReview: number; overdueReviews: number; unreadable: number };
  /** Issue 16: the acknowledgements of this host's open sessions, by session id (the countdown says what is awaited); absent where not checked. */
  acknowledgements?: Record<string, AckStatus[]>;
}

/** One record in a session's timeline. */
export interface TimelineEntry {
  seq: number;
  type: RecordType;
  at: string;
  actor: Person;
  host: { id: string; name: string };
  summary: string;
  commit: string;
  pushed: boolean | null;
  redactions: number;
  hash: string;
  /** The record itself (already redacted at commit): action output, closure, review in full. */
  record: EvidenceRecord;
}

/** A session's page: the declaration in full and every record. */
export interface SessionDetail {
  session: SessionView;
  declaration: Declaration;
  timeline: TimelineEntry[];
  /** This session's hash chain and record checks (not the whole repository's fsck). */
  chain: { ok: boolean; problems: IntegrityProblem[] };
  /**
   * Every review in order; `current` marks each standing review (not superseded by a correction):
   * two reviewers at once both stand and both are shown, the stricter outcome in force (issue 14).
   */
  reviews: Array<{ at: string; review: Review; hash: string; current: boolean }>;
  /** When the other hosts' records on this page were last confirmed against the remote (null: local only or never fetched). */
  asOf: string | null;
  /** Who signed each record (issue 15), checked against the roster in force now; absent where not checked. */
  signatures?: SessionSignatures;
  /** Issue 16: the commander's acknowledgement of the declaration (and of the closing, once closed). */
  acknowledgements?: AckStatus[];
  /** Issue 16: the latest statement of each witness of the session host's history, and whether that history still contains what they saw; absent where not checked. */
  witnesses?: SessionWitness[];
}

/** One witness's latest statement of a host's history (issue 16), as the session page shows it. */
export interface SessionWitness {
  witness: string;
  witnessHost: string;
  at: string;
  commit: string;
  records: number;
  /** False: the history no longer contains the witnessed commit (rewritten; verify names the record lost). */
  contained: boolean;
}

/** A session's record signatures as the session page and the review form show them (issue 15). */
export interface SessionSignatures {
  /** The repository has a roster; without one every record is unsigned (claimed, not proven). */
  roster: boolean;
  records: RecordSignature[];
}

const projections = new WeakMap<EvidenceRecord, { key: string; view: SessionView }>();

/**
 * {@link toSessionView}, reusing the projection of a session whose records have not changed (its
 * last record is the same object: the ledger keeps unchanged sessions' entries) and whose phase
 * has not moved: the board re-derives 10,000 rows after every fetch and every commit.
 */
export function sessionViewOf(s: SessionState, hostId: string): SessionView {
  const key = `${s.phase}|${s.phase === 'closed' && s.reviewOverdue}|${hostId}|${s.expiresAt}`;
  const cached = projections.get(s.lastRecord);
  if (cached?.key === key) return cached.view;
  const view = toSessionView(s, hostId);
  projections.set(s.lastRecord, { key, view });
  return view;
}

/** Projects a session state onto what the UI shows. */
export function toSessionView(s: SessionState, hostId: string): SessionView {
  return {
    sessionId: s.sessionId,
    phase: s.phase,
    incidentId: s.declaration.incidentId,
    environment: s.declaration.environment,
    trigger: s.declaration.trigger,
    scopes: [...s.declaration.scopes],
    operator: s.operator,
    host: s.host,
    declaredAt: s.declaredAt,
    expiresAt: s.expiresAt,
    ...(s.wallExpiresAt !== s.expiresAt ? { wallExpiresAt: s.wallExpiresAt } : {}),
    extensions: s.extensions.length,
    closedAt: s.closed?.at ?? null,
    reviewDueAt: s.closed?.reviewDueAt ?? null,
    reviewOverdue: s.phase === 'closed' && s.reviewOverdue,
    reviewOutcome: s.verdict?.outcome ?? null,
    standingReviews: s.standingReviews.length,
    lastActivityAt: s.lastRecord.at,
    lastAction: s.lastAction ? { at: s.lastAction.at, summary: summarise(s.lastAction) } : null,
    records: s.recordCount,
    mine: s.host.id === hostId,
    lastClockSkew: s.lastClockSkew,
  };
}
