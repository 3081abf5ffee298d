import { Command, CommanderError } from 'commander';
import { closeApplications, type CliDeps } from './commandGroup';
import { registerAcknowledgementCommands } from './acknowledgementCommands';
import { registerForwardCommands } from './forwardCommands';
import { EXIT, fail, type GlobalOptions } from './output';
import { registerGovernanceCommands } from './governanceCommands';
import { registerRepositoryCommands } from './repositoryCommands';
import { registerSessionCommands } from './sessionCommands';
import { registerShellCommands } from './shellCommands';

/**
 * The `breakglass` CLI (issue 2): the entry point built into dist/cli.js. Its commands call the
 * same application layer as the console (main/application); exit codes are in output.ts.
 */
export { EXIT };

/** Builds the command tree; `run` parses argv and returns the exit code. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('breakglass')
    .description('Break-glass: declare an emergency, act for a limited time, leave a tamper-evident record in Git.')
    .option('--repo <dir>', 'evidence repository (default: $BREAKGLASS_REPO, else <data dir>/evidence)')
    .option('--json', 'machine-readable output')
    // `exec -- CMD --flags`: everything after the command belongs to CMD.
    .enablePositionalOptions()
    .exitOverride()
    // commander's own error line repeats what was typed (a secret, perhaps): it is not printed;
    // runCli prints commanderMessage() instead (issue 12 item 13). Help and usage still print.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} })
    .showSuggestionAfterError();

  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  const deps: CliDeps = {
    g,
    setExit,
    action: <A extends unknown[]>(fn: (...args: A) => Promise<number | void>) => async (...args: A) => {
      try {
        setExit((await fn(...args)) ?? EXIT.ok);
      } catch (e) {
        setExit(fail(g(), e));
      }
    },
  };
  registerSessionCommands(program, deps);
  registerRepositoryCommands(program, deps);
  registerShellCommands(program, deps);
  registerGovernanceCommands(program, deps);
  registerForwardCommands(program, deps);
  registerAcknowledgementCommands(program, deps);
  return program;
}

/**
 * `--repo DIR` and `--json` are accepted anywhere before `--` (`breakglass status --json` as well as
 * `breakglass --json status`): they are moved in front of the command for the parser. What follows
 * `--` belongs to the command `exec` runs and is never touched.
 */
export function hoistGlobalOptions(argv: string[]): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  const globals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const a = head[i]!;
    if (a === '--json') globals.push(a);
    else if (a === '--repo' && i + 1 < head.length) globals.push(a, head[++i]!);
    else if (a.startsWith('--repo=')) globals.push(a);
    else rest.push(a);
  }
  return [...globals, ...rest, ...tail];
}

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let exitCode = EXIT.ok as number;
  const program = buildProgram((c) => {
    exitCode = c;
  });
  try {
    await program.parseAsync(hoistGlobalOptions(argv), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return fail(program.opts<GlobalOptions>(), e, EXIT.badInput);
    }
    return fail(program.opts<GlobalOptions>(), e);
  } finally {
    // Every command, whatever way it ends (exec sets its exit code itself): forwarding delivers what was written.
    await closeApplications();
  }
  return exitCode;
}
