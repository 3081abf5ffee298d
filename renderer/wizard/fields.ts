import '../forms/zodConfig';
import { z } from 'zod';
import type { Draft } from '../../app/contract';
import { TRIGGER_IDS, type Policy, type TriggerId } from '../../app/policy';

/**
 * What the operator types into the declaration wizard (issue 4), exactly as typed: strings stay
 * strings (the duration too) so that nothing is lost or normalised before the operator sees it.
 * `toDeclaration` (validate.ts) turns it into the declaration the service parses.
 */

/** One governed access path tried, as a row of the list (procedure.md §2). */
export interface GovernedPathRow {
  /** Stable key for React and for error routing; never sent to the service. */
  key: string;
  path: string;
  failure: string;
  /** Pre-listed because the policy requires this path for the chosen trigger: its name is fixed. */
  required: boolean;
}

/** The three attestations of seed §2. */
export interface AttestationFields {
  notExpediency: boolean;
  notRoutineChange: boolean;
  notGovernanceAvoidance: boolean;
}

/** Every field of the wizard. */
export interface WizardFields {
  trigger: TriggerId | '';
  governedPaths: GovernedPathRow[];
  materialRisk: string;
  attestations: AttestationFields;
  incidentId: string;
  justification: string;
  operatorName: string;
  operatorEmail: string;
  environment: string;
  scopes: string[];
  /** Minutes, as typed. */
  duration: string;
  /** The incident ID typed again on the review step. */
  confirmation: string;
}

/** The five steps, in order (issue 4). */
export const STEPS = [
  { id: 'trigger', title: 'Trigger' },
  { id: 'preconditions', title: 'Preconditions' },
  { id: 'incident', title: 'Incident and justification' },
  { id: 'scope', title: 'Scope and duration' },
  { id: 'review', title: 'Review and declare' },
] as const;

/** A step's index, 0–4. */
export type StepIndex = 0 | 1 | 2 | 3 | 4;

/** The last step. */
export const REVIEW_STEP: StepIndex = 4;

let rowCounter = 0;
/** A fresh row key (unique within this page). */
export function rowKey(): string {
  rowCounter += 1;
  return `row-${Date.now().toString(36)}-${rowCounter}`;
}

/** An empty governed-path row. */
export function emptyRow(path = '', required = false): GovernedPathRow {
  return { key: rowKey(), path, failure: '', required };
}

/** The fields of a new declaration: nothing chosen (least privilege: no scope preselected), the policy's default duration. */
export function emptyFields(policy: Policy | null, operator: { name: string; email: string } | null): WizardFields {
  return {
    trigger: '',
    governedPaths: [emptyRow()],
    materialRisk: '',
    attestations: { notExpediency: false, notRoutineChange: false, notGovernanceAvoidance: false },
    incidentId: '',
    justification: '',
    operatorName: operator?.name ?? '',
    operatorEmail: operator?.email ?? '',
    environment: policy && policy.environments.length === 1 ? policy.environments[0]!.id : '',
    scopes: [],
    duration: policy ? String(policy.duration.defaultMinutes) : '',
    confirmation: '',
  };
}

/**
 * The policy's required paths for `trigger` are pre-listed (issue 4): rows are added for the
 * missing ones, and rows the previous trigger required are dropped when nothing was typed in them.
 */
export function withRequiredPaths(rows: GovernedPathRow[], policy: Policy | null, trigger: TriggerId | ''): GovernedPathRow[] {
  const required = policy && trigger ? policy.requiredGovernedPaths[trigger] ?? [] : [];
  const wanted = new Set(required.map((p) => p.trim().toLowerCase()));
  const kept = rows
    .filter((r) => !r.required || wanted.has(r.path.trim().toLowerCase()) || r.failure.trim() !== '')
    .map((r) => ({ ...r, required: wanted.has(r.path.trim().toLowerCase()) }));
  const present = new Set(kept.map((r) => r.path.trim().toLowerCase()));
  const added = required.filter((p) => !present.has(p.trim().toLowerCase())).map((p) => emptyRow(p, true));
  // Required paths first, in the policy's order; an untouched blank row is dropped once something is pre-listed.
  const rest = kept.filter((r) => !(added.length > 0 && !r.required && r.path.trim() === '' && r.failure.trim() === ''));
  const all = [...added, ...rest];
  const order = (r: GovernedPathRow) => (r.required ? required.findIndex((p) => p.trim().toLowerCase() === r.path.trim().toLowerCase()) : required.length);
  const sorted = all.map((r, i) => ({ r, i })).sort((a, b) => order(a.r) - order(b.r) || a.i - b.i).map((x) => x.r);
  return sorted.length > 0 ? sorted : [emptyRow()];
}

// The draft is read back from disk: untrusted input (style.md "What we take" 8). Every field is
// parsed on its own, so one damaged field never costs the operator the others.
const str = (max: number) => z.string().max(max).catch('');
const DraftFieldsSchema = z.object({
  trigger: z.enum(TRIGGER_IDS).or(z.literal('')).catch(''),
  governedPaths: z
    .array(z.object({ path: str(400), failure: str(4000), required: z.boolean().catch(false) }))
    .max(50)
    .catch([]),
  materialRisk: str(8000),
  attestations: z
    .object({ notExpediency: z.boolean().catch(false), notRoutineChange: z.boolean().catch(false), notGovernanceAvoidance: z.boolean().catch(false) })
    .catch({ notExpediency: false, notRoutineChange: false, notGovernanceAvoidance: false }),
  incidentId: str(500),
  justification: str(16000),
  operatorName: str(400),
  operatorEmail: str(400),
  environment: str(63),
  scopes: z.array(z.string().max(63)).max(100).catch([]),
  duration: str(12),
  confirmation: str(500),
  maxStep: z.number().int().min(0).max(4).catch(0),
});

/** What a saved draft restores: the fields, the step and the furthest step reached. */
export interface RestoredDraft {
  fields: WizardFields;
  step: StepIndex;
  maxStep: StepIndex;
  savedAt: string | null;
}

/** Reads a draft saved by `toDraft`; damaged fields come back empty, never as garbage. */
export function fromDraft(draft: Draft): RestoredDraft {
  const f = DraftFieldsSchema.parse(draft.fields);
  const step = Math.min(4, Math.max(0, draft.step)) as StepIndex;
  return {
    step,
    maxStep: Math.max(step, f.maxStep) as StepIndex,
    savedAt: draft.savedAt ?? null,
    fields: {
      trigger: f.trigger,
      governedPaths: f.governedPaths.length > 0 ? f.governedPaths.map((r) => ({ ...r, key: rowKey() })) : [emptyRow()],
      materialRisk: f.materialRisk,
      attestations: f.attestations,
      incidentId: f.incidentId,
      justification: f.justification,
      operatorName: f.operatorName,
      operatorEmail: f.operatorEmail,
      environment: f.environment,
      scopes: [...new Set(f.scopes)],
      duration: f.duration,
      confirmation: f.confirmation,
    },
  };
}

/** The draft as `draft.save` takes it (kept locally, never in the evidence repository). */
export function toDraft(fields: WizardFields, step: StepIndex, maxStep: StepIndex): Draft {
  return {
    step,
    fields: {
      trigger: fields.trigger,
      governedPaths: fields.governedPaths.map(({ path, failure, required }) => ({ path, failure, required })),
      materialRisk: fields.materialRisk,
      attestations: { ...fields.attestations },
      incidentId: fields.incidentId,
      justification: fields.justification,
      operatorName: fields.operatorName,
      operatorEmail: fields.operatorEmail,
      environment: fields.environment,
      scopes: [...fields.scopes],
      duration: fields.duration,
      confirmation: fields.confirmation,
      maxStep,
    },
  };
}
