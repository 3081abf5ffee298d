import { describe, expect, it } from 'vitest';
import { changedFields, emptyFollowUp, initialDraft, mergedIssues, refusalOf, toReview } from '../../../renderer/reviews/reviewDraft';
import { hitWords, placesOf } from '../../../renderer/reviews/scopes';

const GRACE = { name: 'Grace Hopper', email: 'grace@example.com' };

describe('the review form\u2019s draft (renderer/reviews/reviewDraft.ts)', () => {
  it('starts from this host\u2019s git identity; a correction starts from the verdict in force', () => {
    expect(initialDraft(GRACE, null)).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com', outcome: '', kind: '', findings: '', followUps: [] });
    const current = { reviewer: GRACE, outcome: 'justified-with-findings' as const, drill: true, findings: 'Late alert.', followUps: [{ action: 'Alert', owner: 'Ops' }] };
    const d = initialDraft(null, current);
    expect(d).toMatchObject({ name: '', outcome: 'justified-with-findings', kind: 'drill', findings: 'Late alert.' });
    expect(d.followUps.map(({ action, owner, due }) => ({ action, owner, due }))).toEqual([{ action: 'Alert', owner: 'Ops', due: '' }]);
  });

  it('submits plain JSON: an unset answer absent (so the schema names it), a blank due date left out, the review it corrects named', () => {
    const draft = { ...initialDraft(GRACE, null), followUps: [{ ...emptyFollowUp(), action: 'A', owner: 'B' }] };
    expect(toReview(draft, null)).toEqual({ reviewer: GRACE, findings: '', followUps: [{ action: 'A', owner: 'B' }] });
    expect(toReview({ ...draft, outcome: 'justified', kind: 'real' }, 'abc')).toEqual({ reviewer: GRACE, outcome: 'justified', drill: false, findings: '', followUps: [{ action: 'A', owner: 'B' }], supersedes: 'abc' });
    expect(emptyFollowUp().key).not.toBe(emptyFollowUp().key);
  });

  it('places main\u2019s refusal at the field it concerns, else says it for the form', () => {
    const byField = refusalOf({ code: 'refused', message: 'The reviewer operated this session: segregation of duties.', field: 'reviewer' });
    expect([...byField.server]).toEqual([['reviewer', ['The reviewer operated this session: segregation of duties.']]]);
    expect(byField.general).toBeNull();
    const problems = refusalOf({ code: 'invalid-input', message: 'Invalid.', problems: [{ path: 'followUps[0].owner', message: 'Name an owner.' }, { path: 'supersedes', message: 'Stale.' }] });
    expect([...problems.server]).toEqual([['followUps[0].owner', ['Name an owner.']]]);
    expect(problems.general).toBeNull();
    expect(refusalOf({ code: 'refused', message: 'The review in force changed.', field: 'supersedes' }).general).toBe('The review in force changed.');
    expect(refusalOf({ code: 'internal', message: 'No answer.' })).toEqual({ status: 'idle', server: new Map(), general: 'No answer.', clientCount: 0 });
  });

  it('shows each message once per field, the form\u2019s first; a change to the reviewer\u2019s name or e-mail lifts main\u2019s refusal of the reviewer', () => {
    const merged = mergedIssues(new Map([['findings', ['Describe the findings.']]]), new Map([['findings', ['Describe the findings.', 'Too long.']], ['reviewer', ['Not the operator.']]]));
    expect([...merged]).toEqual([['findings', ['Describe the findings.', 'Too long.']], ['reviewer', ['Not the operator.']]]);
    expect([...changedFields({ name: 'x', kind: 'drill', findings: 'y' })]).toEqual(['reviewer', 'drill', 'findings']);
  });

  it('says where an action named a scope', () => {
    expect(placesOf({ in: ['command', 'output'] })).toEqual(['command line', 'output']);
    expect(hitWords({ scope: 'state-lock', in: ['cwd', 'command', 'output'] })).toBe('state-lock (in the working directory, command line, and output)');
  });
});
