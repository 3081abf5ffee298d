import '../forms/zodConfig';
import { declarationSchemaFor, declarationTemplate } from '../../app/declaration';
import type { Policy } from '../../app/policy';
import { topOf, type FieldIssues } from '../forms/issues';
import { validateWithStandIns } from '../forms/standIn';
import type { StepIndex, WizardFields } from './fields';

/**
 * The declaration's field validation with THE schema the service uses (issue 4:
 * `declarationSchemaFor(policy)`), through the forms' one stand-in validation
 * (forms/standIn.ts): the fields still structurally invalid are stood in for by the policy's own
 * template (`declarationTemplate`), so the policy's rules (incident ID format, justification
 * length, maximum duration, named operator…) are reported as soon as a field is left. Cross-field
 * rules are kept only when the field they depend on is the operator's own (scopes need the
 * environment, required governed paths need the trigger).
 */

/** The candidate declaration: the fields as the service will receive them (the service trims). */
export function toDeclaration(fields: WizardFields): Record<string, unknown> {
  const duration = fields.duration.trim();
  return {
    trigger: fields.trigger === '' ? undefined : fields.trigger,
    governedPathsTried: fields.governedPaths.map((r) => ({ path: r.path, failure: r.failure })),
    materialRisk: fields.materialRisk,
    attestations: { ...fields.attestations },
    incidentId: fields.incidentId,
    justification: fields.justification,
    environment: fields.environment,
    scopes: [...fields.scopes],
    // A number only when it reads as one; anything else is left for the schema to refuse in its own words.
    durationMinutes: duration === '' ? undefined : /^[+-]?\d+(\.\d+)?$/.test(duration) ? Number(duration) : Number.NaN,
    operator: { name: fields.operatorName, email: fields.operatorEmail },
  };
}

/** Fields whose cross-field rules depend on another top-level field. */
const DEPENDS_ON: Record<string, string> = { scopes: 'environment', governedPathsTried: 'trigger' };

/** The schema and the valid stand-ins of one policy, built once (validation runs at every keystroke). */
const perPolicy = new WeakMap<Policy, { schema: ReturnType<typeof declarationSchemaFor>; template: Record<string, unknown> }>();
function forPolicy(policy: Policy) {
  let p = perPolicy.get(policy);
  if (!p) perPolicy.set(policy, (p = { schema: declarationSchemaFor(policy), template: declarationTemplate(policy) as unknown as Record<string, unknown> }));
  return p;
}

/** Every issue of the declaration the wizard would send, keyed by field path, in the schema's order. */
export function validateFields(policy: Policy, fields: WizardFields): FieldIssues {
  const { schema, template } = forPolicy(policy);
  return validateWithStandIns({
    schema,
    candidate: toDeclaration(fields),
    standIns: template,
    // The wizard never sends unknown keys.
    ignoredCodes: ['unrecognized_keys'],
    dependsOn: DEPENDS_ON,
  });
}

/** Which step shows a field (by its service path), for routing an error back to where it is fixed. */
export function stepOfPath(path: string): StepIndex {
  switch (topOf(path)) {
    case 'trigger':
    case 'governedPathsTried':
    case 'materialRisk':
    case 'attestations':
      return 0;
    case 'preconditions':
      return 1;
    case 'incidentId':
    case 'justification':
    case 'operator':
      return 2;
    case 'environment':
    case 'scopes':
    case 'durationMinutes':
      return 3;
    default:
      return 4;
  }
}

/** The top-level fields each step validates on "Next" (the preconditions step checks the inputs of its checks). */
export const STEP_FIELDS: Record<StepIndex, readonly string[]> = {
  0: ['trigger', 'governedPathsTried', 'materialRisk', 'attestations'],
  1: ['environment', 'incidentId'],
  2: ['incidentId', 'justification', 'operator'],
  3: ['environment', 'scopes', 'durationMinutes'],
  4: ['trigger', 'governedPathsTried', 'materialRisk', 'attestations', 'incidentId', 'justification', 'operator', 'environment', 'scopes', 'durationMinutes'],
};

/** The issues that block leaving `step`. */
export function stepIssues(issues: FieldIssues, step: StepIndex): Array<{ path: string; messages: readonly string[] }> {
  const tops = new Set(STEP_FIELDS[step]);
  const out: Array<{ path: string; messages: readonly string[] }> = [];
  for (const [path, messages] of issues) {
    if (tops.has(topOf(path))) out.push({ path, messages });
  }
  return out;
}

/** The justification's length as the schema counts it (after trimming). */
export function justificationLength(text: string): number {
  return text.trim().length;
}
