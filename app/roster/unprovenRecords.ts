import { BreakGlassError } from '../errors';
import { parseRecordPath } from '../records';
import type { RecordSignature } from '../verifyResult';

/**
 * Records of a session that no roster key proves (issue 15): an operator's records committed
 * unsigned where the policy allows it (`unsignedDeclarations: allow`), or signed by a key the
 * roster does not give the person. Each is a finding the session's review must address, so a
 * review of such a session cannot be a plain "justified". Records made before the repository had
 * a roster are claimed, not unproven: nothing could sign them.
 */

/** The session's records other than reviews whose signature is not proven, in a repository with a roster. */
export function unprovenRecords(signatures: { roster: boolean; records: readonly RecordSignature[] } | undefined): RecordSignature[] {
  if (!signatures?.roster) return [];
  return signatures.records.filter((r) => r.status === 'invalid' && parseRecordPath(r.path)?.type !== 'reviewed');
}

/** Why a review with `outcome` cannot be committed for a session with `unproven` such records (null: it can). */
export function unprovenReviewProblem(unproven: number, outcome: string): string | null {
  if (unproven === 0 || outcome !== 'justified') return null;
  const records = unproven === 1 ? '1 record of this session is' : `${unproven} records of this session are`;
  return `${records} not proven by a roster key: a finding this review must address. Choose "justified-with-findings" or "not-justified" and say in the findings how the operator's identity was confirmed.`;
}

/** The refusal of such a review, on its outcome field (null: none). */
export function unprovenReviewRefusal(unproven: number, outcome: string): BreakGlassError | null {
  const problem = unprovenReviewProblem(unproven, outcome);
  return problem === null ? null : new BreakGlassError('refused', problem, { field: 'outcome' });
}
