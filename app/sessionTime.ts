import { ChainWriter, type ChainWriterOptions } from './chainWriter';
import { deadlineNow, type ClockReading } from './clock';
import { lastWitnessOf, witnessClaims } from './witness';
import { BreakGlassError } from './errors';
import type { HostJournal } from './hostJournal';
import type { Person } from './identity';
import { sessionStatesAt } from './ledger';
import { foldSession, stateAt, type SessionState } from './lifecycle';
import { DEFAULT_POLICY } from './policy';
import type { AppendRecord, BootClock, Clock, EvidenceStore, HostInfo, LedgerView } from './ports';
import type { EvidenceRecord } from './records';
import { hostSessions } from './sessionSelection';

/**
 * Time, for the service (procedure.md §5–§6, issues 5 and 16): both clocks read once per write,
 * the session states they give, and the records time writes on its own — `expired` at the expiry,
 * `clock-skew` where the wall clock disagrees with the boot clock (or, without one, jumps between
 * two console ticks).
 */
export class SessionTime {
  constructor(
    private readonly deps: { store: EvidenceStore; clock: Clock; boot?: BootClock | undefined; host: HostInfo },
    private readonly journal: HostJournal,
  ) {}

  /** Both clocks as read now, with the tolerance of `view`'s policy; every record of one write is dated by one reading. */
  reading(view: LedgerView, nowMs: number = this.deps.clock.now()): ClockReading {
    const policy = view.policy.ok ? view.policy.policy : DEFAULT_POLICY;
    const witnessed = lastWitnessOf(witnessClaims(view), this.deps.host.hostId);
    return { nowMs, boot: this.deps.boot?.read() ?? null, toleranceMs: policy.clockSkewToleranceSeconds * 1000, ...(witnessed ? { witnessed } : {}) };
  }

  /** True when this host has a boot clock to check the wall clock against (not on macOS or Windows). */
  get checksBootClock(): boolean {
    return this.deps.boot !== undefined && this.deps.boot.read() !== null;
  }

  /** Every session's state at `nowMs`, this host's expiries as both clocks read now. */
  statesAt(view: LedgerView, nowMs: number): SessionState[] {
    return sessionStatesAt(view, nowMs, this.reading(view, nowMs));
  }

  /** This host's sessions as both clocks read now. */
  hostSessions(view: LedgerView, clock: ClockReading): SessionState[] {
    return hostSessions(view, clock.nowMs, this.deps.host.hostId, clock);
  }

  /** A clock for a running command's or shell's deadline: it reaches an instant when either the wall clock or the boot clock does. */
  deadlineClock(): () => number {
    return deadlineNow(() => this.deps.clock.now(), this.deps.boot);
  }

  /** A writer for one session's chain within a write (`append` null: for checks only). */
  sessionWriter(view: LedgerView, s: SessionState, clock: ClockReading, append: AppendRecord | null): ChainWriter {
    const refuse: AppendRecord = () => Promise.reject(new BreakGlassError('internal', 'A clock check tried to write.'));
    return new ChainWriter(view.sessions.get(s.sessionId), clock, this.writerOptions(s.sessionId, append ?? refuse, s.declaration.incidentId, s.operator, `session ${s.sessionId}`));
  }

  /** What a writer of one of this host's chains is given. */
  writerOptions(sessionId: string, append: AppendRecord, incidentId: string | null, skewActor: Person, what: string): ChainWriterOptions {
    return { sessionId, append, incidentId, host: { id: this.deps.host.hostId, name: this.deps.host.hostName }, skewActor, what };
  }

  /** Commits `expired` (after a clock-skew record if one is due), dated at the expiry instant, never before the chain's last record. */
  async writeExpired(chain: ChainWriter, s: SessionState, clock: ClockReading): Promise<{ record: EvidenceRecord; commit: string }> {
    await chain.skewIfDue();
    // A skew just recorded may have moved the expiry: the instant comes from the records as they are now.
    const expiresAt = stateAt(foldSession(chain.entries.map((e) => e.record)), clock.nowMs, clock).expiresAt;
    return chain.add({ type: 'expired', actor: s.operator, redactions: 0, payload: { expiresAt, recordedAt: new Date(clock.nowMs).toISOString() } }, expiresAt);
  }

  /**
   * Writes `expired` for every session of this host whose expiry has passed unrecorded, with the
   * expiry as the event time (§6), never before the session's last record. Called on start and on
   * the countdown tick. A session whose last record the wall clock reads before is left until it
   * no longer does: its state is expired all the same.
   */
  async expireDue(): Promise<EvidenceRecord[]> {
    const first = await this.deps.store.read();
    const due = this.hostSessions(first, this.reading(first)).filter((s) => s.phase === 'expired' && !s.expiredRecorded);
    if (due.length === 0) return [];
    return this.deps.store.write(async (view, append, recovered) => {
      const clock = this.reading(view);
      await this.journal.first(view, append, recovered, clock);
      const written: EvidenceRecord[] = [];
      for (const s of this.hostSessions(view, clock)) {
        if (s.phase !== 'expired' || s.expiredRecorded) continue;
        const chain = this.sessionWriter(view, s, clock, append);
        if (chain.movedBack()) continue;
        written.push((await this.writeExpired(chain, s, clock)).record);
      }
      return written;
    });
  }

  /**
   * Checks the wall clock against the boot clock in every open session of this host (issue 16):
   * where they disagree beyond the policy's tolerance since the session's reference record, a
   * `clock-skew` record says so, and the expiry follows the earlier deadline. The console's tick
   * calls it every second; it writes nothing where they agree (or the host has no boot clock).
   */
  async recordBootSkews(view?: LedgerView): Promise<EvidenceRecord[]> {
    if (!this.deps.boot) return [];
    const due = (v: LedgerView, clock: ClockReading) => this.hostSessions(v, clock)
      .filter((s) => s.phase === 'active' || s.phase === 'expired')
      .filter((s) => {
        const chain = this.sessionWriter(v, s, clock, null);
        return !chain.movedBack() && chain.stamp().skew !== null;
      });
    const first = view ?? (await this.deps.store.read());
    if (due(first, this.reading(first)).length === 0) return [];
    return this.deps.store.write(async (current, append, recovered) => {
      const clock = this.reading(current);
      await this.journal.first(current, append, recovered, clock);
      const written: EvidenceRecord[] = [];
      for (const s of due(current, clock)) {
        const chain = this.sessionWriter(current, s, clock, append);
        if (await chain.skewIfDue()) written.push(chain.entries.at(-1)!.record);
      }
      return written;
    });
  }

  /**
   * Records a wall-clock jump seen against the monotonic clock between two console ticks (issue
   * 5), in every open session of this host: on a host without a boot clock, where
   * {@link recordBootSkews} cannot check. It does not move the expiry.
   */
  async recordClockSkew(wallClockAt: number, expectedAt: number): Promise<EvidenceRecord[]> {
    return this.deps.store.write(async (view, append, recovered) => {
      const clock = this.reading(view, wallClockAt);
      await this.journal.first(view, append, recovered, clock);
      const written: EvidenceRecord[] = [];
      for (const s of this.hostSessions(view, clock)) {
        if (s.phase !== 'active' && s.phase !== 'expired') continue;
        const chain = this.sessionWriter(view, s, clock, append);
        if (chain.movedBack()) continue;
        const r = await chain.add({
          type: 'clock-skew', actor: s.operator, redactions: 0,
          payload: { wallClockAt: new Date(wallClockAt).toISOString(), expectedAt: new Date(expectedAt).toISOString(), skewMs: Math.round(wallClockAt - expectedAt) },
        });
        written.push(r.record);
      }
      return written;
    });
  }
}
