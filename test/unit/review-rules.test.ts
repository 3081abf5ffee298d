import { describe, expect, it } from 'vitest';
import { assertLegal, foldSession, stateAt, type SessionState } from '../../app/lifecycle';
import { DEFAULT_POLICY } from '../../app/policy';
import { ReviewSchema } from '../../app/records';
import { BreakGlassError } from '../../app/errors';
import { ChainBuilder } from '../support/records';

/**
 * The review rules of procedure.md §9 that test/unit/lifecycle.test.ts does not already state:
 * the words of the refusals for a session that is not closed (the review form shows them), the
 * field each refusal names (the form puts the message by that field), corrections that name the
 * wrong review, and the schema's findings rule the form validates with.
 */

const T0 = Date.parse('2026-11-28T09:48:26.000Z');
const grace = { name: 'Grace Hopper', email: 'grace@example.com' };
const linus = { name: 'Linus Pauling', email: 'linus@example.com' };

function refusal(state: SessionState, event: Parameters<typeof assertLegal>[1]): BreakGlassError {
  try {
    assertLegal(state, event, DEFAULT_POLICY);
  } catch (e) {
    if (e instanceof BreakGlassError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('a review before the session is closed', () => {
  it('is refused while the session is active, saying it must be closed first', () => {
    const active = stateAt(foldSession(new ChainBuilder().declared().records()), T0 + 60_000);
    expect(active.phase).toBe('active');
    const e = refusal(active, { kind: 'review', reviewer: grace });
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/still active: a review is possible only after it is closed/);
  });
  it('is refused once expired but not closed, with or without the expired record', () => {
    const unrecorded = stateAt(foldSession(new ChainBuilder().declared().records()), T0 + 31 * 60_000);
    const recorded = stateAt(foldSession(new ChainBuilder().declared().expired().records()), T0 + 31 * 60_000);
    for (const s of [unrecorded, recorded]) {
      expect(s.phase).toBe('expired');
      expect(refusal(s, { kind: 'review', reviewer: grace }).message).toMatch(/expired but not closed: it must be closed before it can be reviewed/);
    }
  });
});

describe('who may review (segregation of duties), and the field each refusal names', () => {
  const closed = () => stateAt(foldSession(new ChainBuilder().declared().closed().records()), T0 + 40 * 60_000);
  it('names "reviewer" when the reviewer is the operator', () => {
    expect(refusal(closed(), { kind: 'review', reviewer: { name: 'Ada Lovelace', email: 'ada@example.com' } }).field).toBe('reviewer');
  });
  it('names "reviewer.name" for a shared identity, a shared mailbox and initials', () => {
    for (const reviewer of [{ name: 'ops', email: 'x@example.com' }, { name: 'Grace Hopper', email: 'admin@example.com' }, { name: 'G. H.', email: 'gh@example.com' }]) {
      expect(refusal(closed(), { kind: 'review', reviewer }).field, reviewer.name).toBe('reviewer.name');
    }
  });
  it('refuses a name the policy adds to its refused list', () => {
    const policy = { ...DEFAULT_POLICY, refusedIdentities: ['Night Shift'] };
    expect(() => assertLegal(closed(), { kind: 'review', reviewer: { name: 'night shift', email: 'nights@example.com' } }, policy)).toThrow(/shared or anonymous/);
  });
  it('accepts another named human on a closed session whose review is overdue', () => {
    const overdue = stateAt(foldSession(new ChainBuilder().declared().closed().records()), T0 + 6 * 86_400_000);
    expect(overdue.phase === 'closed' && overdue.reviewOverdue).toBe(true);
    expect(() => assertLegal(overdue, { kind: 'review', reviewer: grace }, DEFAULT_POLICY)).not.toThrow();
  });
});

describe('corrections', () => {
  it('refuses "supersedes" when there is no review yet', () => {
    const closed = stateAt(foldSession(new ChainBuilder().declared().closed().records()), T0 + 40 * 60_000);
    const e = refusal(closed, { kind: 'review', reviewer: grace, supersedes: 'a'.repeat(64) });
    expect(e.field).toBe('supersedes');
    expect(e.message).toMatch(/no review to supersede/);
  });
  it('refuses a correction that names a review already superseded: only the one in force can be corrected', () => {
    const b = new ChainBuilder().declared().closed().reviewed();
    const first = b.records().at(-1)!.hash;
    b.reviewed(linus, first);
    const second = b.records().at(-1)!.hash;
    const s = stateAt(foldSession(b.records()), T0 + 2 * 3600_000);
    const e = refusal(s, { kind: 'review', reviewer: grace, supersedes: first });
    expect(e.field).toBe('supersedes');
    expect(e.message).toContain(second);
    expect(() => assertLegal(s, { kind: 'review', reviewer: grace, supersedes: second }, DEFAULT_POLICY)).not.toThrow();
  });
  it('makes each correction the review in force and keeps every earlier one', () => {
    const b = new ChainBuilder().declared().closed().reviewed();
    b.reviewed(linus, b.records().at(-1)!.hash);
    b.reviewed(grace, b.records().at(-1)!.hash);
    const facts = foldSession(b.records());
    expect(facts.reviews.map((r) => r.review.reviewer.name)).toEqual(['Grace Hopper', 'Linus Pauling', 'Grace Hopper']);
    expect(facts.review!.hash).toBe(b.records().at(-1)!.hash);
    expect(facts.review!.review.supersedes).toBe(facts.reviews[1]!.hash);
  });
  it('still refuses the operator when correcting', () => {
    const b = new ChainBuilder().declared().closed().reviewed();
    const s = stateAt(foldSession(b.records()), T0 + 2 * 3600_000);
    expect(refusal(s, { kind: 'review', reviewer: { name: 'Ada Lovelace', email: 'ada@example.com' }, supersedes: s.review!.hash }).field).toBe('reviewer');
  });
});

describe('the review schema the form validates with', () => {
  const base = { reviewer: grace, drill: false, findings: '', followUps: [] };
  it('accepts "justified" without findings', () => {
    expect(ReviewSchema.safeParse({ ...base, outcome: 'justified' }).success).toBe(true);
  });
  it('requires findings for the other outcomes, on the findings field', () => {
    for (const outcome of ['justified-with-findings', 'not-justified']) {
      const r = ReviewSchema.safeParse({ ...base, outcome, findings: '   ' });
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['findings']);
    }
  });
  it('requires an owner for each follow-up and a YYYY-MM-DD due date when one is given', () => {
    const r = ReviewSchema.safeParse({ ...base, outcome: 'justified', followUps: [{ action: 'Alert on lock age', owner: '', due: '12/01/2026' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['followUps.0.due', 'followUps.0.owner']);
  });
});
