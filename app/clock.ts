import { refused, type BreakGlassError } from './errors';
import type { BootReading, LedgerEntry, LedgerView } from './ports';
import { isChainRecord, type EvidenceRecord, type RecordBoot, type RecordOf } from './records';

/**
 * A clock the operator cannot move alone (issue 16). Every record carries, beside its wall time,
 * the host's boot clock (boot id and time since boot, counting suspend), which a preloaded clock
 * shim such as libfaketime does not change. Pure: the service reads both clocks once per write
 * and asks these functions what that reading means for a chain of records (a session's, or the
 * host journal's).
 *
 * - Wall time never goes back along a chain: a record dated before the previous one is refused.
 * - In one boot, the wall clock's elapsed time is compared with the boot clock's since the chain's
 *   reference record; beyond the policy's tolerance a `clock-skew` record says so, and the
 *   session's expiry follows the earlier of the wall-clock and the boot-clock deadlines.
 * - A declaration dated ahead of this host's last record by more than the boot clock's elapsed
 *   time plus the tolerance is refused; across a reboot it must still not be dated before it.
 */

/** A boot-checked clock-skew record: its skew moves the session's deadline. */
export type BootSkewRecord = RecordOf<'clock-skew'> & { payload: { elapsed: NonNullable<RecordOf<'clock-skew'>['payload']['elapsed']> } };

/** True for a clock-skew record measured against the boot clock (issue 16), not between two console ticks. */
export function isBootSkew(r: EvidenceRecord): r is BootSkewRecord {
  return r.type === 'clock-skew' && r.payload.elapsed !== undefined;
}

/** The payload of a boot-checked clock-skew record: what was seen, both elapsed times and the difference. */
export type SkewFigures = BootSkewRecord['payload'];

/** Both clocks as one write read them, with the policy's tolerance. */
export interface ClockReading {
  nowMs: number;
  boot: BootReading | null;
  toleranceMs: number;
  /**
   * The latest time a witness stated this host's history (issue 16), by the witness's clock: no
   * record may be written while this host's clock reads before it (less the tolerance) — across a
   * reboot too, where the boot clock has nothing to compare with.
   */
  witnessed?: { atMs: number; at: string; by: string };
}

/** The refusal for a reading before the last witness of this host's history (less the tolerance), or null. */
export function beforeWitness(reading: ClockReading): BreakGlassError | null {
  const w = reading.witnessed;
  if (!w || reading.nowMs >= w.atMs - reading.toleranceMs) return null;
  return refused(`The host clock reads ${new Date(reading.nowMs).toISOString()}, ${formatSpan(w.atMs - reading.nowMs)} before ${w.by} witnessed this host's history (${w.at}): no record can be dated before a witness saw the history it extends. Nothing was recorded. Set the clock right (timedatectl, or the time service) and try again.`);
}

/**
 * The record of `chain` that a reading in boot `bootId` is compared with: among the records at
 * the chain's end written in that boot, the latest boot-checked clock-skew record (it took in
 * everything before it), else the first. An `expired` record is dated at the expiry instant, not
 * when it was written, so it is never the reference (nor does it end the run). Null when the
 * chain's last record was written in another boot, or without a boot clock.
 */
export function clockReference(chain: readonly EvidenceRecord[], bootId: string): EvidenceRecord | null {
  let ref: EvidenceRecord | null = null;
  for (let i = chain.length - 1; i >= 0; i--) {
    const r = chain[i]!;
    if (r.boot?.id !== bootId) break;
    if (r.type === 'expired') continue;
    ref = r;
    if (isBootSkew(r)) break;
  }
  return ref;
}

/** Elapsed wall and boot time from `ref` to a reading, as a clock-skew record states them; null if the boot clock went back (not a real boot clock). */
export function skewSince(ref: EvidenceRecord, nowMs: number, boot: BootReading): SkewFigures | null {
  if (!ref.boot || ref.boot.id !== boot.id) return null;
  const refAt = Date.parse(ref.at);
  const wallMs = nowMs - refAt;
  const bootMs = boot.sinceBootMs - ref.boot.sinceBootMs;
  if (bootMs < 0) return null;
  return {
    wallClockAt: new Date(nowMs).toISOString(),
    expectedAt: new Date(refAt + bootMs).toISOString(),
    skewMs: wallMs - bootMs,
    elapsed: { sinceSeq: ref.seq, wallMs, bootMs },
  };
}

/** How the next record of a chain is dated by a reading: refused (the wall clock reads before the chain's last record), or its boot field and the clock-skew to commit first. */
export type NextStamp =
  | { ok: false; last: EvidenceRecord }
  | { ok: true; boot: RecordBoot | undefined; skew: SkewFigures | null };

/** What a reading means for the next record of `chain` (in seq order; a new chain is empty). */
export function stampNext(chain: readonly EvidenceRecord[], reading: ClockReading): NextStamp {
  const last = chain[chain.length - 1];
  if (last && reading.nowMs < Date.parse(last.at)) return { ok: false, last };
  const b = reading.boot;
  if (!b) return { ok: true, boot: undefined, skew: null };
  const boot: RecordBoot = { id: b.id, sinceBootMs: b.sinceBootMs, ...(last?.boot && last.boot.id !== b.id ? { changed: true as const } : {}) };
  const ref = clockReference(chain, b.id);
  const figures = ref ? skewSince(ref, reading.nowMs, b) : null;
  return { ok: true, boot, skew: figures && Math.abs(figures.skewMs) > reading.toleranceMs ? figures : null };
}

/** A session's clock as its records say it (folded with the session, app/lifecycle.ts). */
export interface SessionClock {
  /** The sum of its boot-checked skews: how far the wall clock ran ahead (+) or behind (−) the boot clock since the declaration. */
  driftMs: number;
  /** The record the next reading is compared with (in the last record's boot), or null. */
  reference: EvidenceRecord | null;
}

/** Folds a session's chain records (in order) into its {@link SessionClock}. */
export function sessionClockOf(chain: readonly EvidenceRecord[]): SessionClock {
  let driftMs = 0;
  for (const r of chain) if (isBootSkew(r)) driftMs += r.payload.skewMs;
  const lastBoot = chain[chain.length - 1]?.boot?.id;
  return { driftMs, reference: lastBoot ? clockReference(chain, lastBoot) : null };
}

/**
 * The session's expiry as an instant of the wall clock, the earlier of its two deadlines: the
 * wall-clock deadline (declared, plus extensions), and the boot clock's, which lies `driftMs`
 * away from it in the wall clock's terms. A wall clock moved back makes the boot clock's the
 * earlier; one moved ahead reaches its own deadline early. `reading` adds what it sees since the
 * last record when that already disagrees beyond the tolerance (a read that writes nothing: a
 * backdated `env` or `status` must not see more time than the boot clock allows).
 */
export function effectiveExpiryMs(wallExpiresAt: string, clock: SessionClock, reading?: ClockReading): number {
  let drift = clock.driftMs;
  if (reading?.boot && clock.reference) {
    const pending = skewSince(clock.reference, reading.nowMs, reading.boot);
    if (pending && Math.abs(pending.skewMs) > reading.toleranceMs) drift += pending.skewMs;
  }
  return Date.parse(wallExpiresAt) + Math.min(0, drift);
}

/** The refusal of a record the wall clock dates before its chain's last record (issue 16). */
export function clockMovedBack(nowMs: number, last: EvidenceRecord, what: string): BreakGlassError {
  const behind = Date.parse(last.at) - nowMs;
  return refused(`The host clock moved back: it reads ${new Date(nowMs).toISOString()}, ${formatSpan(behind)} before ${what}'s last record (#${last.seq}, ${last.at}). Nothing was recorded. Set the clock right (timedatectl, or the time service) and try again; if that record was dated by a clock that ran ahead, records can be added again from ${last.at}.`);
}

/** This host's most recent records: by boot time in the current boot, and by wall time across every boot. */
export interface HostLast {
  /** The record of the reading's boot with the greatest time since boot. */
  sameBoot: EvidenceRecord | null;
  /** The record with the latest wall time. */
  latest: EvidenceRecord | null;
}

/**
 * This host's most recent records in the view (its sessions, its journal, its reviews). A chain's
 * times and boot readings never go back, so each chain's last record stands for it: one look per
 * session, not per record (a declaration in a repository of 200,000 records).
 */
export function hostLastRecords(view: LedgerView, hostId: string, bootId: string | null): HostLast {
  let sameBoot: EvidenceRecord | null = null;
  let latest: EvidenceRecord | null = null;
  let latestMs = -Infinity;
  const consider = (r: EvidenceRecord) => {
    const ms = Date.parse(r.at);
    if (ms > latestMs) [latest, latestMs] = [r, ms];
    if (bootId && r.boot?.id === bootId && (!sameBoot || r.boot.sinceBootMs > sameBoot.boot!.sinceBootMs)) sameBoot = r;
  };
  for (const entries of view.sessions.values()) {
    // Reviews filed on reviewers' hosts come after the chain (issue 14): this host's are among them.
    let i = entries.length - 1;
    for (; i >= 0 && !isChainRecord(entries[i]!.record); i--) if (entries[i]!.record.host.id === hostId) consider(entries[i]!.record);
    const last = entries[i]?.record;
    if (last && entries[0]!.record.host.id === hostId) consider(last);
  }
  return { sameBoot, latest };
}

/**
 * A declaration's clock check against this host's last records (issue 16). In the boot of the
 * reading, it is refused when its wall time disagrees with this boot's last record by more than
 * the boot clock's elapsed time since, plus or minus the tolerance (a future- or backdated
 * declaration); across a reboot, when it is dated before the latest of this host's records.
 * Without a boot reading (macOS, Windows) it is not checked. Returns its boot field otherwise.
 */
export function declarationStamp(last: HostLast, reading: ClockReading): { ok: true; boot: RecordBoot | undefined } | { ok: false; error: BreakGlassError } {
  const { nowMs, boot: b } = reading;
  const witnessed = beforeWitness(reading);
  if (witnessed) return { ok: false, error: witnessed };
  if (!b) return { ok: true, boot: undefined };
  if (last.sameBoot) {
    const f = skewSince(last.sameBoot, nowMs, b);
    if (f && Math.abs(f.skewMs) > reading.toleranceMs) {
      const r = last.sameBoot;
      const way = f.skewMs > 0 ? 'ahead' : 'behind';
      return {
        ok: false,
        error: refused(`The host clock is ${way}: it reads ${f.wallClockAt}, but since this host's last record (${r.sessionId} #${r.seq}, ${r.at}) the boot clock counted ${formatSpan(f.elapsed.bootMs)}, so it should read about ${f.expectedAt} (${formatSpan(f.skewMs)} ${way}; the policy allows ${formatSpan(reading.toleranceMs)}). Nothing was recorded. Set the clock right (timedatectl, or the time service) and declare again; if it is right now and was wrong at that record, restarting the host starts its boot clock afresh.`),
      };
    }
    return { ok: true, boot: { id: b.id, sinceBootMs: b.sinceBootMs } };
  }
  if (last.latest && nowMs < Date.parse(last.latest.at)) return { ok: false, error: clockMovedBack(nowMs, last.latest, 'this host') };
  const changed = last.latest?.boot !== undefined && last.latest.boot.id !== b.id;
  return { ok: true, boot: { id: b.id, sinceBootMs: b.sinceBootMs, ...(changed ? { changed: true as const } : {}) } };
}

/** One clock problem of a record, addressed as verify addresses every problem (app/ledger.ts, IntegrityProblem). */
export interface ClockProblem {
  sessionId: string;
  seq: number;
  path: string;
  commit: string;
  message: string;
}

/**
 * verify's clock checks of one chain (entries in seq order): wall time never goes back; in one
 * boot, neither does the boot clock; `changed` is set exactly when the boot changed; and every
 * boot-checked clock-skew record's figures are those of the two records' own clocks.
 */
export function verifyChainClock(sessionId: string, chain: readonly LedgerEntry[]): ClockProblem[] {
  const problems: ClockProblem[] = [];
  const bySeq = new Map(chain.map((e) => [e.record.seq, e.record]));
  chain.forEach((entry, i) => {
    const r = entry.record;
    const at = { sessionId, seq: r.seq, path: entry.path, commit: entry.commit };
    const prev = chain[i - 1]?.record;
    if (prev && Date.parse(r.at) < Date.parse(prev.at)) problems.push({ ...at, message: `Dated ${r.at}, before the previous record (#${prev.seq}, ${prev.at}): the host clock moved back.` });
    if (prev?.boot && r.boot) {
      const sameBoot = prev.boot.id === r.boot.id;
      if (sameBoot && r.boot.sinceBootMs < prev.boot.sinceBootMs) problems.push({ ...at, message: `Its boot clock reads earlier than the previous record's (#${prev.seq}) in the same boot: a boot clock never goes back.` });
      if (sameBoot && r.boot.changed) problems.push({ ...at, message: `Says the boot changed, but the previous record (#${prev.seq}) was written in the same boot.` });
      if (!sameBoot && !r.boot.changed) problems.push({ ...at, message: `Written in another boot than the previous record (#${prev.seq}) without saying so.` });
    }
    if (isBootSkew(r)) {
      const ref = bySeq.get(r.payload.elapsed.sinceSeq);
      const f = ref && ref.seq < r.seq && r.boot ? skewSince(ref, Date.parse(r.payload.wallClockAt), r.boot) : null;
      const p = r.payload;
      if (!f || f.skewMs !== p.skewMs || f.elapsed.wallMs !== p.elapsed.wallMs || f.elapsed.bootMs !== p.elapsed.bootMs || f.expectedAt !== p.expectedAt || p.wallClockAt !== r.at) {
        problems.push({ ...at, message: `The clock-skew figures do not match the clocks of records #${p.elapsed.sinceSeq} and #${r.seq}.` });
      }
    }
  });
  return problems;
}

/** "2 h 5 min", "45 s", "1 day 3 h": a span of time in an error message. */
export function formatSpan(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = d > 0 ? [`${d} day${d === 1 ? '' : 's'}`, ...(h ? [`${h} h`] : [])] : h > 0 ? [`${h} h`, ...(m ? [`${m} min`] : [])] : m > 0 ? [`${m} min`, ...(s % 60 ? [`${s % 60} s`] : [])] : [`${s} s`];
  return parts.join(' ');
}

/** What a clock-skew record proves, in one sentence (the session page and the report say it alike). */
export function describeClockSkew(p: RecordOf<'clock-skew'>['payload']): string {
  const signed = (ms: number) => `${ms < 0 ? '−' : '+'}${formatSpan(ms)}`;
  const direction = p.skewMs >= 0 ? `ran ${formatSpan(p.skewMs)} ahead of it` : `fell ${formatSpan(p.skewMs)} behind it`;
  if (p.elapsed) {
    return `Since record #${p.elapsed.sinceSeq} the wall clock counted ${signed(p.elapsed.wallMs)} and the boot clock ${signed(p.elapsed.bootMs)} (time since the host started, which setting the system time does not move): the wall clock ${direction}.`;
  }
  return `Between two ticks of the running console the wall clock read ${p.wallClockAt} where its monotonic clock expected ${p.expectedAt} (${signed(p.skewMs)}); not checked against a boot clock, so the expiry did not move.`;
}

/** Which deadline a session ends by (issue 16), in one sentence. */
export function describeDeadline(s: { expiresAt: string; wallExpiresAt?: string | undefined }): string {
  return s.wallExpiresAt && s.wallExpiresAt !== s.expiresAt
    ? `The session ends at ${s.expiresAt} by the boot clock, earlier than the wall clock's deadline ${s.wallExpiresAt}: the earlier of the two counts.`
    : `The session ends at ${s.expiresAt}, the wall clock's deadline, which is the earlier of the two.`;
}

/**
 * A `now()` for a running command's or shell's deadline (issue 16): it reaches an instant when
 * either clock does — the wall clock, or the wall time at the start plus the boot clock's elapsed
 * time since — so a wall clock set back while a command runs does not stretch its session.
 */
export function deadlineNow(wall: () => number, boot: { read(): BootReading | null } | undefined): () => number {
  const start = { wall: wall(), boot: boot?.read() ?? null };
  return () => {
    const w = wall();
    const b = start.boot ? boot?.read() : null;
    return b && start.boot && b.id === start.boot.id ? Math.max(w, start.wall + (b.sinceBootMs - start.boot.sinceBootMs)) : w;
  };
}
