import { z } from 'zod';
import { newSessionId } from '../ledger';
import type { Policy } from '../policy';
import type { Roster } from './schema';

/**
 * Governed changes of policy.yaml and roster.yaml (issue 15, "Policy and roster changes are
 * governed"): a change counts only when signed by the number of distinct roster admins the policy
 * names (default 2). A change is a proposal commit (the whole new file, signed by its proposer,
 * who counts as the first admin) plus approval commits, each signed by a different admin; the
 * last approval's signer then commits the adopted file. Layout in the evidence repository:
 *   governance/<proposal-id>/roster.yaml | policy.yaml   the proposed file, byte for byte
 *   governance/<proposal-id>/approval-<person-id>.json    one approval
 * The proposed file's blob is the adopted file's blob, so verify matches them by object id.
 */

/** The files whose changes are governed. */
export const GOVERNED_FILES = ['roster.yaml', 'policy.yaml'] as const;

/** One governed file. */
export type GovernedFile = (typeof GOVERNED_FILES)[number];

/** Default number of distinct roster admins a governed change needs (issue 15). */
export const DEFAULT_GOVERNANCE_APPROVALS = 2;

/** A proposal id: `gov-YYYYMMDD-HHMMSS-<8 hex>`. */
export const ProposalIdSchema = z.string().regex(/^gov-\d{8}-\d{6}-[0-9a-f]{8}$/, 'Not a proposal id (gov-YYYYMMDD-HHMMSS-xxxxxxxx).');

/** The content of an approval file: which proposal, by whom (the signature proves who). */
export const ApprovalSchema = z.object({
  proposal: ProposalIdSchema,
  file: z.enum(GOVERNED_FILES),
  /** SHA-256 of the proposed file's text: an approval names exactly what it approves. */
  proposedSha256: z.string().regex(/^[0-9a-f]{64}$/),
  approver: z.string().min(1).max(64),
}).strict();

/** An approval file's content. */
export type Approval = z.infer<typeof ApprovalSchema>;

/** A new proposal id from the time and Web Crypto randomness (the session id's form, with its own prefix). */
export function newProposalId(nowMs: number): string {
  return newSessionId(nowMs).replace(/^bg-/, 'gov-');
}

/** What a governance path is: a proposed file, an approval, or neither (null). */
export type GovernancePath =
  | { kind: 'proposal'; id: string; file: GovernedFile }
  | { kind: 'approval'; id: string; personId: string };

/** Reads a path under governance/ (null for anything else). */
export function parseGovernancePath(p: string): GovernancePath | null {
  const m = /^governance\/(gov-\d{8}-\d{6}-[0-9a-f]{8})\/(roster\.yaml|policy\.yaml|approval-([a-z0-9][a-z0-9-]{0,62})\.json)$/.exec(p);
  if (!m) return null;
  if (m[3] !== undefined) return { kind: 'approval', id: m[1]!, personId: m[3] };
  return { kind: 'proposal', id: m[1]!, file: m[2] as GovernedFile };
}

/** Where a proposal's file lives. */
export function proposalPath(id: string, file: GovernedFile): string {
  return `governance/${id}/${file}`;
}

/** Where one admin's approval of a proposal lives. */
export function approvalPath(id: string, personId: string): string {
  return `governance/${id}/approval-${personId}.json`;
}

/**
 * How many distinct roster admins a governed change needs: the policy's number (default 2), but
 * never more than the roster has admins — a roster with one admin (just created) can still add the
 * second; the console and verify say so.
 */
export function approvalsRequired(roster: Roster, policy: Pick<Policy, 'governanceApprovals'> | null): number {
  const wanted = policy?.governanceApprovals ?? DEFAULT_GOVERNANCE_APPROVALS;
  const admins = roster.people.filter((p) => p.roles.includes('roster-admin')).length;
  return Math.max(1, Math.min(wanted, admins));
}

/** The commit message trailer that names the proposal an adopted file comes from. */
export function adoptionMessage(file: GovernedFile, id: string): string {
  return `breakglass: adopt ${file} from proposal ${id}\n\nBreakglass-Proposal: ${id}\n`;
}
