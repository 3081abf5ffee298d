import './zodConfig';
import { declarationSchemaFor, declarationTemplate } from '../../app/declaration';
import type { Policy } from '../../app/policy';
import { formatPath } from '../../app/zodIssues';
import type { StepIndex, WizardFields } from './fields';

/**
 * Field validation with THE schema the service uses (issue 4: `declarationSchemaFor(policy)`).
 *
 * zod runs an object's refinements only once every field is structurally valid, so a single
 * `safeParse(draft)` of a half-filled wizard reports "required" for the empty fields and nothing
 * about the policy's rules (incident ID format, justification length, maximum duration, named
 * operator…) of the fields already typed. To report those as soon as the field is left, the
 * fields that are still structurally invalid are stood in for by the policy's own template
 * (`declarationTemplate`) and the same schema runs again; only issues about the operator's own,
 * structurally valid fields are kept from that second pass. Cross-field rules are kept only when
 * the field they depend on is the operator's own (scopes need the environment, required
 * governed paths need the trigger).
 */

/** Issues keyed by the field path the service uses (`incidentId`, `governedPathsTried[0].failure`). */
export type FieldIssues = ReadonlyMap<string, readonly string[]>;

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

const schemaCache = new WeakMap<Policy, ReturnType<typeof declarationSchemaFor>>();
function schemaFor(policy: Policy) {
  let s = schemaCache.get(policy);
  if (!s) schemaCache.set(policy, (s = declarationSchemaFor(policy)));
  return s;
}

/** Every issue of the declaration the wizard would send, keyed by field path, in the schema's order. */
export function validateFields(policy: Policy, fields: WizardFields): FieldIssues {
  const schema = schemaFor(policy);
  const candidate = toDeclaration(fields);
  const first = schema.safeParse(candidate);
  const out = new Map<string, string[]>();
  const add = (path: ReadonlyArray<PropertyKey>, message: string) => {
    const key = formatPath(path);
    const list = out.get(key) ?? [];
    if (!list.includes(message)) list.push(message);
    out.set(key, list);
  };
  if (first.success) return out;
  const invalidTop = new Set<string>();
  for (const issue of first.error.issues) {
    if (issue.code === 'unrecognized_keys') continue; // the wizard never sends unknown keys
    add(issue.path, issue.message);
    invalidTop.add(String(issue.path[0] ?? ''));
  }
  if (invalidTop.size === 0) return out;
  // Second pass: the same schema, the invalid fields stood in for by the policy's template.
  const template = declarationTemplate(policy) as unknown as Record<string, unknown>;
  const stand = { ...candidate };
  for (const key of invalidTop) if (key in template) stand[key] = template[key];
  const second = schema.safeParse(stand);
  if (!second.success) {
    for (const issue of second.error.issues) {
      const top = String(issue.path[0] ?? '');
      if (invalidTop.has(top)) continue;
      const dependency = DEPENDS_ON[top];
      if (dependency && invalidTop.has(dependency)) continue;
      add(issue.path, issue.message);
    }
  }
  return out;
}

/** Issues of one field: its own path exactly, or (with `nested`) every path below it too. */
export function issuesAt(issues: FieldIssues, key: string, nested = false): string[] {
  const out: string[] = [...(issues.get(key) ?? [])];
  if (nested) {
    for (const [k, v] of issues) {
      if (k !== key && (k.startsWith(`${key}.`) || k.startsWith(`${key}[`))) out.push(...v);
    }
  }
  return [...new Set(out)];
}

/** Which step shows a field (by its service path), for routing an error back to where it is fixed. */
export function stepOfPath(path: string): StepIndex {
  const top = path.split(/[.[]/)[0] ?? '';
  switch (top) {
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
    if (tops.has(path.split(/[.[]/)[0] ?? '')) out.push({ path, messages });
  }
  return out;
}

/** The justification's length as the schema counts it (after trimming). */
export function justificationLength(text: string): number {
  return text.trim().length;
}
