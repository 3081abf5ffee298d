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
  comparedWithRemote: string | null;
  problems: IntegrityProblem[];
}
