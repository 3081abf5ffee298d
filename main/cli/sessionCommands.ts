import type { CommandGroup } from './commandGroup';
import { EXIT, fail } from './output';

/** The implementation, imported when one of these commands runs (issue 18: `--help` never loads it). */
const actions = () => import('./sessionActions');

/** The session's commands: declare, status, env, exec, note, extend, close, review. */
export const registerSessionCommands: CommandGroup = (program, { g, action, setExit }) => {
  program.command('declare')
    .description('declare a break-glass session (commits the `declared` record)')
    .option('--file <path>', 'declaration JSON file (- for stdin)')
    .option('--template', 'print an example declaration file')
    .action(action(async (o: { file?: string; template?: boolean }) => (await actions()).declare(g(), o)));

  program.command('status')
    .description('active session, remaining time, push state')
    .action(action(async () => (await actions()).status(g())));

  program.command('env')
    .description('print the export block while a session is active (nothing, exit 3, otherwise)')
    .option('--session <id>', 'session id (default: the active session on this host)')
    .option('--environment <env>', 'pick the active session of this environment')
    // Issue 18: its own implementation, lighter than the session's other commands (envActions.ts).
    .action(action(async (o: { session?: string; environment?: string }) => (await import('./envActions')).env(g(), o)));

  program.command('exec')
    .description('run a command with the session environment and record it as an action')
    .option('--session <id>', 'session id (default: the active session on this host)')
    .argument('<command...>', 'the command and its arguments, after --')
    .passThroughOptions()
    .action(async (argv: string[], o: { session?: string }) => {
      try {
        setExit(await (await actions()).exec(g(), argv, o.session));
      } catch (e) {
        // 125 means nothing ran (issue 12 item 7); `exec` itself maps a command that ran but could not be recorded to 4.
        setExit(fail(g(), e, EXIT.execRefused));
      }
    });

  program.command('note')
    .description('add a note to the session')
    .argument('<text...>', 'the note')
    .option('--session <id>', 'session id')
    // A note is free text: "-lock released" is a note, not an unknown option (issue 12 item 13).
    .allowUnknownOption()
    .action(action(async (text: string[], o: { session?: string }) => (await actions()).note(g(), text, o)));

  program.command('extend')
    .description('extend the active session (new justification required)')
    .requiredOption('--minutes <n>', 'minutes to add')
    .requiredOption('--reason <text>', 'why more time is needed')
    .option('--session <id>', 'session id')
    .action(action(async (o: { minutes: string; reason: string; session?: string }) => (await actions()).extend(g(), o)));

  program.command('close')
    .description('close the session with its reversal record')
    .option('--file <path>', 'closure JSON file (- for stdin)')
    .option('--template', 'print an example closure file')
    .option('--session <id>', 'session id')
    .action(action(async (o: { file?: string; template?: boolean; session?: string }) => (await actions()).close(g(), o)));

  program.command('review')
    .description('record the post-incident review (reviewer named in the file)')
    .option('--session <id>', 'session id (required unless --template)')
    .option('--file <path>', 'review JSON file (- for stdin)')
    .option('--template', 'print an example review file')
    .action(action(async (o: { file?: string; template?: boolean; session?: string }) => (await actions()).review(g(), o)));
};
