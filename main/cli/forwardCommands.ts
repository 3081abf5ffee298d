import type { CommandGroup } from './commandGroup';

/** The implementation, imported when one of these commands runs (issue 18). */
const actions = () => import('./forwardActions');

/**
 * `breakglass forward status` and `breakglass forward test DESTINATION` (issue 19): the same
 * states and the same test the console's Settings show, for a terminal or a script (`--json`).
 */
export const registerForwardCommands: CommandGroup = (program, { g, action }) => {
  const forward = program.command('forward').description('forwarding of this host\'s records to the SIEM and alert hooks (policy.yaml forwarding)');

  forward.command('status')
    .description('each destination: delivered up to which record and when, pending records, failing since when and why')
    .action(action(async () => (await actions()).forwardStatus(g())));

  forward.command('test')
    .argument('<destination>', 'the destination\'s id in the policy')
    .description('send one test event to the destination; changes nothing else')
    .action(action(async (destination: string) => (await actions()).forwardTest(g(), destination)));
};
