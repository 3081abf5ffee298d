import type { LedgerView } from '../../app/ports';
import type { ConsoleContext } from './context';

/** A countdown threshold crossed (the policy's `warningMinutes`): the console notifies the operator. */
export interface CountdownWarning {
  sessionId: string;
  minutesLeft: number;
  expiresAt: string;
}

/** What the tick needs beside the context. */
export interface ExpiryTickOptions {
  /** Read-only: nothing is written, nothing is warned about. */
  observer: boolean;
  /** Stops the commands still running in a session whose expiry has come. */
  stopCommandsOf: (sessionId: string) => void;
  /** Brings `session.env` in step after an expiry. */
  writeSessionEnv: () => Promise<void>;
}

/**
 * The expiry tick (procedure.md §6, issue 5), run about once a second by the console: records
 * `expired` at the expiry instant (stopping that session's commands first), announces each
 * countdown threshold once, and records a wall-clock jump as `clock-skew`. The expiry is an
 * absolute instant fixed at declaration; where the host has a boot clock (issue 16) the wall clock
 * is checked against it every tick, and the expiry is the earlier of the two clocks' deadlines.
 */
export class ExpiryTick {
  private lastTick: { wall: number; mono: number } | null = null;
  private readonly warned = new Set<string>();

  constructor(
    private readonly ctx: Pick<ConsoleContext, 'service' | 'clock' | 'host'>,
    private readonly options: ExpiryTickOptions,
  ) {}

  /** §6: a session that expired while nothing was running is recorded first, with its original expiry time. */
  async recordMissedExpiries(): Promise<void> {
    if (!this.options.observer) await this.ctx.service.time.expireDue().catch(() => []);
  }

  /**
   * One tick over `view` at `now`: true in `changed` when it wrote a record (the caller re-reads),
   * and the warnings to announce.
   */
  async run(view: LedgerView, now: number): Promise<{ changed: boolean; warnings: CountdownWarning[] }> {
    const warnings: CountdownWarning[] = [];
    if (this.options.observer) return { changed: false, warnings };
    // Issue 16: with a boot clock the service compares it with the wall clock itself; without one
    // (macOS, Windows) the tick compares the wall clock with the monotonic clock between ticks.
    let changed = this.ctx.service.time.checksBootClock ? (await this.ctx.service.time.recordBootSkews(view)).length > 0 : await this.detectClockJump(now);
    if (!view.policy.ok) return { changed, warnings };
    const hostId = this.ctx.host.hostId;
    const states = this.ctx.service.time.statesAt(view, now);
    const due = states.filter((s) => s.host.id === hostId && s.phase === 'expired' && !s.expiredRecorded);
    if (due.length > 0) {
      for (const s of due) this.options.stopCommandsOf(s.sessionId);
      // Nothing is written while the wall clock reads before a session's last record (issue 16); its state is expired all the same.
      if ((await this.ctx.service.time.expireDue()).length > 0) changed = true;
      await this.options.writeSessionEnv();
    }
    for (const s of states) {
      if (s.phase !== 'active' || s.host.id !== hostId) continue;
      // Every threshold already crossed counts as warned; only the smallest one is announced,
      // so a console that slept past several thresholds warns once, at the right level.
      const crossed = view.policy.policy.warningMinutes.filter((m) => s.remainingMs <= m * 60_000).sort((a, b) => a - b);
      const key = (m: number) => `${s.sessionId}:${s.expiresAt}:${m}`;
      const smallest = crossed[0];
      if (smallest !== undefined && !this.warned.has(key(smallest))) {
        for (const m of crossed) this.warned.add(key(m));
        warnings.push({ sessionId: s.sessionId, minutesLeft: smallest, expiresAt: s.expiresAt });
      }
    }
    return { changed, warnings };
  }

  /**
   * Forgets the last clock reading, after the machine resumed from sleep: the monotonic clock does
   * not run during suspend, so the first comparison after resume would read the sleep as a jump.
   */
  resetClockBaseline(): void {
    this.lastTick = null;
  }

  /**
   * Compares the wall clock with the monotonic clock since the last tick (issue 5): a jump of more
   * than 2 s is recorded as `clock-skew` in this host's open sessions, with both readings.
   */
  private async detectClockJump(wall: number): Promise<boolean> {
    const mono = this.ctx.clock.monotonicMs();
    const last = this.lastTick;
    this.lastTick = { wall, mono };
    if (!last) return false;
    const expected = last.wall + (mono - last.mono);
    if (Math.abs(wall - expected) <= 2_000) return false;
    const written = await this.ctx.service.time.recordClockSkew(wall, expected);
    return written.length > 0;
  }
}
