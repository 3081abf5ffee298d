import { randomBytes } from 'node:crypto';
import { BreakGlassError } from '../../app/errors';
import type { RecorderStatus, RecordingChunk } from '../../app/recording/model';
import { crashRecoveryChunk } from '../../app/recording/model';
import { recordingsOf } from '../../app/recording/evidence';
import type { RecordingRecordInput, SessionSelector } from '../../app/service';
import { containmentPlan, type Containment } from '../process/containment';
import { STREAM_REDACTOR_MODULE } from '../process/recorderHost';
import type { RedactorModule } from '../process/recorderProtocol';
import { scheduleShellExpiry, startRecordedShell, type RecordedShell, type ShellEnded } from '../process/recordedShell';
import type { ConsoleContext } from './context';

/** What opening a governed shell needs (`breakglass shell`, the console's terminal tab). */
export interface OpenShellRequest {
  sessionId?: string | undefined;
  via: 'cli-shell' | 'console';
  cwd: string;
  cols: number;
  rows: number;
  /** The shell to run (default: $SHELL, else /bin/bash). */
  shell?: string;
  /** What the PTY shows (the operator's own screen, not redacted). */
  onOutput(data: string): void;
  onStatus?(status: RecorderStatus): void;
  /** Told once the shell has ended and its `recording-ended` is committed (or could not be). */
  onEnded?(ended: ShellEnded & { recorded: boolean }): void;
}

/** An open governed shell. */
export interface OpenedShell {
  /** The recording's id, which also names the shell in the console's calls. */
  shellId: string;
  sessionId: string;
  containment: Containment;
  shell: RecordedShell;
  /** Resolves once the shell has ended and its `recording-ended` record is committed (or not). */
  done: Promise<ShellEnded & { recorded: boolean }>;
}

/** Test hooks: a shorter chunk interval, another redactor. */
export interface ShellOptions {
  maxChunkMs?: number;
  redactor?: RedactorModule;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The governed shells of this process (issue 17): the operator's shell under a PTY in the
 * session's container, recorded chunk by chunk into the session's chain. Fail closed: the
 * `recording-started` record and the recording's header are committed before the shell starts.
 * Warnings are written into the terminal at the policy's thresholds; at expiry (or when the session
 * is closed) the shell gets a last line and its whole namespace ends.
 */
export class GovernedShells {
  private readonly open = new Map<string, { opened: OpenedShell; expiry: { reschedule(at: number): void; cancel(): void } }>();

  constructor(
    private readonly ctx: Pick<ConsoleContext, 'service' | 'clock' | 'host' | 'outbox'>,
    private readonly afterWrite: () => Promise<void>,
    private readonly options: ShellOptions = {},
  ) {}

  /** Opens a governed shell for a session that may act; rejects (nothing started) if its start cannot be committed. */
  async openShell(req: OpenShellRequest): Promise<OpenedShell> {
    const { service } = this.ctx;
    const state = await service.assertCanAct({ sessionId: req.sessionId });
    const selector: SessionSelector = { sessionId: state.sessionId };
    await this.recoverCrashed(state.sessionId);
    const env = await service.environment(selector);
    if (!env) throw new BreakGlassError('no-active-session', 'The session is not active.');
    const policy = await service.policy();
    const shellEnv = { ...(process.env as Record<string, string>), ...env.variables };
    const shellPath = req.shell ?? shellEnv.SHELL ?? '/bin/bash';
    const recordingId = randomBytes(8).toString('hex');
    const { containment } = containmentPlan();
    const mode = policy.shellRecording;
    const record = (input: RecordingRecordInput) => service.recordRecording(selector, input);
    await record({
      type: 'recording-started',
      payload: {
        recordingId, via: req.via, shell: shellPath, integration: /(^|\/)(bash|zsh)$/.exec(shellPath)?.[2] as 'bash' | 'zsh' | undefined ?? null,
        cols: req.cols, rows: req.rows, mode,
        containment: containment.contained ? { kind: containment.kind, contained: true } : { kind: containment.kind, contained: false, reason: containment.reason },
        ownerPid: process.pid,
      },
    });
    let chunks = 0;
    let degradedSince: number | null = null;
    let failures = 0;
    const commitChunk = async (chunk: RecordingChunk) => {
      const { redactionCount, redactionKinds, ...rest } = chunk;
      await record({ type: 'recording-chunk', payload: { recordingId, ...rest }, redactions: { count: redactionCount, kinds: redactionKinds } });
      chunks = Math.max(chunks, chunk.seq + 1);
      this.ctx.outbox.kick();
    };
    const degradedRecord = async (until: number | null) => {
      if (degradedSince === null) return;
      const since = degradedSince;
      degradedSince = null;
      await record({ type: 'recording-degraded', payload: { recordingId, since: new Date(since).toISOString(), until: until === null ? null : new Date(until).toISOString(), failures: Math.max(1, failures) } }).catch(() => {});
    };
    let shell: RecordedShell;
    try {
      shell = await startRecordedShell({
        shell: shellPath, cwd: req.cwd, env: shellEnv, cols: req.cols, rows: req.rows, mode,
        redactor: this.options.redactor ?? STREAM_REDACTOR_MODULE,
        onChunk: commitChunk,
        onOutput: req.onOutput,
        onStatus: (status) => {
          // Best-effort: the shell went on while chunks could not be committed; once they can
          // again, a `recording-degraded` record says for how long.
          if (status.state === 'degraded') {
            degradedSince ??= this.ctx.clock.now();
            failures = status.failures;
          } else if (status.state === 'recording') void degradedRecord(this.ctx.clock.now());
          req.onStatus?.(status);
        },
        ...(this.options.maxChunkMs !== undefined ? { maxChunkMs: this.options.maxChunkMs } : {}),
      });
    } catch (e) {
      // Nothing runs; the recording is closed where possible (else the next start recovers it).
      await record({ type: 'recording-ended', payload: { recordingId, how: 'exit', exitCode: null, chunks, markNonce: null } }).catch(() => {});
      if (e instanceof BreakGlassError) throw e;
      throw new BreakGlassError('evidence-not-committed', 'The shell\'s recording could not be started, so the shell was not opened.');
    }
    await this.afterWrite();
    const expiry = scheduleShellExpiry(shell, { expiresAt: Date.parse(state.expiresAt), warningMinutes: policy.warningMinutes, now: this.ctx.service.time.deadlineClock() });
    const done = shell.ended.then(async (ended) => {
      expiry.cancel();
      this.open.delete(recordingId);
      await degradedRecord(null);
      let recorded = true;
      await record({
        type: 'recording-ended',
        payload: { recordingId, how: ended.how, exitCode: ended.exit.exitCode, chunks: ended.recording?.chunks ?? chunks, markNonce: shell.nonce },
      }).catch(() => {
        recorded = false;
      });
      await this.afterWrite().catch(() => {});
      const outcome = { ...ended, recorded };
      req.onEnded?.(outcome);
      return outcome;
    });
    const opened: OpenedShell = { shellId: recordingId, sessionId: state.sessionId, containment: shell.containment, shell, done };
    this.open.set(recordingId, { opened, expiry });
    return opened;
  }

  /** An open shell of this process by its id, or null. */
  get(shellId: string): OpenedShell | null {
    return this.open.get(shellId)?.opened ?? null;
  }

  /** Ends every shell of a session (expiry or close) and waits until their recordings are committed. */
  async endSession(sessionId: string, how: 'expiry' | 'close'): Promise<void> {
    const ending = [...this.open.values()].filter((s) => s.opened.sessionId === sessionId).map((s) => s.opened.shell.end(how, this.ctx.clock.now()).then(() => s.opened.done));
    await Promise.all(ending);
  }

  /** Moves the expiry of a session's shells (after an extension). */
  reschedule(sessionId: string, expiresAt: number): void {
    for (const s of this.open.values()) if (s.opened.sessionId === sessionId) s.expiry.reschedule(expiresAt);
  }

  /**
   * Closes the recordings of this host whose recording process is gone (crash, `kill -9`, power
   * loss): a closing chunk after the last one committed and a `recording-ended` that says
   * crash-recovered. At most the last interval of output is lost.
   */
  async recoverCrashed(sessionId: string): Promise<number> {
    const view = await this.ctx.service.read();
    const records = (view.sessions.get(sessionId) ?? []).map((e) => e.record);
    let recovered = 0;
    for (const rec of recordingsOf(records)) {
      if (rec.ended || !rec.started || rec.started.host.id !== this.ctx.host.hostId) continue;
      const owner = rec.started.payload.ownerPid;
      if (this.open.has(rec.recordingId) || (owner !== process.pid && alive(owner))) continue;
      const selector = { sessionId };
      const last = [...rec.chunks].sort((a, b) => b.seq - a.seq)[0];
      let chunks = 0;
      if (last && last.ended === null) {
        const { redactionCount: _c, redactionKinds: _k, ...closing } = crashRecoveryChunk(last);
        await this.ctx.service.recordRecording(selector, { type: 'recording-chunk', payload: { recordingId: rec.recordingId, ...closing } });
        chunks = closing.seq + 1;
      } else if (last) chunks = last.seq + 1;
      await this.ctx.service.recordRecording(selector, { type: 'recording-ended', payload: { recordingId: rec.recordingId, how: 'crash-recovered', exitCode: null, chunks, markNonce: null } });
      recovered += 1;
    }
    if (recovered > 0) await this.afterWrite();
    return recovered;
  }
}
