import type { BreakGlassService, SessionSelector } from '../../app/service';
import type { EvidenceRecord } from '../../app/records';
import type { SessionState } from '../../app/lifecycle';
import type { ConsoleContext } from './context';
import { ClosureSchema, ReviewSchema } from '../../app/records';
import { unprovenRecords, unprovenReviewRefusal } from '../../app/roster/unprovenRecords';
import { sessionSignatures } from '../evidence/sessionSignatures';
import { SessionCommands } from './commands';
import { GovernedShells, type ShellOptions } from './shells';
import { ExpiryTick } from './expiryTick';
import { writeSessionEnvFile } from './sessionEnv';

/** A committed record, as every write call returns it. */
export interface CommittedRecord {
  record: EvidenceRecord;
  commit: string;
}

/** Options of the application layer. */
export interface ApplicationOptions {
  /** `<data dir>/session.env` of this caller's environment (not necessarily process.env's). */
  sessionEnvPath: string;
  /** Read-only (the commander's console, issue 6): the expiry tick writes nothing. */
  observer?: boolean;
  /** Governed shells' recording settings (tests shorten the chunk interval). */
  shells?: ShellOptions;
}

/**
 * The one application layer (issue 11): the Electron backend (main/console) and the CLI
 * (main/cli) both call it for everything around a service call, so the two cannot drift.
 * - Every write goes through {@link write}: the service commits the record (fail closed: nothing
 *   happens when it cannot), then {@link afterWrite} runs the same after-write work for both.
 * - Commands and shells run through {@link commands} (main/application/commands.ts).
 * - The expiry tick (expiry, countdown warnings, clock jumps) is {@link tick}.
 * Later work has one place each: forwarding after each commit (issue 19) and per-host refs
 * (issue 14) in `afterWrite`; the `action-started` record (issue 12) and PID-namespace
 * containment (issue 17) in `commands`.
 */
export class Application {
  readonly commands: SessionCommands;
  /** Governed shells (issue 17): contained, recorded, ended at expiry and close. */
  readonly shells: GovernedShells;
  readonly tick: ExpiryTick;
  private readonly committedListeners = new Set<() => Promise<void>>();

  constructor(
    readonly ctx: ConsoleContext,
    private readonly options: ApplicationOptions,
  ) {
    this.commands = new SessionCommands(ctx, () => this.afterWrite());
    this.shells = new GovernedShells(ctx, () => this.afterWrite(), options.shells);
    this.tick = new ExpiryTick(ctx, {
      observer: options.observer ?? false,
      stopCommandsOf: (sessionId) => {
        this.commands.stopSession(sessionId, 'expiry');
        void this.shells.endSession(sessionId, 'expiry');
      },
      writeSessionEnv: () => this.writeSessionEnv(),
    });
  }

  /** The service the layer orders calls around. */
  get service(): BreakGlassService {
    return this.ctx.service;
  }

  /** Called after every write's commit (the console re-reads and sends its snapshot); returns the unsubscribe. */
  onCommitted(listener: () => Promise<void>): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** Runs one write through the service, then the after-write work. Every write call goes through here. */
  async write<T>(call: (service: BreakGlassService) => Promise<T>): Promise<T> {
    const result = await call(this.ctx.service);
    await this.afterWrite();
    return result;
  }

  /** Declares a session (procedure.md §4). */
  declare(input: unknown): Promise<CommittedRecord & { state: SessionState }> {
    return this.write((s) => s.declare(input));
  }

  /** Adds a note to a session. */
  note(selector: SessionSelector, text: unknown): Promise<CommittedRecord> {
    return this.write((s) => s.note(selector, text));
  }

  /** Extends a session with a new justification (procedure.md §6). */
  async extend(selector: SessionSelector, input: unknown): Promise<CommittedRecord> {
    const r = await this.write((s) => s.extend(selector, input));
    if (r.record.type === 'extended') {
      // The expiry as the session now has it: the earlier of the wall clock's and the boot clock's deadlines (issue 16).
      const state = (await this.service.sessions()).find((s) => s.sessionId === r.record.sessionId);
      this.shells.reschedule(r.record.sessionId, Date.parse(state?.expiresAt ?? r.record.payload.newExpiresAt));
    }
    return r;
  }

  /**
   * Closes a session with its reversal record (procedure.md §8). A valid closure first ends the
   * session's governed shells (issue 17: their recordings end `close`, before `closed`).
   */
  async close(selector: SessionSelector, input: unknown): Promise<CommittedRecord> {
    if (ClosureSchema.safeParse(input).success) {
      const sessionId = await this.service.read().then((view) => this.service.selectSession(view, selector, 'close').sessionId).catch(() => null);
      if (sessionId) {
        await this.shells.endSession(sessionId, 'close');
        await this.shells.recoverCrashed(sessionId).catch(() => 0);
      }
    }
    return this.write((s) => s.close(selector, input));
  }

  /**
   * Records the post-incident review (procedure.md §9). A session with records no roster key
   * proves (issue 15: unsigned as the policy allows, or signed by the wrong key) is not reviewed
   * as plainly "justified": the review must address them.
   */
  async review(sessionId: string, input: unknown): Promise<CommittedRecord> {
    const outcome = ReviewSchema.safeParse(input);
    if (outcome.success && outcome.data.outcome === 'justified') {
      const entries = (await this.service.read()).sessions.get(sessionId) ?? [];
      const refusal = unprovenReviewRefusal(unprovenRecords(await sessionSignatures(this.ctx.store, entries)).length, outcome.data.outcome);
      if (refusal) throw refusal;
    }
    return this.write((s) => s.review(sessionId, input));
  }

  /**
   * What follows every committed record, for the console and the CLI alike: `session.env`
   * follows the ledger (issue 5); the outbox is asked for a push (issue 2); forwarding is handed
   * the record and follows a changed policy (issue 19; it returns at once, never delaying the
   * write); listeners hear of it.
   */
  async afterWrite(): Promise<void> {
    await this.writeSessionEnv();
    this.ctx.outbox.kick();
    this.ctx.forwarding.committed();
    await this.ctx.service.read().then((view) => this.ctx.forwarding.follow(view)).catch(() => {});
    for (const listener of this.committedListeners) await listener();
  }

  /**
   * Ends the layer's background work: forwarding first waits up to `forwardWaitMs` for what was
   * written to be delivered (the CLI, before it exits); whatever is not stays queued in the ledger.
   */
  async shutdown(forwardWaitMs = 0): Promise<void> {
    await this.ctx.forwarding.stop(forwardWaitMs);
  }

  /** Brings `session.env` in step with the ledger; a failure to write it never undoes the record. */
  async writeSessionEnv(): Promise<void> {
    await writeSessionEnvFile(this.ctx.service, this.options.sessionEnvPath).catch(() => {});
  }
}
