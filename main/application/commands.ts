import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { BreakGlassError } from '../../app/errors';
import type { ActionInput } from '../../app/service';
import type { EvidenceRecord } from '../../app/records';
import { startCommand, type RunningCommand } from '../process/runner';
import { launchDetached } from '../process/terminal';
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
    private readonly ctx: Pick<ConsoleContext, 'service' | 'clock'>,
    private readonly afterWrite: () => Promise<void>,
  ) {}

  /** Checks the session may act, then starts the command with the session's environment. */
  async start(req: CommandRequest): Promise<StartedCommand> {
    const { service, clock } = this.ctx;
    const state = await service.assertCanAct({ sessionId: req.sessionId });
    const env = await service.environment({ sessionId: state.sessionId });
    if (!env) throw new BreakGlassError('no-active-session', 'The session is not active.');
    const runId = req.runId ?? randomUUID();
    const run = startCommand({
      argv: req.argv, shell: req.shell, cwd: req.cwd, env: { ...(process.env as Record<string, string>), ...env.variables },
      expiresAt: Date.parse(state.expiresAt), via: req.via, now: () => clock.now(),
      ...(req.stdin ? { stdin: req.stdin } : {}),
      ...(req.onOutput ? { onOutput: req.onOutput } : {}),
    });
    this.runs.set(runId, { run, sessionId: state.sessionId });
    const done = run.done.then(async (action) => {
      this.runs.delete(runId);
      let committed: { record: EvidenceRecord; commit: string };
      try {
        committed = await service.recordAction({ sessionId: state.sessionId }, action);
      } catch (error) {
        req.onRecorded?.({ ok: false, error });
        throw error;
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
   * Opens the operator's terminal (`terminalOf`, asked once the session may act) with the
   * session's environment (issue 5 "Open governed shell")
   * and records it as a `shell-opened` action. Fail closed: a shell whose opening could not be
   * evidenced does not stay open.
   */
  async openShell(sessionId: string | undefined, terminalOf: () => Promise<string[]>): Promise<{ record: EvidenceRecord; commit: string }> {
    const { service, clock } = this.ctx;
    const state = await service.assertCanAct({ sessionId });
    const env = await service.environment({ sessionId: state.sessionId });
    if (!env) throw new BreakGlassError('no-active-session', 'The session is not active.');
    const terminal = await terminalOf();
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
