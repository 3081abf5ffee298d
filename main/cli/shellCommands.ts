import type { CommandGroup } from './commandGroup';

/**
 * `breakglass shell` (issue 17): the operator's shell with the session environment, under a PTY in
 * the session's container, recorded into the session's chain; it ends at expiry. The console's
 * external-terminal option runs this command inside the terminal it opens. The implementation is
 * imported when it runs (issue 18).
 */
export const registerShellCommands: CommandGroup = (program, { g, action }) => {
  program.command('shell')
    .description('open a recorded governed shell with the session environment (ends at expiry)')
    .option('--session <id>', 'session id (default: the active session on this host)')
    .action(action(async (o: { session?: string }) => (await import('./shellActions')).runShell(g(), o.session)));
};
