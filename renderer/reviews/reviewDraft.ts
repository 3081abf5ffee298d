import '../forms/zodConfig';
import type { Person } from '../../app/identity';
import { ReviewSchema, type Review } from '../../app/records';
import { unprovenReviewProblem } from '../../app/roster/unprovenRecords';
import type { ErrorInfo } from '../../app/contract';
import { topOf, type FieldIssues } from '../forms/issues';
import { validateWithStandIns } from '../forms/standIn';

/**
 * The review form's fields as typed, and their validation with THE schema the service parses
 * (ReviewSchema, app/records.ts): the form refuses nothing the service would accept, and what it
 * lets through is refused by the service only for reasons it cannot know (who operated, whether
 * the review in force changed meanwhile).
 */

export type Outcome = Review['outcome'];

/** One follow-up row; `key` keeps React's rows stable while rows are added and removed. */
export interface FollowUpRow {
  key: string;
  action: string;
  owner: string;
  /** YYYY-MM-DD as the date input gives it, or ''. */
  due: string;
}

/** Everything typed into the form. */
export interface ReviewDraft {
  name: string;
  email: string;
  outcome: Outcome | '';
  /** Nothing picked yet, a real emergency, or a drill: the schema needs an explicit answer. */
  kind: '' | 'real' | 'drill';
  findings: string;
  followUps: FollowUpRow[];
}

let rowCounter = 0;
/** A new, empty follow-up row. */
export function emptyFollowUp(): FollowUpRow {
  rowCounter += 1;
  return { key: `fu-${rowCounter}`, action: '', owner: '', due: '' };
}

/**
 * A new draft: the reviewer from this host's git identity when known; for a correction, the
 * verdict of the review in force as the starting point (a correction usually changes one thing).
 */
export function initialDraft(identity: Person | null, current: Review | null): ReviewDraft {
  return {
    name: identity?.name ?? '',
    email: identity?.email ?? '',
    outcome: current?.outcome ?? '',
    kind: current ? (current.drill ? 'drill' : 'real') : '',
    findings: current?.findings ?? '',
    followUps: (current?.followUps ?? []).map((f) => ({ ...emptyFollowUp(), action: f.action, owner: f.owner, due: f.due ?? '' })),
  };
}

/** The review the form would submit (plain JSON: an unset field is absent, so the schema names it). */
export function toReview(d: ReviewDraft, supersedes: string | null): Record<string, unknown> {
  return {
    reviewer: { name: d.name, email: d.email },
    ...(d.outcome ? { outcome: d.outcome } : {}),
    ...(d.kind ? { drill: d.kind === 'drill' } : {}),
    findings: d.findings,
    followUps: d.followUps.map((f) => ({ action: f.action, owner: f.owner, ...(f.due ? { due: f.due } : {}) })),
    ...(supersedes ? { supersedes } : {}),
  };
}

/** The schema's messages are written for the review file; a form with radio buttons says it this way. */
const FORM_WORDING: Record<string, string> = {
  outcome: 'Choose the outcome of the review.',
  drill: 'Say whether this was a real emergency or a drill.',
};

/** Valid stand-ins for fields that are structurally invalid, so the cross-field rule (findings) runs on the rest. */
const STAND_IN: Record<string, unknown> = {
  reviewer: { name: 'Stand In', email: 'stand.in@example.com' },
  outcome: 'justified',
  drill: false,
  findings: '',
  followUps: [],
};

/**
 * Every issue of the review, keyed by field path (`reviewer.name`, `followUps[1].owner`), through
 * the forms' one stand-in validation (forms/standIn.ts): the findings rule is reported as soon as
 * the outcome is chosen, as the wizard reports the policy's rules.
 */
export function validateReview(d: ReviewDraft, supersedes: string | null, unproven = 0): FieldIssues {
  const issues = validateWithStandIns({
    schema: ReviewSchema,
    candidate: toReview(d, supersedes),
    standIns: STAND_IN,
    // Whether findings are required depends on the outcome: nothing to say until one is chosen.
    decisive: ['outcome'],
    unsetWording: FORM_WORDING,
  });
  // Issue 15: records no roster key proves are a finding; main refuses "justified" with the same words.
  const problem = unprovenReviewProblem(unproven, d.outcome);
  if (problem === null) return issues;
  return new Map([...issues, ['outcome', [...(issues.get('outcome') ?? []), problem]]]);
}

/** Where the last "Commit" stands: refusals from main placed by field, or one for the form as a whole. */
export interface Submission {
  status: 'idle' | 'submitting';
  /** Refusals from main by field path (`reviewer`, `reviewer.name`, `findings`…). */
  server: Map<string, string[]>;
  /** A refusal that concerns no field of the form (the session's state, the review in force changed). */
  general: string | null;
  /** How many problems the last "Commit" attempt found in the form itself. */
  clientCount: number;
}

/** Nothing submitted, nothing refused. */
export const IDLE: Submission = { status: 'idle', server: new Map(), general: null, clientCount: 0 };

/** The form's top-level fields: a refusal about one of them is shown at it. */
const FORM_FIELDS: ReadonlySet<string> = new Set(['reviewer', 'outcome', 'drill', 'findings', 'followUps']);

/** A refusal from main, placed by the field it concerns (`error.field`, or every problem's path); the rest is said for the form as a whole. */
export function refusalOf(error: ErrorInfo): Submission {
  const server = new Map<string, string[]>();
  const place = (path: string, message: string) => {
    if (!FORM_FIELDS.has(topOf(path))) return false;
    server.set(path, [...(server.get(path) ?? []), message]);
    return true;
  };
  let placed = false;
  if (error.problems && error.problems.length > 0) {
    for (const p of error.problems) placed = place(p.path, p.message) || placed;
  } else if (error.field) placed = place(error.field, error.message);
  return { status: 'idle', server, general: placed ? null : error.message, clientCount: 0 };
}

/** The form's own issues and main's refusals together, each message once per field. */
export function mergedIssues(client: FieldIssues, server: ReadonlyMap<string, readonly string[]>): FieldIssues {
  const merged = new Map<string, string[]>();
  for (const [k, v] of client) merged.set(k, [...v]);
  for (const [k, v] of server) merged.set(k, [...(merged.get(k) ?? []), ...v.filter((m) => !(merged.get(k) ?? []).includes(m))]);
  return merged;
}

/** The top-level fields a change to the draft touches (the reviewer's name and e-mail are one field to main): their refusals no longer apply. */
export function changedFields(patch: Partial<ReviewDraft>): Set<string> {
  return new Set(Object.keys(patch).map((k) => (k === 'name' || k === 'email' ? 'reviewer' : k === 'kind' ? 'drill' : k)));
}
