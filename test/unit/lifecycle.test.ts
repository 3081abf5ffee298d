import { describe, expect, it } from 'vitest';
import { assertLegal, foldSession, stateAt, SESSION_EVENT_KINDS, type SessionEvent, type SessionPhase, type SessionState } from '../../app/lifecycle';
import { DEFAULT_POLICY } from '../../app/policy';
import { BreakGlassError } from '../../app/errors';
import { ChainBuilder } from '../support/records';

const T0 = Date.parse('2026-11-28T09:48:26.000Z');
const grace = { name: 'Grace Hopper', email: 'grace@example.com' };

function stateOf(phase: SessionPhase): SessionState {
  const b = new ChainBuilder().declared();
  if (phase === 'active') return stateAt(foldSession(b.records()), T0 + 60_000);
  if (phase === 'expired') return stateAt(foldSession(b.records()), T0 + 31 * 60_000);
  b.closed();
  if (phase === 'closed') return stateAt(foldSession(b.records()), T0 + 40 * 60_000);
  b.reviewed();
  return stateAt(foldSession(b.records()), T0 + 2 * 3600_000);
}

function eventOf(kind: (typeof SESSION_EVENT_KINDS)[number], state: SessionState): SessionEvent {
  switch (kind) {
    case 'extend':
      return { kind, minutes: 15 };
    case 'review':
      return { kind, reviewer: grace, supersedes: state.review?.hash };
    case 'action-finish':
      // No command was started in these sessions: there is nothing to finish.
      return { kind, started: 'a'.repeat(64) };
    case 'acknowledged':
      // Issue 16: the closing's once closed, the declaration's before.
      return { kind, event: state.closed ? 'closed' : 'declared' };
    default:
      return { kind } as SessionEvent;
  }
}

// The whole transition table (issue 2): every phase × every event, legal or refused with a code.
const TABLE: Record<SessionPhase, Record<(typeof SESSION_EVENT_KINDS)[number], 'ok' | 'refused' | 'no-active-session'>> = {
  active: { note: 'ok', action: 'ok', 'action-finish': 'refused', extend: 'ok', expire: 'refused', close: 'ok', review: 'refused', 'clock-skew': 'ok', acknowledged: 'ok' },
  expired: { note: 'ok', action: 'no-active-session', 'action-finish': 'refused', extend: 'no-active-session', expire: 'ok', close: 'ok', review: 'refused', 'clock-skew': 'ok', acknowledged: 'ok' },
  closed: { note: 'refused', action: 'refused', 'action-finish': 'refused', extend: 'refused', expire: 'refused', close: 'refused', review: 'ok', 'clock-skew': 'refused', acknowledged: 'ok' },
  reviewed: { note: 'refused', action: 'refused', 'action-finish': 'refused', extend: 'refused', expire: 'refused', close: 'refused', review: 'ok', 'clock-skew': 'refused', acknowledged: 'ok' },
};

describe('session lifecycle transition table', () => {
  for (const phase of Object.keys(TABLE) as SessionPhase[]) {
    for (const kind of SESSION_EVENT_KINDS) {
      const expected = TABLE[phase][kind];
      it(`${phase} × ${kind} → ${expected}`, () => {
        const state = stateOf(phase);
        expect(state.phase).toBe(phase);
        const run = () => assertLegal(state, eventOf(kind, state), DEFAULT_POLICY);
        if (expected === 'ok') expect(run).not.toThrow();
        else {
          expect(run).toThrow(BreakGlassError);
          try {
            run();
          } catch (e) {
            expect((e as BreakGlassError).code).toBe(expected);
            expect((e as BreakGlassError).message.length).toBeGreaterThan(20);
          }
        }
      });
    }
  }
});

describe('state derived from records and time', () => {
  it('is active before the absolute expiry and expired from that instant on, recorded or not', () => {
    const facts = foldSession(new ChainBuilder().declared().records());
    expect(stateAt(facts, T0 + 30 * 60_000 - 1).phase).toBe('active');
    const at = stateAt(facts, T0 + 30 * 60_000);
    expect(at.phase).toBe('expired');
    expect(at.phase === 'expired' && at.expiredRecorded).toBe(false);
  });

  it('stays expired once recorded even if the wall clock goes back', () => {
    const facts = foldSession(new ChainBuilder().declared().expired().records());
    expect(stateAt(facts, T0 + 60_000).phase).toBe('expired');
  });

  it('moves the expiry only through extended records', () => {
    const facts = foldSession(new ChainBuilder().declared().extended(30).records());
    expect(facts.expiresAt).toBe(new Date(T0 + 60 * 60_000).toISOString());
    expect(facts.originalExpiresAt).toBe(new Date(T0 + 30 * 60_000).toISOString());
    expect(stateAt(facts, T0 + 45 * 60_000).phase).toBe('active');
  });

  it('marks a closed session overdue for review after the due date', () => {
    const facts = foldSession(new ChainBuilder().declared().closed().records());
    const due = Date.parse(facts.closed!.reviewDueAt);
    const before = stateAt(facts, due - 1);
    const after = stateAt(facts, due + 1);
    expect(before.phase === 'closed' && before.reviewOverdue).toBe(false);
    expect(after.phase === 'closed' && after.reviewOverdue).toBe(true);
  });

  it('refuses a session that does not start with declared', () => {
    const b = new ChainBuilder().declared();
    expect(() => foldSession(b.records().slice(1))).toThrow(/does not start with a declared record/);
  });
});

describe('extension caps (policy: step 30, at most 2, total 240 min)', () => {
  it('refuses a step above the policy step', () => {
    expect(() => assertLegal(stateOf('active'), { kind: 'extend', minutes: 31 }, DEFAULT_POLICY)).toThrow(/at most 30 minutes/);
  });
  it('refuses a third extension', () => {
    const s = stateAt(foldSession(new ChainBuilder().declared().extended(30).extended(30).records()), T0 + 60_000);
    expect(() => assertLegal(s, { kind: 'extend', minutes: 10 }, DEFAULT_POLICY)).toThrow(/extended 2 time/);
  });
  it('refuses going past the total cap and says how much is left', () => {
    const policy = { ...DEFAULT_POLICY, extension: { stepMinutes: 30, maxCount: 5, maxTotalMinutes: 70 } };
    const s = stateAt(foldSession(new ChainBuilder().declared().extended(30).records()), T0 + 60_000);
    expect(() => assertLegal(s, { kind: 'extend', minutes: 15 }, policy)).toThrow(/At most 10 more minute/);
    expect(() => assertLegal(s, { kind: 'extend', minutes: 10 }, policy)).not.toThrow();
  });
});

describe('review rules (segregation of duties)', () => {
  const closed = () => stateOf('closed');
  it('refuses the operator as reviewer', () => {
    expect(() => assertLegal(closed(), { kind: 'review', reviewer: { name: 'Ada Lovelace', email: 'ada@example.com' } }, DEFAULT_POLICY)).toThrow(/segregation of duties/);
  });
  it('refuses the operator under another spelling of the same e-mail', () => {
    expect(() => assertLegal(closed(), { kind: 'review', reviewer: { name: 'A. Lovelace', email: 'ADA@example.com' } }, DEFAULT_POLICY)).toThrow(/segregation/);
  });
  it('refuses a shared name as reviewer', () => {
    expect(() => assertLegal(closed(), { kind: 'review', reviewer: { name: 'admin', email: 'x@example.com' } }, DEFAULT_POLICY)).toThrow(/named human/);
  });
  it('accepts another named human', () => {
    expect(() => assertLegal(closed(), { kind: 'review', reviewer: grace }, DEFAULT_POLICY)).not.toThrow();
  });
  it('requires a correction to name the review it supersedes', () => {
    const reviewed = stateOf('reviewed');
    expect(() => assertLegal(reviewed, { kind: 'review', reviewer: grace }, DEFAULT_POLICY)).toThrow(/supersedes/);
    expect(() => assertLegal(reviewed, { kind: 'review', reviewer: grace, supersedes: reviewed.review!.hash }, DEFAULT_POLICY)).not.toThrow();
  });
  it('takes the latest review as the one in force', () => {
    const b = new ChainBuilder().declared().closed().reviewed();
    const first = b.records().at(-1)!.hash;
    b.reviewed({ name: 'Linus Pauling', email: 'linus@example.com' }, first);
    const facts = foldSession(b.records());
    expect(facts.reviews).toHaveLength(2);
    expect(facts.review!.review.reviewer.name).toBe('Linus Pauling');
  });
});

describe('a session state at an instant', () => {
  it('of a reviewed session is the same at every instant (kept per fold), and the same as a fresh copy of its facts', () => {
    const facts = foldSession(new ChainBuilder().declared().closed().reviewed().records());
    const early = stateAt(facts, T0 + 3600_000);
    const years = stateAt(facts, T0 + 3 * 365 * 86_400_000);
    expect(years).toBe(early);
    expect(early).toEqual({ ...facts, phase: 'reviewed' });
    // Another fold of the same records is another object, and gets a state of its own.
    const again = stateAt(foldSession(new ChainBuilder().declared().closed().reviewed().records()), T0);
    expect(again).not.toBe(early);
  });

  it('of a closed session still says, at each instant, whether its review is overdue', () => {
    const facts = foldSession(new ChainBuilder().declared().closed().records());
    const due = Date.parse(facts!.closed!.reviewDueAt);
    expect(stateAt(facts!, due - 1)).toMatchObject({ phase: 'closed', reviewOverdue: false });
    expect(stateAt(facts!, due + 1)).toMatchObject({ phase: 'closed', reviewOverdue: true });
  });
});
