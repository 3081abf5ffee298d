import type { Person } from '../identity';
import type { TriggerId } from '../policy';
import type { EvidenceRecord, RecordType } from '../records';

/**
 * What forwarding needs from the evidence ledger (issue 19: "the ledger is the outbox"): the
 * records this host wrote, in the order it committed them, after a cursor. The evidence store
 * implements it; nothing is held in memory, so a full or failing destination never loses a record.
 */

/** The last record a destination acknowledged: its hash, its commit, and its 1-based position among this host's records. */
export interface ForwardCursor {
  hash: string;
  commit: string;
  position: number;
}

/** What a record's session says about it: the declaration's facts and the expiry in force at that record. */
export interface SessionContext {
  incidentId: string;
  environment: string;
  trigger: TriggerId;
  scopes: readonly string[];
  operator: Person;
  declaredAt: string;
  /** The expiry in force once this record is committed (after any extension up to it). */
  expiresAt: string;
}

/** One record to forward, with where it sits in the ledger. */
export interface ForwardItem {
  record: EvidenceRecord;
  /** The evidence commit that added the record. */
  commit: string;
  /** 1-based position among this host's records, in commit order. */
  position: number;
  /** Null for host journals (lock-recovered, policy-adopted), which belong to no session. */
  session: SessionContext | null;
}

/** The ledger's tip: the commit the branch points at, how many records it holds, how many of them this host wrote. */
export interface LedgerTip {
  commit: string | null;
  records: number;
  ownRecords: number;
}

/** The ledger as forwarding reads it. */
export interface ForwardSource {
  /**
   * This host's records after `cursor` (from the first when null), oldest first, at most `limit`;
   * with `types`, only records of those types. Throws {@link CursorNotInLedger} when the cursor's
   * commit is not in the history any more.
   */
  recordsAfter(cursor: ForwardCursor | null, options: { limit: number; types?: readonly RecordType[] }): Promise<ForwardItem[]>;
  /** The current tip. */
  tip(): Promise<LedgerTip>;
}

/** The history no longer holds the cursor's commit (rewritten or replaced): forwarding starts again from the first record. */
export class CursorNotInLedger extends Error {
  constructor(readonly cursor: ForwardCursor) {
    super(`The evidence history no longer contains commit ${cursor.commit}, the last one forwarded.`);
    this.name = 'CursorNotInLedger';
  }
}

/** The session context of the record with sequence number `seq`, from its session's records (null for journals or without a declaration). */
export function sessionContextAt(sessionRecords: readonly EvidenceRecord[], seq: number): SessionContext | null {
  const first = sessionRecords[0];
  if (!first || first.type !== 'declared') return null;
  let expiresAt = first.payload.expiresAt;
  for (const r of sessionRecords) {
    if (r.seq > seq) break;
    if (r.type === 'extended') expiresAt = r.payload.newExpiresAt;
  }
  const d = first.payload.declaration;
  return { incidentId: d.incidentId, environment: d.environment, trigger: d.trigger, scopes: d.scopes, operator: d.operator, declaredAt: first.at, expiresAt };
}
