import { beforeWitness, clockMovedBack, stampNext, type ClockReading, type NextStamp } from './clock';
import type { Person } from './identity';
import { sealRecord } from './ledger';
import type { AppendRecord, LedgerEntry } from './ports';
import { isChainRecord, type EvidenceRecord, type RecordBoot, type UnsealedRecord } from './records';

/** A record for {@link ChainWriter.add}: the writer supplies the session, time, boot reading and host. */
export type ChainRecordInput = { [T in UnsealedRecord['type']]: Omit<Extract<UnsealedRecord, { type: T }>, 'sessionId' | 'at' | 'boot' | 'host'> }[UnsealedRecord['type']];

/** What a {@link ChainWriter} writes for. */
export interface ChainWriterOptions {
  sessionId: string;
  append: AppendRecord;
  incidentId: string | null;
  host: { id: string; name: string };
  /** Who a clock-skew record names: the session's operator, or the host journal's account. */
  skewActor: Person;
  /** The chain in a refusal: "session bg-…", "this host's journal". */
  what: string;
  /** A chain whose records sit outside the session's chain (reviews on the reviewer's host) takes no clock-skew record. */
  skews?: boolean;
}

/**
 * Appends records to one chain within a write (issue 16): each dated by the write's one reading of
 * both clocks, never before the chain's last record (a wall clock that moved back is refused:
 * nothing is written), and preceded by a `clock-skew` record when the wall clock's elapsed time
 * disagrees with the boot clock's beyond the policy's tolerance.
 */
export class ChainWriter {
  private list: LedgerEntry[];

  constructor(entries: readonly LedgerEntry[] | undefined, private readonly clock: ClockReading, private readonly o: ChainWriterOptions) {
    this.list = [...(entries ?? [])];
  }

  /** The chain's entries so far, with those this writer appended. */
  get entries(): readonly LedgerEntry[] {
    return this.list;
  }

  /** What the reading means for the next record; `movedBack` throws the refusal. */
  stamp(): Extract<NextStamp, { ok: true }> {
    const witnessed = beforeWitness(this.clock);
    if (witnessed) throw witnessed;
    const s = stampNext(this.chain(), this.clock);
    if (!s.ok) throw clockMovedBack(this.clock.nowMs, s.last, this.o.what);
    return s;
  }

  /** True when the wall clock reads before the chain's last record (nothing can be added now). */
  movedBack(): boolean {
    return beforeWitness(this.clock) !== null || !stampNext(this.chain(), this.clock).ok;
  }

  /** Commits a clock-skew record when the reading calls for one; true if it did. */
  async skewIfDue(): Promise<boolean> {
    const s = this.stamp();
    if (!s.skew || this.o.skews === false) return false;
    await this.commit({ type: 'clock-skew', actor: this.o.skewActor, redactions: 0, payload: s.skew }, s.skew.wallClockAt, s);
    return true;
  }

  /**
   * Commits `input` (after a clock-skew record if one is due), dated `at` (default: the reading's
   * wall time; an `expired` record gives its expiry instant), never before the chain's last record.
   */
  async add(input: ChainRecordInput, at?: string): Promise<{ record: EvidenceRecord; commit: string }> {
    await this.skewIfDue();
    const s = this.stamp();
    const last = this.chain().at(-1);
    const wanted = at ?? new Date(this.clock.nowMs).toISOString();
    return this.commit(input, last && Date.parse(last.at) > Date.parse(wanted) ? last.at : wanted, s);
  }

  private chain(): EvidenceRecord[] {
    return this.list.map((e) => e.record).filter((r) => this.o.skews === false || isChainRecord(r));
  }

  private async commit(input: ChainRecordInput, at: string, s: { boot: RecordBoot | undefined }): Promise<{ record: EvidenceRecord; commit: string }> {
    const record = sealRecord(this.list, { ...input, sessionId: this.o.sessionId, at, host: this.o.host, ...(s.boot ? { boot: s.boot } : {}) } as UnsealedRecord);
    const commit = await this.o.append(record, this.o.incidentId);
    this.list = [...this.list, { record, commit, path: '' }];
    return { record, commit };
  }
}
