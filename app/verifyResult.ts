import type { IntegrityProblem } from './ledger';

/**
 * The result of `breakglass verify` (issue 2), defined once: main/verify.ts produces it, the
 * audit report shows it (app/report/), and the CLI prints it.
 */
export interface VerifyResult {
  ok: boolean;
  head: string | null;
  sessions: number;
  records: number;
  commitsChecked: number;
  /** This host's fetched ref its own history was found to contain (null: nothing to compare with). */
  comparedWithRemote: string | null;
  /** Every fetched ref of the configured remote that history was compared with (issue 12 item 4). */
  comparedWith?: string[];
  /** The refs read: the organisation branch and every host's ref (issue 14). */
  tips?: Array<{ ref: string; commit: string }>;
  /** What verify did or found beside the evidence: a derived cache that disagreed with git and was rebuilt (issue 12 item 3). */
  notices?: string[];
  problems: IntegrityProblem[];
}
