import { BreakGlassError } from '../../app/errors';
import { playbackOf } from '../../app/recording/playback';
import { openApplication } from './openApplication';
import { EXIT, out, type GlobalOptions } from './output';

/** What `shell` and `log --transcript` do (registered in shellCommands.ts and repositoryCommands.ts, imported when one runs). */

/** Runs the governed shell on this terminal; resolves with the shell's exit status. */
export async function runShell(opts: GlobalOptions, sessionId: string | undefined): Promise<number> {
  const { stdin, stdout } = process;
  if (!stdin.isTTY || !stdout.isTTY) throw new BreakGlassError('invalid-input', 'breakglass shell needs a terminal (run it in one; for scripts use breakglass exec).');
  const app = await openApplication(opts);
  const opened = await app.shells.openShell({
    sessionId, via: 'cli-shell', cwd: process.cwd(), cols: stdout.columns || 80, rows: stdout.rows || 24,
    onOutput: (data) => stdout.write(data),
  });
  const c = opened.containment;
  process.stderr.write(`breakglass: recorded governed shell for ${opened.sessionId}${c.contained ? '' : ` (not fully contained: ${c.reason})`}\r\n`);
  stdin.setRawMode(true);
  stdin.resume();
  const onKeys = (data: Buffer) => opened.shell.input(data.toString('utf8'));
  const onResize = () => opened.shell.resize(stdout.columns || 80, stdout.rows || 24);
  stdin.on('data', onKeys);
  stdout.on('resize', onResize);
  // The console's own expiry tick is not running here: the shell's scheduled expiry ends it.
  const ended = await opened.done;
  stdin.off('data', onKeys);
  stdout.off('resize', onResize);
  stdin.setRawMode(false);
  stdin.pause();
  app.ctx.outbox.stop();
  process.stderr.write(`breakglass: shell ended (${ended.how})${ended.recorded ? ', recording committed' : ', the end of the recording could not be committed (the next start recovers it)'}\n`);
  if (!ended.recorded) return EXIT.notCommitted;
  return ended.exit.exitCode ?? 128 + 1;
}

/** `breakglass log --session ID --transcript`: each recording's command index and rendered text. */
export async function printTranscript(opts: GlobalOptions, sessionId: string): Promise<void> {
  const { ctx } = await openApplication(opts, { readOnly: true });
  const view = await ctx.service.read();
  const entries = view.sessions.get(sessionId);
  if (!entries) throw new BreakGlassError('no-active-session', `No session ${sessionId}. List sessions with: breakglass log`);
  const recordings = await playbackOf(entries.map((e) => e.record));
  const human = recordings.length === 0 ? 'No governed shell was recorded in this session.' : recordings.map((r) => {
    const head = `=== Recording ${r.recordingId}: ${r.shell} (${r.via === 'console' ? 'console terminal' : 'breakglass shell'}) from ${r.startedAt}, ${r.ended ? `ended ${r.ended.how} at ${r.ended.at}` : 'not ended'}`;
    const index = r.commands
      ? [`--- Commands (${r.commands.label}):`, ...r.commands.commands.map((c) => `  [${c.exitStatus ?? '?'}] ${c.commandLine ?? c.shown}${c.problems.length ? `  (${c.problems.join(', ')})` : ''}`)]
      : ['--- No command index (no shell integration, or the recording was recovered after a crash).'];
    return [head, ...index, '--- Transcript:', r.transcript].join('\n');
  }).join('\n\n');
  // The transcript is what a terminal showed: `out` prints it escaped, never as live control sequences.
  out(opts, human, recordings.map(({ asciicast: _a, ...r }) => r));
}
