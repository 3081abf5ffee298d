import { endLine, nextShellNotice } from '../../app/recording/expiryNotices';
import { armDeadline, type Deadline } from './deadline';
import type {
  FlowControl, Recorder, RecorderMode, RecorderStatus, RecordingChunk, RecordingEnd, RecordingSummary, StreamRedactor,
} from '../../app/recording/model';
import { startRecorder } from '../../app/recording/recorder';
import { findExecutable, startContained, type ContainedExit, type ContainedNotStarted, type ContainedPty } from './container';
import type { Containment } from './containment';
import { startRecorderInWorker } from './recorderHost';
import type { RedactorModule } from './recorderProtocol';
import { integrateShell } from './shellIntegration';

/**
 * The governed shell (issue 17): the operator's shell with the command-index marks, on a PTY,
 * inside the session's container, recorded chunk by chunk as evidence. The console's terminal tab
 * and `breakglass shell` both drive one of these: keystrokes in through `input`, the screen out
 * through `onOutput`, expiry and close through `end`.
 */

/** What a governed shell needs. */
export interface RecordedShellOptions {
  /** The shell to run (default: env.SHELL, else /bin/bash). */
  shell?: string;
  cwd: string;
  /** The session environment the shell runs with. */
  env: Record<string, string>;
  cols: number;
  rows: number;
  /**
   * The stream redactor. Named by module (`{ module, factory }`), the recorder runs in a worker
   * thread (recorderHost.ts: the way to run it, the PTY's thread stays free); given as an object,
   * it runs on this thread.
   */
  redactor: StreamRedactor | RedactorModule;
  /** Commits one chunk as evidence (a record of the session's chain). */
  onChunk(chunk: RecordingChunk): Promise<void>;
  /** Optional group commit of several chunks, in order, all or none (see RecorderOptions). */
  onChunks?(chunks: readonly RecordingChunk[]): Promise<void>;
  mode: RecorderMode;
  /** What the PTY shows, as it arrives: the operator's own screen (not redacted). */
  onOutput?(data: string): void;
  onStatus?(status: RecorderStatus): void;
  /** Recorder limits (defaults: 10 s, 256 KiB); tests shorten them. */
  maxChunkMs?: number;
  maxChunkBytes?: number;
}

/** How a governed shell ended, and the recording it left. */
export interface ShellEnded {
  how: Exclude<RecordingEnd, 'crash-recovered'>;
  exit: ContainedExit;
  /** Null when the recording could not be finished (its worker died): the last chunks are lost. */
  recording: RecordingSummary | null;
}

/** A running governed shell. */
export interface RecordedShell {
  pid: number;
  containment: Containment;
  integration: 'bash' | 'zsh' | null;
  /** The nonce the shell's marks carry (store it with the recording; indexCommands checks it). */
  nonce: string;
  /** Keystrokes from the operator; held, not lost, while strict recording has paused the shell. */
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** Writes a line into the terminal (shown and recorded) and marks it in the recording. */
  notice(text: string, label: string): void;
  /** Ends the shell for `how`: a last line saying why, then the whole namespace is killed. */
  end(how: 'expiry' | 'close', at?: number): Promise<ShellEnded>;
  /** Resolves once the shell has ended (however) and every chunk is committed. */
  ended: Promise<ShellEnded>;
  /** The recording's health now (paused, degraded, chunks waiting). */
  status(): RecorderStatus;
}

/**
 * Starts a governed shell. The recording's header is committed first: if that fails, the shell
 * is not started (fail closed) and this rejects.
 */
export async function startRecordedShell(options: RecordedShellOptions): Promise<RecordedShell> {
  const shellPath = options.shell ?? options.env.SHELL ?? '/bin/bash';
  // Checked before anything is recorded: a missing shell leaves no half-started recording.
  if (!findExecutable(shellPath, options.env.PATH)) throw new Error('The shell was not found on PATH.');
  let contained: ContainedPty | null = null;
  let held: string[] | null = null;
  // Strict mode stops reading the PTY (its programs block on output) and holds keystrokes, so
  // nothing can be typed blind into a shell whose recording is not being committed.
  const flow: FlowControl = {
    pause() {
      held ??= [];
      contained?.pty.pause();
    },
    resume() {
      const keys = held ?? [];
      held = null;
      contained?.pty.resume();
      for (const k of keys) contained?.pty.write(k);
    },
  };
  const common = {
    cols: options.cols, rows: options.rows, mode: options.mode, shell: shellPath, term: 'xterm-256color',
    onChunk: options.onChunk, flow,
    ...(options.onChunks ? { onChunks: options.onChunks } : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
    ...(options.maxChunkMs !== undefined ? { maxChunkMs: options.maxChunkMs } : {}),
    ...(options.maxChunkBytes !== undefined ? { maxChunkBytes: options.maxChunkBytes } : {}),
  };
  const { redactor } = options;
  const recorder: Recorder = 'push' in redactor ? await startRecorder({ ...common, redactor }) : await startRecorderInWorker({ ...common, redactor });
  const shell = integrateShell(shellPath, options.env);
  let started: ContainedPty | ContainedNotStarted;
  try {
    started = startContained({ argv: shell.argv, cwd: options.cwd, env: shell.env, pty: { cols: options.cols, rows: options.rows } });
  } catch (e) {
    shell.cleanup();
    throw e;
  }
  if (started.mode === 'not-started') {
    shell.cleanup();
    const exit = await started.done;
    await recorder.end('exit', { exitCode: 127 });
    throw new Error(`The shell could not be started (${exit.startError ?? 'unknown'}).`);
  }
  contained = started;
  const { pty } = started;
  const show = (data: string) => {
    options.onOutput?.(data);
    recorder.write(data);
  };
  pty.onData(show);

  let endingAs: 'expiry' | 'close' | null = null;
  const ended: Promise<ShellEnded> = started.done.then(async (exit) => {
    shell.cleanup();
    const how = endingAs ?? 'exit';
    const recording = await recorder.end(how, { exitCode: exit.exitCode }).catch(() => null);
    return { how, exit, recording };
  });

  return {
    pid: started.pid,
    containment: started.containment,
    integration: shell.integration,
    nonce: shell.nonce,
    input(data) {
      if (held) held.push(data);
      else pty.write(data);
    },
    resize(cols, rows) {
      pty.resize(cols, rows);
      recorder.resize(cols, rows);
    },
    notice(text, label) {
      recorder.mark(label);
      show(text);
    },
    end(how, at = Date.now()) {
      if (!endingAs) {
        endingAs = how;
        recorder.mark(`${how}: shell ended`);
        show(endLine(how, at));
        // A shell hangs up its jobs on SIGHUP; whatever is left goes with the namespace.
        void started.stop({ signal: 'SIGHUP', graceMs: 1_000 });
      }
      return ended;
    },
    ended,
    status: () => recorder.status(),
  };
}

/**
 * Writes the policy's warnings into a governed shell and ends it at expiry (issue 17). `reschedule`
 * takes a new expiry after an extension; `cancel` stops it (the shell ended first).
 */
export function scheduleShellExpiry(shell: Pick<RecordedShell, 'notice' | 'end'>, options: { expiresAt: number; warningMinutes: readonly number[]; now?: () => number }): { reschedule(expiresAt: number): void; cancel(): void } {
  const now = options.now ?? Date.now;
  const given = new Set<number>();
  let expiresAt = options.expiresAt;
  let deadline: Deadline | null = null;
  const arm = () => {
    deadline?.cancel();
    const notice = nextShellNotice(expiresAt, options.warningMinutes, now(), given);
    // Bounded steps that ask the clock again (issue 12 item 9), like a command's expiry.
    deadline = armDeadline(notice.at, () => {
      deadline = null;
      if (notice.kind === 'warning') {
        given.add(notice.minutes);
        shell.notice(notice.text, `expiry-warning: ${notice.minutes} min`);
        arm();
      } else void shell.end('expiry', notice.at);
    }, now);
  };
  arm();
  return {
    reschedule(next) {
      expiresAt = next;
      given.clear();
      arm();
    },
    cancel() {
      deadline?.cancel();
      deadline = null;
    },
  };
}
