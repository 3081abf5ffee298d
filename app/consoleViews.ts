import { BreakGlassError } from './errors';
import { boardForwarding } from './forwarding/lag';
import type { ForwardDestinationStatus } from './forwarding/status';
import type { Person } from './identity';
import { sessionStatesAt, verifySessionEntries } from './ledger';
import type { SessionPhase } from './lifecycle';
import type { LedgerView } from './ports';
import { summarise } from './summary';
import { sessionViewOf, toSessionView, type BoardData, type PushStatus, type SessionDetail, type SessionView, type StatusSnapshot, type SyncStatus, type TimelineEntry, type ViewTip } from './views';

/**
 * The views the console's calls return, as pure functions of the ledger and of what main/ has
 * gathered (the push and sync state, the identity, the clock): the home snapshot, a session's
 * page, the session list and the board. main/console only collects the inputs.
 */

/** What the home screen's snapshot is built from. */
export interface SnapshotInputs {
  view: LedgerView;
  /** Service time (epoch ms). */
  now: number;
  host: { id: string; name: string };
  osAccount: { username: string; uid: number | null };
  gitIdentity: Person | null;
  /** The repository as shown (its path already without the user's home). */
  repository: { path: string; branch: string };
  observer: boolean;
  /** Why the console is read-only without having been asked to be (issue 12 item 10), or null. */
  readOnlyReason?: string | null;
  push: PushStatus;
}

/** The snapshot's policy: an invalid newest policy.yaml is shown with the one still in force (issue 12 item 5). */
function policyOf(policy: LedgerView['policy']): StatusSnapshot['policy'] {
  if (!policy.ok) return { ok: false, problems: policy.problems };
  if (policy.rejected) return { ok: false, problems: policy.rejected.problems, inForce: { source: policy.source, sha256: policy.sha256 } };
  return { ok: true, source: policy.source, sha256: policy.sha256 };
}

/** The refs a view reads, as the UI shows them (issue 14). */
function viewTips(view: LedgerView, hostId: string): ViewTip[] {
  return (view.tips ?? []).map((t) => ({ ref: t.ref, commit: t.commit, hostId: t.hostId, mine: t.hostId === hostId }));
}

/** How many sessions the home screen lists as recent. */
export const RECENT_SESSIONS = 20;

/** The snapshot the home screen shows (pushed to the UI whenever the ledger changes). */
export function buildStatusSnapshot(i: SnapshotInputs): StatusSnapshot {
  const views = sessionStatesAt(i.view, i.now).map((s) => sessionViewOf(s, i.host.id));
  const open = views.filter((v) => v.mine && (v.phase === 'active' || v.phase === 'expired'));
  let records = 0;
  for (const e of i.view.sessions.values()) records += e.length;
  const policy = i.view.policy;
  return {
    at: new Date(i.now).toISOString(),
    host: i.host,
    osAccount: i.osAccount,
    gitIdentity: i.gitIdentity,
    // The push state names the remote: one read of git's config, not two.
    repository: { path: i.repository.path, branch: i.repository.branch, head: i.view.viewId ?? i.view.head, remote: i.push.state === 'local-only' ? null : i.push.remote },
    ...(i.view.tips ? { tips: viewTips(i.view, i.host.id) } : {}),
    observer: i.observer,
    readOnlyReason: i.readOnlyReason ?? null,
    policy: policyOf(policy),
    ...(i.view.conflicts && i.view.conflicts.length > 0 ? { conflicts: i.view.conflicts.length } : {}),
    push: i.push,
    open,
    recent: views.slice(0, RECENT_SESSIONS),
    awaitingReview: views.filter((v) => v.mine && v.phase === 'closed'),
    counts: {
      sessions: views.length,
      records,
      awaitingReview: views.filter((v) => v.phase === 'closed').length,
      overdueReviews: views.filter((v) => v.reviewOverdue).length,
      unreadable: i.view.unreadable.length,
    },
  };
}

/** The session list's filters (`sessions.list`): each optional, all must hold. */
export interface SessionListFilter {
  environment?: string | undefined;
  phase?: SessionPhase | undefined;
  /** Incident id, operator name or session id, case-insensitive. */
  query?: string | undefined;
  /** Operator name or e-mail, case-insensitive. */
  operator?: string | undefined;
  limit?: number | undefined;
}

/** The most sessions one list returns. */
export const SESSION_LIST_LIMIT = 20_000;

/** Filters sessions (newest first, as given) for the session list. */
export function filterSessions(views: readonly SessionView[], f: SessionListFilter): SessionView[] {
  const q = f.query?.trim().toLowerCase();
  const who = f.operator?.trim().toLowerCase();
  return views
    .filter((v) => (!f.environment || v.environment === f.environment) && (!f.phase || v.phase === f.phase))
    .filter((v) => !who || v.operator.name.toLowerCase().includes(who) || v.operator.email.toLowerCase().includes(who))
    .filter((v) => !q || v.incidentId.toLowerCase().includes(q) || v.operator.name.toLowerCase().includes(q) || v.sessionId.includes(q))
    .slice(0, f.limit ?? SESSION_LIST_LIMIT);
}

/**
 * Every session the repository knows, as the commander's board shows them (issue 6), with each
 * host's forwarding as far as this console can know it (issue 19, app/forwarding/lag.ts): this
 * host's live from `forwarded` (its forwarder's statuses), other hosts' as they recorded it.
 */
export function buildBoard(view: LedgerView, now: number, host: { id: string; name: string }, sync: SyncStatus, forwarded: readonly ForwardDestinationStatus[] = [], derived?: SessionView[]): BoardData {
  // `derived`: the rows as an earlier read derived them from this very view, while none can have moved since (main/console/boardHandlers.ts).
  const rows = derived ?? sessionStatesAt(view, now).map((s) => sessionViewOf(s, host.id));
  return {
    at: new Date(now).toISOString(), head: view.viewId ?? view.head, ...(view.tips ? { tips: viewTips(view, host.id) } : {}), hostId: host.id, rows, sync,
    forwarding: boardForwarding(view, host, forwarded, now),
  };
}

/** What a session's page is built from. */
export interface SessionDetailInputs {
  view: LedgerView;
  sessionId: string;
  now: number;
  hostId: string;
  /** Commits not yet on the remote (null: local only, no row says pushed or pending). */
  pending: ReadonlySet<string> | null;
  sync: SyncStatus;
}

/** A session's page: the declaration in full, every record with its commit, the chain check, the reviews. */
export function buildSessionDetail(i: SessionDetailInputs): SessionDetail {
  const entries = i.view.sessions.get(i.sessionId);
  const state = sessionStatesAt(i.view, i.now).find((s) => s.sessionId === i.sessionId);
  if (!entries || !state) throw new BreakGlassError('invalid-input', `No session ${i.sessionId} in this evidence repository.`, { field: 'sessionId' });
  const timeline: TimelineEntry[] = entries.map((e) => ({
    seq: e.record.seq, type: e.record.type, at: e.record.at, actor: e.record.actor, host: e.record.host,
    summary: summarise(e.record), commit: e.commit, pushed: i.pending === null ? null : !i.pending.has(e.commit),
    redactions: e.record.redactions, hash: e.record.hash, record: e.record,
  }));
  const problems = verifySessionEntries(i.sessionId, entries);
  return {
    session: toSessionView(state, i.hostId),
    declaration: state.declaration,
    timeline,
    chain: { ok: problems.length === 0, problems },
    reviews: state.reviews.map((r) => ({ ...r, current: state.standingReviews.some((s) => s.hash === r.hash) })),
    asOf: i.sync.state === 'local-only' ? null : i.sync.lastFetchAt,
  };
}
