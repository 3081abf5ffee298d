import type { LedgerEntry } from '../../app/ports';
import type { SessionSignatures } from '../../app/views';
import { verifyCommitSignatures } from '../signing/commitSignature';
import type { GitEvidenceStore } from './store';
import { judgeRecordSignature } from './verifySignatures';

/**
 * One session's record signatures for the session page and the review form (issue 15, "Every view
 * shows it"): its few commits read and verified in-process, judged against the roster in force
 * now. `breakglass verify` judges each commit against the roster at its parent over the whole
 * history; this is the quick look a page can afford on every open.
 */
export async function sessionSignatures(store: Pick<GitEvidenceStore, 'git' | 'objectFormat' | 'roster'>, entries: readonly LedgerEntry[]): Promise<SessionSignatures> {
  const roster = await store.roster().catch(() => null);
  if (entries.length === 0) return { roster: roster !== null, records: [] };
  const checks = await verifyCommitSignatures(store.git, entries.map((e) => e.commit), { format: store.objectFormat, pool: null });
  const operator = entries[0]?.record.type === 'declared' ? entries[0].record.actor : null;
  const operatorKeys = new Map<string, string[]>();
  return { roster: roster !== null, records: entries.map((e, i) => judgeRecordSignature(roster, e.record, e.path, e.commit, checks[i]!.check, operator, operatorKeys)) };
}
