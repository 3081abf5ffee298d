import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { BreakGlassError } from '../../app/errors';
import type { ActionInput, StartedRef } from '../../app/service';
import type { EvidenceRecord } from '../../app/records';
import { commandArgv, startCommand, type RunningCommand } from '../process/runner';
import { launchDetached } from '../process/terminal';
import { breakglassCli, governedShellCommand, noCliError, terminalRunning } from '../process/externalShell';
import type { ConsoleContext } from './context';

/** A command to run for a session (`breakglass exec`, the console's "Run a command"). */
export interface CommandRequest {
  /** The run's id (the console names it in its events); a new one when omitted. */
  runId?: string;
  /** The session; omitted: this host's one active session. */
  sessionId?: string | undefined;
  argv: string[];
  shell: boolean;
  cwd: string;
  via: ActionInput['via'];
  stdin?: 'inherit' | 'ignore';
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /**
   * Told once the action record is committed, or why it could not be, before the after-write
   * work (the console sends `command.ended` before the new snapshot).
   */
  onRecorded?: (outcome: { ok: true; record: EvidenceRecord; commit: string } | { ok: false; error: unknown }) => void;
}

/** Waits between attempts to commit an ending: about a minute and a half in all. */
const ENDING_RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000];

/**
 * The command ran (its `action-started` record is committed) but its ending could not be
 * recorded: the CLI exits 4, not 125, since something did run.
 */
export class CommandRanUnrecorded extends BreakGlassError {
  constructor(readonly sessionId: string, readonly startedSeq: number, cause: unknown) {
    super('evidence-not-committed', `The command ran (recorded as started, ${sessionId} #${startedSeq}) but its result could not be committed${cause instanceof BreakGlassError ? `: ${cause.message}` : '.'} Check the evidence repository (breakglass verify) and add a note saying how the command ended.`, { cause });
  }
}

/** Commits a command's ending; a refusal is final, anything else (the store busy or failing) is tried again. */
async function commitEnding<T>(commit: () => Promise<T>, delaysMs: readonly number[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await commit();
    } catch (e) {
      const final = e instanceof BreakGlassError && (e.code === 'refused' || e.code === 'invalid-input');
      if (final || attempt >= delaysMs.length) throw e;
      await new Promise((resolve) => setTimeout(resolve, delaysMs[attempt]));
    }
  }
}

/** A command that has started. */
export interface StartedCommand {
  runId: string;
  sessionId: string;
  /** Resolves once the action is committed and the after-write work done; rejects when it could not be committed. */
  done: Promise<{ action: ActionInput; record: EvidenceRecord; commit: string }>;
}

/**
 * Commands and shells run for a session (issue 2 `exec`, issue 5): refused before anything runs
 * unless the session may act (fail closed), run with the session's environment, stopped at the
 * absolute expiry, and recorded as an `action` afterwards. The one place that starts a process
 * for a session: issue 12's `action-started` record and issue 17's containment go here.
 */
export class SessionCommands {
  private readonly runs = new Map<string, { run: RunningCommand; sessionId: string }>();

  constructor(
    private readonly ctx: Pick<ConsoleContext, 'service' | 'clock' | 'repoDir'>,
    private readonly afterWrite: () => Promise<void>,
    /** Waits between attempts to commit a command's ending while the store is busy (a writer lock held elsewhere). */
    private readonly retryDelaysMs: readonly number[] = ENDING_RETRY_DELAYS_MS,
  ) {}

  /**
   * Checks the session may act, commits the `action-started` record, then starts the command with
   * the session's environment (issue 12 item 7: evidence first; if it cannot be committed, nothing
   * runs and this rejects). `done` commits the ending, retrying while the evidence store is busy,
   * and rejects with CommandRanUnrecorded if it never could.
   */
  async start(req: CommandRequest): Promise<StartedCommand> {
    const { service, clock } = this.ctx;
    const state = await service.assertCanAct({ sessionId: req.sessionId });
    const env = await service.environment({ sessionId: state.sessionId });
    if (!env) throw new BreakGlassError('no-active-session', 'The session is not active.');
    const runId = req.runId ?? randomUUID();
    const startedRecord = await service.recordActionStarted({ sessionId: state.sessionId }, {
      argv: commandArgv(req), shell: req.shell, cwd: req.cwd, startedAt: clock.now(), via: req.via,
    });
    const started: StartedRef = { seq: startedRecord.record.seq, hash: startedRecord.record.hash };
    // No after-write work here: a command's after-write work runs once, after its ending is recorded.
    const run = startCommand({
      argv: req.argv, shell: req.shell, cwd: req.cwd, env: { ...(process.env as Record<string, string>), ...env.variables },
      expiresAt: Date.parse(state.expiresAt), via: req.via, now: () => clock.now(), deadlineNow: service.time.deadlineClock(),
      ...(req.stdin ? { stdin: req.stdin } : {}),
      ...(req.onOutput ? { onOutput: req.onOutput } : {}),
    });
    this.runs.set(runId, { run, sessionId: state.sessionId });
    const done = run.done.then(async (action) => {
      this.runs.delete(runId);
      let committed: { record: EvidenceRecord; commit: string };
      try {
        committed = await commitEnding(() => service.recordAction({ sessionId: state.sessionId }, action, started), this.retryDelaysMs);
      } catch (error) {
        const unrecorded = new CommandRanUnrecorded(state.sessionId, started.seq, error);
        req.onRecorded?.({ ok: false, error: unrecorded });
        throw unrecorded;
      }
      req.onRecorded?.({ ok: true, ...committed });
      await this.afterWrite();
      return { action, ...committed };
    });
    return { runId, sessionId: state.sessionId, done };
  }

  /** Stops a running command's process tree; false when no such run is going. */
  stop(runId: string, by: 'operator' | 'expiry' = 'operator'): boolean {
    const entry = this.runs.get(runId);
    entry?.run.stop(by);
    return entry !== undefined;
  }

  /** Stops every command of a session (its expiry instant has come). */
  stopSession(sessionId: string, by: 'operator' | 'expiry'): void {
    for (const { run, sessionId: of } of this.runs.values()) if (of === sessionId) run.stop(by);
  }

  /**
   * Opens the operator's terminal (`terminalOf`, asked once the session may act) running
   * `breakglass shell` for the session (issue 17: the shell inside is recorded and contained like
   * the Terminal tab's), and records the opening as a `shell-opened` action. Fail closed: with no
   * CLI to run, no bare (unrecorded) terminal opens; a shell whose opening could not be evidenced
   * does not stay open.
   */
  async openShell(sessionId: string | undefined, terminalOf: () => Promise<string[]>, cli: string[] | null = breakglassCli()): Promise<{ record: EvidenceRecord; commit: string }> {
    const { service, clock, repoDir } = this.ctx;
    const state = await service.assertCanAct({ sessionId });
    const env = await service.environment({ sessionId: state.sessionId });
    if (!env) throw new BreakGlassError('no-active-session', 'The session is not active.');
    if (!cli) throw noCliError();
    const terminal = terminalRunning(await terminalOf(), governedShellCommand(cli, state.sessionId, repoDir));
    const startedAt = clock.now();
    const child = await launchDetached(terminal, { ...(process.env as Record<string, string>), ...env.variables }, os.homedir());
    try {
      const r = await service.recordAction({ sessionId: state.sessionId }, {
        kind: 'shell-opened', argv: terminal, shell: false, cwd: os.homedir(), startedAt, endedAt: clock.now(), exitCode: null, signal: null,
        stoppedBy: null, via: 'console', outputSha256: createHash('sha256').update('').digest('hex'), outputBytes: 0, output: '',
      });
      await this.afterWrite();
      return r;
    } catch (e) {
      child.kill('SIGTERM');
      throw e;
    }
  }
}
