import { EvidenceRecordSchema, isChainRecord, type EvidenceRecord } from '../../app/records';
import type { LedgerEntry } from '../../app/ports';
import { problemsFromZod } from '../../app/zodIssues';
import { hostIdOfRef } from './layout';

/** One record file's text parsed and validated: the record, or why it is unreadable (the words verify reports). */
export function parseRecordText(text: string | undefined): { record: EvidenceRecord; error: null } | { record: null; error: string } {
  try {
    const result = EvidenceRecordSchema.safeParse(JSON.parse(text ?? ''));
    if (result.success) return { record: result.data, error: null };
    return { record: null, error: problemsFromZod(result.error).map((x) => `${x.path}: ${x.message}`).join('; ') };
  } catch (e) {
    return { record: null, error: `not JSON (${(e as Error).message})` };
  }
}

/** Why a path that is not a record path is unreadable. */
export const NOT_A_RECORD_PATH = 'not a record path (sessions/<YYYY>/<MM>/<session>/<seq>-<type>.json)';

/**
 * Of the copies two refs hold of one path (issue 14), the one shown: the copy on the ref of the host
 * the record names (the writer's own), else the organisation branch's, else the first.
 */
export function shownCopy(copies: ReadonlyArray<{ ref: string; blob: string }>, textOf: (blob: string) => string | undefined, isOrganisation: (ref: string) => boolean): { ref: string; blob: string } {
  const writerOf = (blob: string): string | null => parseRecordText(textOf(blob)).record?.host.id ?? null;
  return copies.find((c) => hostIdOfRef(c.ref) !== null && hostIdOfRef(c.ref) === writerOf(c.blob)) ?? copies.find((c) => isOrganisation(c.ref)) ?? copies[0]!;
}

/** A session's entries: its chain in seq order, then the reviews filed on reviewers' hosts by time. */
export function sortEntries(list: LedgerEntry[]): LedgerEntry[] {
  const key = (e: LedgerEntry) => (isChainRecord(e.record) ? 0 : 1);
  return list.sort((a, b) => key(a) - key(b) || (key(a) === 0
    ? a.record.seq - b.record.seq
    : a.record.at.localeCompare(b.record.at) || a.record.host.id.localeCompare(b.record.host.id) || a.record.seq - b.record.seq));
}
