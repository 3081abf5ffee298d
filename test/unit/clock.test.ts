import { describe, expect, it } from 'vitest';
import { clockReference, deadlineNow, declarationStamp, describeClockSkew, hostLastRecords, stampNext, verifyChainClock, type ClockReading, type SkewFigures } from '../../app/clock';
import { foldSession, stateAt } from '../../app/lifecycle';
import { buildReport } from '../../app/report/build';
import { renderMarkdown } from '../../app/report/markdown';
import { summarise } from '../../app/summary';
import { toSessionView } from '../../app/views';
import { input, view } from '../support/reportLedger';
import type { LedgerView } from '../../app/ports';
import type { EvidenceRecord, RecordBoot } from '../../app/records';
import { ChainBuilder } from '../support/records';

// Issue 16: a clock the operator cannot move alone. Pure parts (app/clock.ts): how a reading of
// both clocks dates the next record of a chain, what the boot clock does to a session's expiry,
// and what verify flags.

const T0 = Date.parse('2026-11-28T09:48:26.000Z');
const MIN = 60_000;
const BOOT = '93afa914-24e7-4bcf-ad50-529614aa08b5';
const OTHER_BOOT = '0e1d2c3b-4a59-4687-9786-a5b4c3d2e1f0';
const UP = 5_000_000; // time since boot at the declaration
const TOL = 120_000;

/** A reading `wallMin` minutes of wall clock and `bootMin` of boot clock after the declaration. */
function reading(wallMin: number, bootMin = wallMin, id = BOOT): ClockReading {
  return { nowMs: T0 + wallMin * MIN, boot: { id, sinceBootMs: UP + bootMin * MIN }, toleranceMs: TOL };
}

function boot(bootMin: number, id = BOOT, changed = false): RecordBoot {
  return { id, sinceBootMs: UP + bootMin * MIN, ...(changed ? { changed: true as const } : {}) };
}

/** A session declared at T0 (30 min) whose records carry the boot clock. */
function session(): ChainBuilder {
  const b = new ChainBuilder('bg-20261128-094826-0a1b2c3d', T0, 30).declared();
  (b.entries[0]!.record as { boot?: RecordBoot }).boot = boot(0);
  return b;
}

function note(b: ChainBuilder, wallMin: number, bootMin: number, id = BOOT, changed = false): EvidenceRecord {
  return b.add({ type: 'note', at: new Date(T0 + wallMin * MIN).toISOString(), boot: boot(bootMin, id, changed), redactions: 0, payload: { text: 'n' } } as never);
}

function skew(b: ChainBuilder, figures: SkewFigures, bootMin: number): EvidenceRecord {
  return b.add({ type: 'clock-skew', at: figures.wallClockAt, boot: boot(bootMin), redactions: 0, payload: figures } as never);
}

function okStamp(chain: readonly EvidenceRecord[], r: ClockReading) {
  const s = stampNext(chain, r);
  if (!s.ok) throw new Error('refused');
  return s;
}

describe('dating the next record of a chain by both clocks (issue 16)', () => {
  it('refuses a wall clock that reads before the chain\u2019s last record', () => {
    const b = session();
    note(b, 5, 5);
    const s = stampNext(b.records(), reading(4, 6));
    expect(s).toMatchObject({ ok: false, last: { seq: 2 } });
    // The same instant as the last record is not before it.
    expect(stampNext(b.records(), reading(5, 6)).ok).toBe(true);
  });

  it('takes the boot reading; within the tolerance no clock-skew record is due', () => {
    const b = session();
    expect(okStamp(b.records(), reading(10, 9))).toEqual({ ok: true, boot: { id: BOOT, sinceBootMs: UP + 9 * MIN }, skew: null });
    // Without a boot clock (macOS, Windows) only the order is checked.
    expect(okStamp(b.records(), { nowMs: T0 + 10 * MIN, boot: null, toleranceMs: TOL })).toEqual({ ok: true, boot: undefined, skew: null });
  });

  it('states both elapsed times and the difference when they disagree beyond the tolerance', () => {
    const b = session();
    // faketime '+2h' three seconds after the declaration.
    const s = okStamp(b.records(), { nowMs: T0 + 2 * 3600_000 + 3_000, boot: { id: BOOT, sinceBootMs: UP + 3_000 }, toleranceMs: TOL });
    expect(s.skew).toEqual({
      wallClockAt: new Date(T0 + 2 * 3600_000 + 3_000).toISOString(),
      expectedAt: new Date(T0 + 3_000).toISOString(),
      skewMs: 2 * 3600_000,
      elapsed: { sinceSeq: 1, wallMs: 2 * 3600_000 + 3_000, bootMs: 3_000 },
    });
    expect(describeClockSkew(s.skew!)).toBe('Since record #1 the wall clock counted +2 h and the boot clock +3 s (time since the host started, which setting the system time does not move): the wall clock ran 2 h ahead of it.');
    // Creep below the tolerance at each record still adds up against the reference (the declaration).
    note(b, 10, 11.5);
    expect(okStamp(b.records(), reading(20, 21.5)).skew).toBeNull();
    expect(okStamp(b.records(), reading(20, 22.5)).skew?.skewMs).toBe(-2.5 * MIN);
  });

  it('says the boot changed across a reboot, and compares nothing with the old boot', () => {
    const b = session();
    const s = okStamp(b.records(), reading(40, 1, OTHER_BOOT));
    expect(s).toEqual({ ok: true, boot: { id: OTHER_BOOT, sinceBootMs: UP + MIN, changed: true }, skew: null });
    note(b, 40, 1, OTHER_BOOT, true);
    expect(okStamp(b.records(), reading(41, 2, OTHER_BOOT)).boot).toEqual({ id: OTHER_BOOT, sinceBootMs: UP + 2 * MIN });
  });

  it('compares with the latest boot-checked clock-skew record, never with an expired record', () => {
    const b = session();
    note(b, 1, 1);
    const k = skew(b, okStamp(b.records(), reading(12, 2)).skew!, 2);
    expect(clockReference(b.records(), BOOT)).toBe(k);
    b.add({ type: 'expired', at: new Date(T0 + 30 * MIN).toISOString(), boot: boot(20), redactions: 0, payload: { expiresAt: new Date(T0 + 30 * MIN).toISOString(), recordedAt: new Date(T0 + 30 * MIN).toISOString() } } as never);
    expect(clockReference(b.records(), BOOT)).toBe(k);
    expect(clockReference(b.records(), OTHER_BOOT)).toBeNull();
  });
});

describe('the expiry follows the earlier of the two deadlines (issue 16)', () => {
  it('a wall clock set back makes the boot clock\u2019s deadline the earlier one; one set ahead reaches its own early', () => {
    const back = session();
    note(back, 1, 1);
    skew(back, okStamp(back.records(), reading(2, 12)).skew!, 12); // the wall clock went back 10 min
    const f = foldSession(back.records());
    expect(f.wallExpiresAt).toBe(new Date(T0 + 30 * MIN).toISOString());
    expect(f.expiresAt).toBe(new Date(T0 + 20 * MIN).toISOString());
    // At wall +19 min (boot +29 min) one minute is left, not eleven.
    expect(stateAt(f, T0 + 19 * MIN)).toMatchObject({ phase: 'active', remainingMs: MIN });
    expect(stateAt(f, T0 + 20 * MIN).phase).toBe('expired');

    const ahead = session();
    skew(ahead, okStamp(ahead.records(), reading(120, 1)).skew!, 1);
    const g = foldSession(ahead.records());
    expect(g.expiresAt).toBe(g.wallExpiresAt);
    expect(stateAt(g, T0 + 120 * MIN).phase).toBe('expired');
  });

  it('a jump ahead and back again leaves the wall deadline; extensions add to both', () => {
    const b = session();
    skew(b, okStamp(b.records(), reading(65, 5)).skew!, 5);
    // Put right an hour later: the wall clock reads 70 min in again, as the boot clock does.
    skew(b, okStamp(b.records(), reading(70, 70)).skew!, 70);
    expect(foldSession(b.records()).expiresAt).toBe(new Date(T0 + 30 * MIN).toISOString());
    const c = session();
    skew(c, okStamp(c.records(), reading(2, 7)).skew!, 7);
    c.extended(15, 3);
    const f = foldSession(c.records());
    expect([f.wallExpiresAt, f.expiresAt]).toEqual([new Date(T0 + 45 * MIN).toISOString(), new Date(T0 + 40 * MIN).toISOString()]);
  });

  it('a reading no record states yet counts at once beyond the tolerance (a backdated env or status), not below it', () => {
    const b = session();
    const f = foldSession(b.records());
    // faketime -f -10m at real +25 min: the wall clock says 15 min in, the boot clock 25.
    const backdated = stateAt(f, T0 + 15 * MIN, reading(15, 25));
    expect(backdated).toMatchObject({ phase: 'active', expiresAt: new Date(T0 + 20 * MIN).toISOString(), remainingMs: 5 * MIN });
    expect(stateAt(f, T0 + 25 * MIN, reading(25, 35)).phase).toBe('expired');
    expect(stateAt(f, T0 + 15 * MIN, reading(15, 16)).expiresAt).toBe(f.expiresAt);
    // Another boot's reading says nothing about this chain.
    expect(stateAt(f, T0 + 15 * MIN, reading(15, 25, OTHER_BOOT)).expiresAt).toBe(f.expiresAt);
  });

  it('arms a running command\u2019s deadline on whichever clock reaches it first', () => {
    let wall = T0;
    let up = UP;
    const now = deadlineNow(() => wall, { read: () => ({ id: BOOT, sinceBootMs: up }) });
    wall -= 10 * MIN; // set back while the command runs
    up += MIN;
    expect(now()).toBe(T0 + MIN);
    wall = T0 + 5 * MIN; // set ahead
    expect(now()).toBe(T0 + 5 * MIN);
    expect(deadlineNow(() => wall, undefined)()).toBe(wall);
  });
});

describe('a declaration against this host\u2019s last records (issue 16)', () => {
  const viewOf = (...chains: ChainBuilder[]) => ({ sessions: new Map(chains.map((c) => [c.sessionId, c.entries])) }) as unknown as LedgerView;

  it('refuses one dated ahead of them beyond the boot clock\u2019s elapsed time and the tolerance', () => {
    const b = session();
    note(b, 3, 3);
    const last = hostLastRecords(viewOf(b), 'host-a', BOOT);
    expect(last.sameBoot?.seq).toBe(2);
    const year = declarationStamp(last, reading(3 + 365 * 1440, 4));
    expect(year.ok).toBe(false);
    if (!year.ok) expect(year.error.message).toMatch(/^The host clock is ahead: it reads 2027-11-28T09:51:26\.000Z, but since this host's last record \(bg-20261128-094826-0a1b2c3d #2, 2026-11-28T09:51:26\.000Z\) the boot clock counted 1 min, so it should read about 2026-11-28T09:52:26\.000Z \(364 days 23 h ahead; the policy allows 2 min\)\. Nothing was recorded\./);
    expect(declarationStamp(last, reading(5.9, 4))).toEqual({ ok: true, boot: { id: BOOT, sinceBootMs: UP + 4 * MIN } });
    // Another host's records do not count.
    expect(hostLastRecords(viewOf(b), 'host-b', BOOT)).toEqual({ sameBoot: null, latest: null });
  });

  it('refuses one backdated beyond the tolerance in the same boot, one dated before them across a reboot, and says the boot changed', () => {
    const b = session();
    note(b, 3, 3);
    const last = hostLastRecords(viewOf(b), 'host-a', BOOT);
    const back = declarationStamp(last, reading(3, 6));
    expect(back.ok || back.error.message).toMatch(/^The host clock is behind: .* \(3 min behind; the policy allows 2 min\)\. Nothing was recorded\./);
    const rebooted = hostLastRecords(viewOf(b), 'host-a', OTHER_BOOT);
    const early = declarationStamp(rebooted, reading(2, 1, OTHER_BOOT));
    expect(early.ok || early.error.message).toMatch(/^The host clock moved back: it reads 2026-11-28T09:50:26\.000Z, 1 min before this host's last record \(#2, 2026-11-28T09:51:26\.000Z\)\./);
    expect(declarationStamp(rebooted, reading(60, 1, OTHER_BOOT))).toEqual({ ok: true, boot: { id: OTHER_BOOT, sinceBootMs: UP + MIN, changed: true } });
    // Without a boot clock nothing is compared.
    expect(declarationStamp(last, { nowMs: T0, boot: null, toleranceMs: TOL })).toEqual({ ok: true, boot: undefined });
  });
});

describe('verify\u2019s clock checks of a chain (issue 16)', () => {
  const messages = (b: ChainBuilder) => verifyChainClock(b.sessionId, b.entries).map((p) => `#${p.seq} ${p.message}`);

  it('passes a chain the service writes, with a clock-skew and a reboot', () => {
    const b = session();
    note(b, 1, 1);
    skew(b, okStamp(b.records(), reading(12, 2)).skew!, 2);
    note(b, 13, 3);
    note(b, 20, 1, OTHER_BOOT, true);
    expect(messages(b)).toEqual([]);
  });

  it('flags a record dated before the previous one, a boot clock that went back, and a reboot left unsaid', () => {
    const b = session();
    note(b, 5, 5);
    note(b, 4, 6);
    note(b, 7, 2);
    note(b, 8, 1, OTHER_BOOT);
    note(b, 9, 2, OTHER_BOOT, true);
    expect(messages(b)).toEqual([
      '#3 Dated 2026-11-28T09:52:26.000Z, before the previous record (#2, 2026-11-28T09:53:26.000Z): the host clock moved back.',
      '#4 Its boot clock reads earlier than the previous record\'s (#3) in the same boot: a boot clock never goes back.',
      '#5 Written in another boot than the previous record (#4) without saying so.',
      '#6 Says the boot changed, but the previous record (#5) was written in the same boot.',
    ]);
  });

  it('flags a clock-skew record whose figures are not those of the records\u2019 own clocks', () => {
    const b = session();
    const honest = okStamp(b.records(), reading(2, 12)).skew!;
    // Claiming the wall clock ran ahead would cancel the earlier boot-clock deadline.
    skew(b, { ...honest, skewMs: 10 * MIN }, 12);
    expect(messages(b)).toEqual(['#2 The clock-skew figures do not match the clocks of records #1 and #2.']);
  });
});

describe('what a clock-skew record proves, in words (issue 16)', () => {
  /** A session whose wall clock was set back 10 min after a minute. */
  function setBack(): ChainBuilder {
    const b = session();
    note(b, 1, 1);
    skew(b, okStamp(b.records(), reading(2, 12)).skew!, 12);
    return b;
  }

  it('says both elapsed times in the timeline, and which deadline the session ends by', () => {
    const b = setBack();
    expect(summarise(b.records()[2]!)).toBe('Wall clock jumped -600 s against the boot clock (since record #1: wall clock +120 s, boot clock +720 s)');
    const v = toSessionView(stateAt(foldSession(b.records()), T0 + 3 * MIN), 'host-a');
    expect(v).toMatchObject({ expiresAt: new Date(T0 + 20 * MIN).toISOString(), wallExpiresAt: new Date(T0 + 30 * MIN).toISOString(), lastClockSkew: { skewMs: -10 * MIN, elapsed: { sinceSeq: 1 } } });
    // A session without a skew has one deadline, and no second field.
    expect(toSessionView(stateAt(foldSession(session().records()), T0), 'host-a').wallExpiresAt).toBeUndefined();
  });

  it('gives the report a Clock section: the records that carry the boot clock, each skew, and the deadline', () => {
    const md = renderMarkdown(buildReport(input(view([setBack().entries]), { sessionId: 'bg-20261128-094826-0a1b2c3d' })));
    const clock = md.slice(md.indexOf('### Clock'), md.indexOf('###', md.indexOf('### Clock') + 4));
    expect(clock).toContain('3 records of 3 carry the host\'s boot clock');
    expect(clock).toContain('#3 clock-skew at 2026-11-28 09:50:26 UTC (commit c30000000000): Since record #1 the wall clock counted +2 min and the boot clock +12 min (time since the host started, which setting the system time does not move): the wall clock fell 10 min behind it.');
    expect(clock).toContain('The session ends at 2026-11-28T10:08:26.000Z by the boot clock, earlier than the wall clock\'s deadline 2026-11-28T10:18:26.000Z: the earlier of the two counts.');
    // A session of records without the boot clock says what was not checked.
    const old = new ChainBuilder('bg-20261128-094826-0a1b2c3d', T0, 30).declared();
    expect(renderMarkdown(buildReport(input(view([old.entries]), { sessionId: old.sessionId })))).not.toContain('### Clock');
  });
});
