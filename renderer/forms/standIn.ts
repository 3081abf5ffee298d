import './zodConfig';
import { formatPath } from '../../app/zodIssues';
import type { FieldIssues } from './issues';

/**
 * Field validation with THE schema the service parses (issue 4 for the declaration, issue 7 for
 * the review): the form refuses nothing the service would accept.
 *
 * zod runs an object's refinements only once every field is structurally valid, so a single
 * `safeParse` of a half-filled form reports "required" for the empty fields and nothing about the
 * cross-field rules (the policy's incident ID format and justification length, findings required
 * unless justified…) of the fields already typed. To report those as soon as a field is left, the
 * fields that are still structurally invalid are stood in for by valid values and the same schema
 * runs again; only issues about the form's own, structurally valid fields are kept from that
 * second pass. The one implementation of that, for every form.
 */

/** A schema as far as this needs it: zod's `safeParse` and its issues. */
export interface ParsingSchema {
  safeParse(input: unknown): { success: boolean; error?: { issues: ReadonlyArray<{ code: string; path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** What one form asks of the validation. */
export interface StandInValidation {
  schema: ParsingSchema;
  /** The input as the form would send it (plain JSON: an unset field is absent). */
  candidate: Record<string, unknown>;
  /** Valid values for top-level fields, put in place of the invalid ones for the second pass. */
  standIns: Record<string, unknown>;
  /** Issue codes the form never reports (the wizard never sends unknown keys). */
  ignoredCodes?: readonly string[];
  /** Cross-field rules of a top-level field that depend on another one: kept only when that one is the form's own, valid value. */
  dependsOn?: Readonly<Record<string, string>>;
  /** Top-level fields that, while invalid, make the second pass say nothing useful (the review's outcome decides whether findings are required). */
  decisive?: readonly string[];
  /** The form's own words for a top-level field not set yet (radio buttons are chosen, not typed). */
  unsetWording?: Readonly<Record<string, string>>;
}

/** Every issue of the candidate, keyed by field path, in the schema's order: the first pass's, then the second's. */
export function validateWithStandIns(v: StandInValidation): FieldIssues {
  const out = new Map<string, string[]>();
  const add = (path: ReadonlyArray<PropertyKey>, message: string) => {
    const key = formatPath(path);
    const list = out.get(key) ?? [];
    const wording = v.unsetWording?.[key];
    const text = wording && !(key in v.candidate) ? wording : message;
    if (!list.includes(text)) list.push(text);
    out.set(key, list);
  };
  const first = v.schema.safeParse(v.candidate);
  if (first.success) return out;
  const invalidTop = new Set<string>();
  for (const issue of first.error?.issues ?? []) {
    if (v.ignoredCodes?.includes(issue.code)) continue;
    add(issue.path, issue.message);
    invalidTop.add(String(issue.path[0] ?? ''));
  }
  if (invalidTop.size === 0 || v.decisive?.some((k) => invalidTop.has(k))) return out;
  const stand: Record<string, unknown> = { ...v.candidate };
  for (const key of invalidTop) if (key in v.standIns) stand[key] = v.standIns[key];
  const second = v.schema.safeParse(stand);
  for (const issue of second.success ? [] : (second.error?.issues ?? [])) {
    const top = String(issue.path[0] ?? '');
    if (invalidTop.has(top)) continue;
    const dependency = v.dependsOn?.[top];
    if (dependency && invalidTop.has(dependency)) continue;
    add(issue.path, issue.message);
  }
  return out;
}
