import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../../app/policy';
import { emptyFields, emptyRow, fromDraft, toDraft, withRequiredPaths } from '../../../renderer/wizard/fields';
import { activeSessionIn, blocking, operatorOf, preconditionKey, wizardIssues } from '../../../renderer/wizard/rules';
import { stepIssues, stepOfPath, toDeclaration } from '../../../renderer/wizard/validate';
import { view } from './fixtures';

const POLICY: Policy = { ...DEFAULT_POLICY, requiredGovernedPaths: { 'signing-keys-unavailable': [], 'backend-lock-integrity': ['Platform on-call force-unlock'], 'prolonged-outage': [] } };

describe('the wizard\u2019s fields (renderer/wizard/fields.ts)', () => {
  it('starts with nothing chosen but the policy\u2019s default duration and the git identity', () => {
    const f = emptyFields(POLICY, { name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(f).toMatchObject({ trigger: '', scopes: [], environment: '', duration: '30', operatorName: 'Ada Lovelace', operatorEmail: 'ada@example.com' });
    expect(emptyFields({ ...POLICY, environments: [POLICY.environments[0]!] }, null).environment).toBe('production');
  });

  it('pre-lists the paths the policy requires for the trigger, first, and drops untouched ones when the trigger changes', () => {
    const rows = withRequiredPaths([emptyRow()], POLICY, 'backend-lock-integrity');
    expect(rows.map((r) => [r.path, r.required])).toEqual([['Platform on-call force-unlock', true]]);
    const typed = [{ ...rows[0]!, failure: 'Needs the backend' }, { ...emptyRow('CI/CD apply'), failure: 'Lock held' }];
    expect(withRequiredPaths(typed, POLICY, 'prolonged-outage').map((r) => [r.path, r.required])).toEqual([['Platform on-call force-unlock', false], ['CI/CD apply', false]]);
    expect(withRequiredPaths(rows, POLICY, 'prolonged-outage').map((r) => r.path)).toEqual(['']);
  });

  it('keeps a draft across a restart, and a damaged field comes back empty, never as garbage', () => {
    const f = { ...emptyFields(POLICY, null), incidentId: 'INC-7', scopes: ['state-lock'] };
    const back = fromDraft({ ...toDraft(f, 2, 3), savedAt: '2026-11-28T09:00:00.000Z' });
    expect(back).toMatchObject({ step: 2, maxStep: 3, savedAt: '2026-11-28T09:00:00.000Z' });
    expect(back.fields.incidentId).toBe('INC-7');
    expect(back.fields.scopes).toEqual(['state-lock']);
    const damaged = fromDraft({ step: 9, fields: { incidentId: 42, trigger: 'nope', scopes: 'x' } } as never);
    expect(damaged).toMatchObject({ step: 4, maxStep: 4 });
    expect(damaged.fields).toMatchObject({ incidentId: '', trigger: '', scopes: [] });
  });

  it('sends the duration as a number only when it reads as one', () => {
    expect(toDeclaration({ ...emptyFields(POLICY, null), duration: ' 45 ' }).durationMinutes).toBe(45);
    expect(toDeclaration({ ...emptyFields(POLICY, null), duration: '' }).durationMinutes).toBeUndefined();
    expect(toDeclaration({ ...emptyFields(POLICY, null), duration: 'soon' }).durationMinutes).toBeNaN();
  });
});

describe('the wizard\u2019s rules (renderer/wizard/rules.ts, validate.ts)', () => {
  const open = [view({ sessionId: 'bg-1', incidentId: 'INC-1', environment: 'production' }), view({ sessionId: 'bg-2', environment: 'pre-production', mine: false })];

  it('knows this host\u2019s one active session per environment', () => {
    expect(activeSessionIn(open, 'production')?.sessionId).toBe('bg-1');
    expect(activeSessionIn(open, 'pre-production')).toBeNull();
    expect(activeSessionIn(open, '')).toBeNull();
  });

  it('adds the environment conflict and the typed confirmation to the schema\u2019s issues', () => {
    const f = { ...emptyFields(POLICY, null), environment: 'production', incidentId: 'INC-9', confirmation: 'INC-8' };
    const issues = wizardIssues(POLICY, f, open);
    expect(issues.get('environment')?.at(-1)).toMatch(/^Pick another environment: production already has an active session on this host \(INC-1\)/);
    expect(issues.get('confirmation')).toEqual(['"INC-8" does not match the incident ID INC-9: type it exactly as shown above.']);
    expect(wizardIssues(null, { ...f, confirmation: '' }, []).get('confirmation')).toEqual(['Type the incident ID INC-9 to confirm the declaration.']);
  });

  it('routes a field back to its step, and only the confirmation blocks declaring beyond the steps\u2019 fields', () => {
    expect(stepOfPath('governedPathsTried[0].failure')).toBe(0);
    expect(stepOfPath('operator.name')).toBe(2);
    expect(stepOfPath('durationMinutes')).toBe(3);
    expect(stepOfPath('anything-else')).toBe(4);
    const issues = new Map([['incidentId', ['x']], ['confirmation', ['y']]]);
    expect(stepIssues(issues, 2).map((i) => i.path)).toEqual(['incidentId']);
    expect(blocking(issues, 3)).toEqual([]);
    expect(blocking(issues, 4).map((i) => i.path)).toEqual(['incidentId', 'confirmation']);
  });

  it('checks preconditions for the inputs they depend on: a well-formed operator only', () => {
    const f = { ...emptyFields(POLICY, null), environment: 'production', incidentId: ' INC-1 ', operatorName: 'Ada Lovelace', operatorEmail: 'not-an-email' };
    expect(operatorOf(f)).toBeNull();
    expect(preconditionKey(f)).toBe(JSON.stringify({ environment: 'production', incidentId: 'INC-1', operator: null }));
    expect(operatorOf({ ...f, operatorEmail: 'ada@example.com' })).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(preconditionKey({ ...f, justification: 'changes nothing' })).toBe(preconditionKey(f));
  });
});
