import { describe, expect, it } from 'vitest';
import { buildBoard, buildSessionDetail, buildStatusSnapshot, filterSessions, RECENT_SESSIONS, type SnapshotInputs } from '../../app/consoleViews';
import { declarationTemplate } from '../../app/declaration';
import { BreakGlassError } from '../../app/errors';
import { sessionStatesAt } from '../../app/ledger';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerEntry, LedgerView, PolicyInForce } from '../../app/ports';
import type { EvidenceRecord } from '../../app/records';
import { sessionViewOf, type PushStatus, type SyncStatus } from '../../app/views';
import { ChainBuilder } from '../support/records';

/**
 * The console's views as pure functions of the ledger (app/consoleViews.ts, issue 11): what the
 * home screen, the session list, the board and a session's page show, from a ledger built in memory.
 */

const T0 = Date.parse('2026-11-28T09:00:00.000Z');
const MIN = 60_000;
const HERE = { id: 'host-a', name: 'admin-01' };
const THERE = { id: 'host-b', name: 'admin-02' };
const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
const ALAN = { name: 'Alan Turing', email: 'alan@example.org' };
const BUILT_IN: PolicyInForce = { ok: true, policy: DEFAULT_POLICY, sha256: 'f'.repeat(64), source: 'built-in' };

interface SessionSpec {
  /** Minutes after T0 the session was declared. */
  at: number;
  host?: { id: string; name: string };
  operator?: { name: string; email: string };
  environment?: string;
  incidentId?: string;
}

/** A declared session (30 minutes), on `host`, by `operator`. */
function session(n: number, spec: SessionSpec): ChainBuilder {
  const declaredAt = T0 + spec.at * MIN;
  const id = `bg-20261128-${String(90000 + n).padStart(6, '0')}-${n.toString(16).padStart(8, '0')}`;
  const b = new ChainBuilder(id, declaredAt, 30);
  const operator = spec.operator ?? ADA;
  Object.assign(b, { host: spec.host ?? HERE, operator });
  b.add({
    type: 'declared', at: new Date(declaredAt).toISOString(), redactions: 0,
    payload: {
      declaration: { ...declarationTemplate(DEFAULT_POLICY), environment: spec.environment ?? 'production', incidentId: spec.incidentId ?? `INC-${1000 + n}`, operator },
      expiresAt: new Date(declaredAt + 30 * MIN).toISOString(),
      policySha256: 'a'.repeat(64),
      preconditions: [],
    },
  } as never);
  return b;
}

function ledger(builders: ChainBuilder[], policy: PolicyInForce = BUILT_IN): LedgerView {
  const sessions = new Map<string, readonly LedgerEntry[]>(builders.map((b) => [b.sessionId, b.entries]));
  return { head: 'h'.repeat(40), branch: 'main', sessions, unreadable: [{ path: 'sessions/x.json', blob: 'b'.repeat(40), message: 'not JSON' }], policy };
}

function snapshotOf(view: LedgerView, now: number, push: PushStatus = { state: 'local-only' }): ReturnType<typeof buildStatusSnapshot> {
  const inputs: SnapshotInputs = {
    view, now, push, gitIdentity: ADA, host: HERE, osAccount: { username: 'ada', uid: 1000 },
    repository: { path: '~/evidence', branch: 'main' }, observer: false,
  };
  return buildStatusSnapshot(inputs);
}

describe('home snapshot', () => {
  // Declared 0..50 min after T0, read at T0 + 55 min: #1 has expired, #2 and #3 are active, #4 closed, #5 is another host's.
  const active = session(2, { at: 40 });
  const expired = session(1, { at: 0 });
  const closed = session(3, { at: 45 }).closed(5);
  const other = session(4, { at: 50, host: THERE, operator: ALAN });
  const alsoActive = session(5, { at: 30 });
  active.add({ type: 'note', at: new Date(T0 + 41 * MIN).toISOString(), redactions: 0, payload: { text: 'lock released' } } as never);
  const view = ledger([expired, active, closed, other, alsoActive]);
  const now = T0 + 55 * MIN;

  it('lists this host\'s open sessions (active or expired), never another host\'s', () => {
    const s = snapshotOf(view, now);
    expect(s.open.map((v) => v.sessionId).sort()).toEqual([active.sessionId, expired.sessionId, alsoActive.sessionId].sort());
    expect(s.open.find((v) => v.sessionId === expired.sessionId)?.phase).toBe('expired');
    expect(s.open.every((v) => v.mine)).toBe(true);
  });

  it('lists recent sessions newest first, this host\'s closed ones awaiting review, and the counts', () => {
    const s = snapshotOf(view, now);
    expect(s.recent.map((v) => v.sessionId)).toEqual([other, closed, active, alsoActive, expired].map((b) => b.sessionId));
    expect(s.awaitingReview.map((v) => v.sessionId)).toEqual([closed.sessionId]);
    expect(s.counts).toEqual({ sessions: 5, records: 7, awaitingReview: 1, overdueReviews: 0, unreadable: 1 });
    expect(s.at).toBe(new Date(now).toISOString());
    expect(s.host).toEqual(HERE);
    expect(s.gitIdentity).toEqual(ADA);
    expect(s.osAccount).toEqual({ username: 'ada', uid: 1000 });
  });

  it('keeps at most RECENT_SESSIONS recent sessions', () => {
    const many = Array.from({ length: RECENT_SESSIONS + 5 }, (_, i) => session(100 + i, { at: i }));
    const s = snapshotOf(ledger(many), T0 + 60 * MIN);
    expect(s.recent).toHaveLength(RECENT_SESSIONS);
    expect(s.recent[0]?.sessionId).toBe(many.at(-1)!.sessionId);
    expect(s.counts.sessions).toBe(RECENT_SESSIONS + 5);
  });

  it('names the remote from the push state, and the head from the ledger', () => {
    expect(snapshotOf(view, now).repository).toEqual({ path: '~/evidence', branch: 'main', head: view.head, remote: null });
    const push: PushStatus = { state: 'pending', pending: 2, remote: 'git@example.com:sec/evidence.git', lastPushAt: null };
    const s = snapshotOf(view, now, push);
    expect(s.repository.remote).toBe('git@example.com:sec/evidence.git');
    expect(s.push).toBe(push);
  });

  it('reports the policy in force, or its problems', () => {
    expect(snapshotOf(view, now).policy).toEqual({ ok: true, source: 'built-in', sha256: 'f'.repeat(64) });
    const problems = [{ file: 'policy.yaml', field: 'duration.maxMinutes', line: 3, message: 'Expected a number' }];
    const invalid = snapshotOf(ledger([active], { ok: false, problems, sha256: 'e'.repeat(64) }), now);
    expect(invalid.policy).toEqual({ ok: false, problems });
  });

  it('counts an overdue review', () => {
    const late = session(6, { at: 0 }).closed(10);
    const s = snapshotOf(ledger([late]), T0 + 10 * 86_400_000);
    expect(s.counts.overdueReviews).toBe(1);
    expect(s.awaitingReview[0]?.reviewOverdue).toBe(true);
  });
});

describe('session list filtering', () => {
  const views = sessionStatesAt(ledger([
    session(1, { at: 0, environment: 'production', incidentId: 'INC-7001' }),
    session(2, { at: 5, environment: 'pre-production', incidentId: 'INC-7002', operator: ALAN, host: THERE }),
    session(3, { at: 10, environment: 'production', incidentId: 'PX7Q2ZK' }).closed(5),
  ]), T0 + 20 * MIN).map((s) => sessionViewOf(s, HERE.id));
  const ids = (list: { incidentId: string }[]) => list.map((v) => v.incidentId);

  it('returns everything, newest first, without a filter', () => {
    expect(ids(filterSessions(views, {}))).toEqual(['PX7Q2ZK', 'INC-7002', 'INC-7001']);
  });

  it('filters by environment and phase together', () => {
    expect(ids(filterSessions(views, { environment: 'production' }))).toEqual(['PX7Q2ZK', 'INC-7001']);
    expect(ids(filterSessions(views, { environment: 'production', phase: 'active' }))).toEqual(['INC-7001']);
    expect(ids(filterSessions(views, { phase: 'closed' }))).toEqual(['PX7Q2ZK']);
  });

  it('matches the operator by name or e-mail, case-insensitive', () => {
    expect(ids(filterSessions(views, { operator: 'TURING' }))).toEqual(['INC-7002']);
    expect(ids(filterSessions(views, { operator: ' example.org ' }))).toEqual(['INC-7002']);
    expect(ids(filterSessions(views, { operator: 'nobody' }))).toEqual([]);
  });

  it('searches the incident id, the operator\'s name and the session id', () => {
    expect(ids(filterSessions(views, { query: 'inc-700' }))).toEqual(['INC-7002', 'INC-7001']);
    expect(ids(filterSessions(views, { query: 'alan' }))).toEqual(['INC-7002']);
    expect(ids(filterSessions(views, { query: views[2]!.sessionId }))).toEqual(['INC-7001']);
  });

  it('stops at the limit', () => {
    expect(ids(filterSessions(views, { limit: 2 }))).toEqual(['PX7Q2ZK', 'INC-7002']);
  });
});

describe('board', () => {
  it('has a row for every session the repository knows, with this host\'s marked, and passes the sync state through', () => {
    const mine = session(1, { at: 0 });
    const theirs = session(2, { at: 5, host: THERE, operator: ALAN });
    const view = ledger([mine, theirs]);
    const sync: SyncStatus = { state: 'local-only', watching: true };
    const now = T0 + 10 * MIN;
    const board = buildBoard(view, now, HERE, sync);
    expect(board).toMatchObject({ at: new Date(now).toISOString(), head: view.head, hostId: HERE.id, sync });
    expect(board.rows.map((r) => [r.sessionId, r.mine, r.host.id, r.phase])).toEqual([
      [theirs.sessionId, false, THERE.id, 'active'],
      [mine.sessionId, true, HERE.id, 'active'],
    ]);
  });
});

describe('session detail', () => {
  const fetched: SyncStatus = {
    state: 'ok', remote: '/srv/evidence.git', lastFetchAt: '2026-11-28T10:00:00.000Z', lastAttemptAt: '2026-11-28T10:00:00.000Z',
    nextFetchAt: null, reason: null, failingSince: null, fetching: false, watching: false, intervalSeconds: 30,
  };

  function reviewedTwice(): ChainBuilder {
    const b = session(1, { at: 0 });
    b.add({ type: 'note', at: new Date(T0 + MIN).toISOString(), redactions: 0, payload: { text: 'lock released' } } as never);
    b.closed(10).reviewed();
    const first = b.records().at(-1)!;
    b.reviewed(undefined, first.hash);
    return b;
  }

  it('lists every record in order with its commit, summary and push state', () => {
    const b = reviewedTwice();
    const pending = new Set([b.entries[4]!.commit]);
    const d = buildSessionDetail({ view: ledger([b]), sessionId: b.sessionId, now: T0 + 2 * 3600_000, hostId: HERE.id, pending, sync: fetched });
    expect(d.timeline.map((t) => [t.seq, t.type, t.commit, t.pushed])).toEqual(b.entries.map((e, i) => [e.record.seq, e.record.type, e.commit, i !== 4]));
    expect(d.timeline[1]).toMatchObject({ summary: 'lock released', actor: ADA, host: HERE, hash: b.entries[1]!.record.hash, record: b.entries[1]!.record });
    expect(d.declaration.incidentId).toBe('INC-1001');
    expect(d.session).toMatchObject({ sessionId: b.sessionId, phase: 'reviewed', mine: true });
    expect(d.chain).toEqual({ ok: true, problems: [] });
    expect(d.asOf).toBe(fetched.lastFetchAt);
  });

  it('marks the review in force; a local-only repository says neither pushed nor pending', () => {
    const b = reviewedTwice();
    const d = buildSessionDetail({ view: ledger([b]), sessionId: b.sessionId, now: T0 + 2 * 3600_000, hostId: THERE.id, pending: null, sync: { state: 'local-only', watching: false } });
    expect(d.reviews.map((r) => r.current)).toEqual([false, true]);
    expect(d.reviews[1]?.review.supersedes).toBe(d.reviews[0]?.hash);
    expect(d.timeline.every((t) => t.pushed === null)).toBe(true);
    expect(d.session.mine).toBe(false);
    expect(d.asOf).toBeNull();
  });

  it('reports a broken chain', () => {
    const b = session(1, { at: 0 });
    b.add({ type: 'note', at: new Date(T0 + MIN).toISOString(), redactions: 0, payload: { text: 'first' } } as never);
    const entries = b.entries.map((e, i) => (i === 1 ? { ...e, record: { ...e.record, payload: { text: 'edited later' } } as EvidenceRecord } : e));
    const view: LedgerView = { ...ledger([b]), sessions: new Map([[b.sessionId, entries]]) };
    const d = buildSessionDetail({ view, sessionId: b.sessionId, now: T0 + 2 * MIN, hostId: HERE.id, pending: null, sync: fetched });
    expect(d.chain.ok).toBe(false);
    expect(d.chain.problems.map((p) => p.seq)).toContain(2);
  });

  it('refuses an unknown session, naming the field', () => {
    const view = ledger([session(1, { at: 0 })]);
    const run = () => buildSessionDetail({ view, sessionId: 'bg-20260101-000000-00000000', now: T0, hostId: HERE.id, pending: null, sync: fetched });
    expect(run).toThrow(BreakGlassError);
    try {
      run();
    } catch (e) {
      expect(e).toMatchObject({ code: 'invalid-input', field: 'sessionId' });
      expect((e as Error).message).toContain('bg-20260101-000000-00000000');
    }
  });
});
