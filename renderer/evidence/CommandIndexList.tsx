import type { CommandIndex, CommandProblem } from '../../app/recording/commandIndex';
import { formatOffset } from './playback';

/** What each problem of a command's marks means, for the reader (app/recording/commandIndex.ts). */
const PROBLEM_WORDS: Record<CommandProblem, string> = {
  'finished-without-start': 'a finish with no start',
  'never-finished': 'never reported finishing',
  'no-command-start': 'the typed line cannot be checked',
  'command-line-not-shown': 'the claimed command line is not what the terminal showed',
};

/**
 * The command index beside the player (issue 17, "A command index"). The marks are printed by the
 * shell itself, so the list is headed as the shell's own claim, never as the product's finding;
 * each command is a button that seeks the player to the moment it was run.
 */
export function CommandIndexList({ id, commands, onSeek }: { id: string; commands: CommandIndex | null; onSeek: (at: number) => void }) {
  const headingId = `${id}-cmds`;
  return (
    <section className="rp-commands" aria-labelledby={headingId}>
      <h5 id={headingId}>Commands ({commands ? commands.label : 'no index'})</h5>
      {commands === null ? (
        <p className="muted">No command index: the shell had no integration, or the recording was recovered after a crash.</p>
      ) : commands.commands.length === 0 ? (
        <p className="muted">The shell reported no commands.</p>
      ) : (
        <>
          <p className="muted rp-claim">
            Command lines and exit statuses as the shell reported them, checked against what the terminal showed.
            {commands.ignoredMarks > 0 && ` ${commands.ignoredMarks} marks without the session's nonce were ignored.`}
          </p>
          <ol className="rp-command-list">
            {commands.commands.map((c, i) => {
              const at = c.startedAt ?? c.promptAt;
              const line = c.commandLine ?? (c.shown || 'command line not reported');
              const exit = c.exitStatus === null ? 'exit status unknown' : `exit ${c.exitStatus}`;
              return (
                <li key={i} className={c.exitStatus !== null && c.exitStatus !== 0 ? 'rp-command rp-command--failed' : 'rp-command'}>
                  {at === null ? (
                    <span className="mono">{line}</span>
                  ) : (
                    <button type="button" className="button button-link rp-command-seek" onClick={() => onSeek(at)} aria-label={`Play from ${formatOffset(at)}: ${line} (${exit})`}>
                      <span className="mono rp-command-at">{formatOffset(at)}</span> <span className="mono">{line}</span>
                    </button>
                  )}{' '}
                  <span className="rp-command-exit">{exit}</span>
                  {c.problems.length > 0 && <span className="rp-command-problem"> — {c.problems.map((p) => PROBLEM_WORDS[p]).join('; ')}</span>}
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}
