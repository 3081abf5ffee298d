import type { LedgerEntry, LedgerView } from '../../app/ports';
import type { BoardSignatures, SessionSignatures } from '../../app/views';
import { verifyCommitSignatures, type CommitSignatureCheck } from '../signing/commitSignature';
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

/**
 * The commander's board marks (issue 15, "the board marks sessions with unsigned or invalid
 * records"): per session, how many records are unsigned or not proven, judged against the roster
 * in force now as the session page judges them. A commit's signature check never changes, so it
 * is kept per commit: a board refresh verifies only the commits it has not seen.
 */
export class BoardSignatureMarks {
  private readonly checks = new Map<string, CommitSignatureCheck>();

  /** The marks for every session of `view`; without a roster nothing is proven and no session is singled out. */
  async marks(store: Pick<GitEvidenceStore, 'git' | 'objectFormat' | 'roster'>, view: LedgerView): Promise<BoardSignatures> {
    const roster = await store.roster().catch(() => null);
    if (!roster) return { roster: false, sessions: {} };
    const unseen = [...view.sessions.values()].flatMap((entries) => entries.map((e) => e.commit)).filter((c) => !this.checks.has(c));
    if (unseen.length > 0) {
      for (const { id, check } of await verifyCommitSignatures(store.git, unseen, { format: store.objectFormat, pool: null })) this.checks.set(id, check);
    }
    const sessions: BoardSignatures['sessions'] = {};
    for (const [sessionId, entries] of view.sessions) {
      const operator = entries[0]?.record.type === 'declared' ? entries[0].record.actor : null;
      const operatorKeys = new Map<string, string[]>();
      let unsigned = 0;
      let invalid = 0;
      for (const e of entries) {
        const check = this.checks.get(e.commit)!;
        if (judgeRecordSignature(roster, e.record, e.path, e.commit, check, operator, operatorKeys).status === 'proven') continue;
        if (check.status === 'unsigned') unsigned += 1;
        else invalid += 1;
      }
      if (unsigned + invalid > 0) sessions[sessionId] = { unsigned, invalid };
    }
    return { roster: true, sessions };
  }
}
