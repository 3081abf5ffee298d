import '../../../renderer/forms/zodConfig';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../app/policy';
import { issuesAt, topOf } from '../../../renderer/forms/issues';
import { validateWithStandIns } from '../../../renderer/forms/standIn';
import { emptyFields } from '../../../renderer/wizard/fields';
import { validateFields } from '../../../renderer/wizard/validate';
import { initialDraft, validateReview } from '../../../renderer/reviews/reviewDraft';

/** A small schema with rules on the whole object: zod runs them only once no field is missing or of the wrong type. */
const Schema = z
  .object({ name: z.string({ error: 'Give a name.' }).min(1, 'Give a name.'), code: z.string({ error: 'Give a code.' }), count: z.number({ error: 'Give a count.' }) })
  .strict()
  .superRefine((v, ctx) => {
    if (v.code === 'x') ctx.addIssue({ code: 'custom', path: ['code'], message: 'The code may not be x.' });
    if (v.count > 10) ctx.addIssue({ code: 'custom', path: ['count'], message: 'Above 10 only with a name.' });
  });
const STAND_INS = { name: 'Stand In', code: 'ok', count: 1 };
const plain = (m: ReadonlyMap<string, readonly string[]>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));

describe('the one stand-in validation (renderer/forms/standIn.ts)', () => {
  it('reports a cross-field rule of a typed field while another field is still empty', () => {
    // One pass says only "Give a name.": zod skips the object's rules while a field is missing.
    expect(Schema.safeParse({ code: 'x', count: 1 }).error?.issues.map((i) => i.message)).toEqual(['Give a name.']);
    const issues = validateWithStandIns({ schema: Schema, candidate: { code: 'x', count: 1 }, standIns: STAND_INS });
    expect(plain(issues)).toEqual({ name: ['Give a name.'], code: ['The code may not be x.'] });
  });

  it('keeps nothing the second pass says about the fields that were stood in for', () => {
    const issues = validateWithStandIns({ schema: Schema, candidate: { count: 1 }, standIns: { ...STAND_INS, code: 'x' } });
    expect(plain(issues)).toEqual({ name: ['Give a name.'], code: ['Give a code.'] });
  });

  it('drops a rule whose field depends on one still invalid, and skips the second pass for a decisive field', () => {
    const candidate = { code: 'ok', count: 11 };
    expect(plain(validateWithStandIns({ schema: Schema, candidate, standIns: STAND_INS }))).toEqual({ name: ['Give a name.'], count: ['Above 10 only with a name.'] });
    expect(plain(validateWithStandIns({ schema: Schema, candidate, standIns: STAND_INS, dependsOn: { count: 'name' } }))).toEqual({ name: ['Give a name.'] });
    expect(plain(validateWithStandIns({ schema: Schema, candidate: { code: 'x', count: 1 }, standIns: STAND_INS, decisive: ['name'] }))).toEqual({ name: ['Give a name.'] });
  });

  it('leaves out codes the form never causes, and says an unset field in the form\u2019s words', () => {
    expect(plain(validateWithStandIns({ schema: Schema, candidate: { name: 'a', code: 'b', count: 1, extra: true }, standIns: STAND_INS, ignoredCodes: ['unrecognized_keys'] }))).toEqual({});
    const issues = validateWithStandIns({ schema: Schema, candidate: { name: 'a', code: 'b' }, standIns: STAND_INS, unsetWording: { count: 'Pick a count.' } });
    expect(plain(issues)).toEqual({ count: ['Pick a count.'] });
    expect(plain(validateWithStandIns({ schema: Schema, candidate: { name: 'a', code: 'x', count: 1 }, standIns: STAND_INS }))).toEqual({ code: ['The code may not be x.'] });
  });

  it('addresses nested fields by the service\u2019s paths', () => {
    const issues = new Map([['followUps[0].owner', ['Name an owner.']], ['followUps', ['Too many.']], ['reviewer.name', ['Name.']]]);
    expect(issuesAt(issues, 'followUps')).toEqual(['Too many.']);
    expect(issuesAt(issues, 'followUps', true)).toEqual(['Too many.', 'Name an owner.']);
    expect(topOf('followUps[0].owner')).toBe('followUps');
    expect(topOf('reviewer.name')).toBe('reviewer');
  });
});

describe('the wizard and the review form use it with the service\u2019s own schemas', () => {
  it('the declaration: the policy\u2019s incident ID rule as soon as the field is typed, nothing about untouched scopes', () => {
    const fields = { ...emptyFields(DEFAULT_POLICY, null), incidentId: 'not an incident' };
    const issues = validateFields(DEFAULT_POLICY, fields);
    expect(issues.get('incidentId')?.[0]).toMatch(/^"not an incident" is not a recognised incident reference: use a ticket key like INC-12345/);
    expect(issues.get('trigger')).toEqual(['Pick one authorized trigger: signing-keys-unavailable, backend-lock-integrity, prolonged-outage.']);
    expect(issues.has('confirmation')).toBe(false);
  });

  it('the review: findings required as soon as the outcome says so, even while the reviewer is not named yet', () => {
    const draft = { ...initialDraft(null, null), outcome: 'justified-with-findings' as const };
    const issues = validateReview(draft, null);
    expect(issues.get('findings')).toEqual(['Describe the findings behind this outcome.']);
    expect(issues.get('drill')).toEqual(['Say whether this was a real emergency or a drill.']);
    expect(issues.has('reviewer.name')).toBe(true);
    // No outcome yet: nothing to say about findings.
    expect(validateReview(initialDraft(null, null), null).has('findings')).toBe(false);
    expect(validateReview(initialDraft(null, null), null).get('outcome')).toEqual(['Choose the outcome of the review.']);
  });
});
