import '../forms/zodConfig';
import { PersonSchema } from '../../app/identity';
import type { Policy } from '../../app/policy';
import type { SessionView } from '../../app/views';
import type { FieldIssues } from '../forms/issues';
import { REVIEW_STEP, type StepIndex, type WizardFields } from './fields';
import { stepIssues, validateFields } from './validate';

/**
 * The wizard's rules beyond the schema (issue 4): which inputs the precondition checks answer,
 * the one active session per environment (procedure.md §5), the typed confirmation, and what
 * blocks leaving a step. Pure functions of the fields, the policy and the snapshot.
 */

/** The key of the inputs the precondition checks depend on. */
export function preconditionKey(fields: WizardFields): string {
  return JSON.stringify({ environment: fields.environment, incidentId: fields.incidentId.trim(), operator: operatorOf(fields) });
}

/** The operator, when it is a well-formed person (the checks take it only then). */
export function operatorOf(fields: WizardFields): { name: string; email: string } | null {
  const p = PersonSchema.safeParse({ name: fields.operatorName, email: fields.operatorEmail });
  return p.success ? p.data : null;
}

/** This host's active session in `environment`, if any (procedure.md §5: one per environment). */
export function activeSessionIn(open: readonly SessionView[] | undefined, environment: string): SessionView | null {
  if (!environment) return null;
  return open?.find((s) => s.mine && s.phase === 'active' && s.environment === environment) ?? null;
}

/** Every issue the wizard shows: the schema's, the active-session conflict and the confirmation. */
export function wizardIssues(policy: Policy | null, fields: WizardFields, open: readonly SessionView[] | undefined): FieldIssues {
  const out = new Map<string, readonly string[]>(policy ? validateFields(policy, fields) : []);
  const conflict = activeSessionIn(open, fields.environment);
  if (conflict) {
    out.set('environment', [
      ...(out.get('environment') ?? []),
      `Pick another environment: ${conflict.environment} already has an active session on this host (${conflict.incidentId}), and only one may be active per environment.`,
    ]);
  }
  const incident = fields.incidentId.trim();
  const typed = fields.confirmation.trim();
  if (typed === '') out.set('confirmation', [`Type the incident ID${incident ? ` ${incident}` : ''} to confirm the declaration.`]);
  else if (typed !== incident) out.set('confirmation', [`"${typed}" does not match the incident ID ${incident || '(none entered yet)'}: type it exactly as shown above.`]);
  return out;
}

/** Issues that block leaving a step (the confirmation only blocks declaring). */
export function blocking(issues: FieldIssues, step: StepIndex): Array<{ path: string; messages: readonly string[] }> {
  const list = stepIssues(issues, step);
  if (step === REVIEW_STEP && issues.has('confirmation')) list.push({ path: 'confirmation', messages: issues.get('confirmation')! });
  return list;
}
