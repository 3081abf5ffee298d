import '../wizard/zodConfig';
import type { Person } from '../../app/identity';
import { ReviewSchema, type Review } from '../../app/records';
import { formatPath } from '../../app/zodIssues';
import type { FieldIssues } from '../wizard/validate';

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
 * Every issue of the review, keyed by field path (`reviewer.name`, `followUps[1].owner`). zod runs
 * the findings rule only once everything else is valid; a second pass with valid stand-ins for
 * the invalid fields reports it as soon as the outcome is chosen, as the wizard does.
 */
export function validateReview(d: ReviewDraft, supersedes: string | null): FieldIssues {
  const candidate = toReview(d, supersedes);
  const out = new Map<string, string[]>();
  const add = (path: ReadonlyArray<PropertyKey>, message: string) => {
    const key = formatPath(path);
    const list = out.get(key) ?? [];
    const text = FORM_WORDING[key] && !(key in candidate) ? FORM_WORDING[key] : message;
    if (!list.includes(text)) list.push(text);
    out.set(key, list);
  };
  const first = ReviewSchema.safeParse(candidate);
  if (first.success) return out;
  const invalidTop = new Set<string>();
  for (const issue of first.error.issues) {
    add(issue.path, issue.message);
    invalidTop.add(String(issue.path[0] ?? ''));
  }
  if (invalidTop.has('outcome')) return out;
  const stand: Record<string, unknown> = { ...candidate };
  for (const key of invalidTop) if (key in STAND_IN) stand[key] = STAND_IN[key];
  const second = ReviewSchema.safeParse(stand);
  if (!second.success) {
    for (const issue of second.error.issues) {
      if (!invalidTop.has(String(issue.path[0] ?? ''))) add(issue.path, issue.message);
    }
  }
  return out;
}

/** The top-level field a path belongs to (`followUps[0].due` → `followUps`). */
export function topOf(path: string): string {
  return path.split(/[.[]/)[0] ?? '';
}
