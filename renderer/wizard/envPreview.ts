import '../forms/zodConfig';
import { declarationSchemaFor, type Declaration } from '../../app/declaration';
import { formatPerson } from '../../app/identity';
import { renderEnvExport } from '../../app/envExport';
import type { Policy } from '../../app/policy';
import { redactDeep } from '../../app/redact';
import { toDeclaration } from './validate';
import type { WizardFields } from './fields';

/**
 * The exact environment block the session will export (procedure.md §4), rendered by the same
 * `renderEnvExport` as `breakglass env`, from the declaration as the service will record it:
 * parsed (trimmed) by the policy's schema and redacted (the ledger keeps only redacted text, and
 * the block is derived from the ledger). The session id and the commit exist only once the
 * record is committed, so they are placeholders; the times are "if declared now".
 */

/** Stands in for the session id until the commit. */
export const SESSION_ID_PLACEHOLDER = '<session id: assigned when the record is committed>';
/** Stands in for the commit of the declared record. */
export const COMMIT_PLACEHOLDER = '<commit of the declared record>';

/** The preview, or why there is none yet. */
export type EnvPreview = { ok: true; text: string; redactions: number; declaredAt: Date; expiresAt: Date } | { ok: false; reason: string };

/** Renders the block for `fields` as if declared at `now`. */
export function envPreview(policy: Policy, fields: WizardFields, now: number): EnvPreview {
  const parsed = declarationSchemaFor(policy).safeParse(toDeclaration(fields));
  if (!parsed.success) return { ok: false, reason: 'The block appears once every field is valid.' };
  const { value, count } = redactDeep<Declaration>(parsed.data);
  const declaredAt = new Date(now);
  const expiresAt = new Date(now + value.durationMinutes * 60_000);
  try {
    const text = renderEnvExport({
      reason: value.justification,
      timestamp: declaredAt,
      incidentId: value.incidentId,
      operator: formatPerson(value.operator),
      environment: value.environment,
      trigger: value.trigger,
      expiresAt,
      sessionId: SESSION_ID_PLACEHOLDER,
      evidenceCommit: COMMIT_PLACEHOLDER,
    });
    return { ok: true, text, redactions: count, declaredAt, expiresAt };
  } catch (e) {
    // renderEnvExport refuses values no shell can hold (a NUL, a lone surrogate): say which.
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
