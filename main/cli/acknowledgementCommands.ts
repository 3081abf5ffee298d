import type { CommandGroup } from './commandGroup';

/** The implementation, imported when one of these commands runs (issue 18). */
const actions = () => import('./acknowledgementActions');

/**
 * The commander's offline acknowledgement (issue 16): `breakglass acknowledge CODE` on the
 * commander's host signs the code read aloud and prints the response code to read back;
 * `breakglass acknowledged CODE` on the operator's host records that response in the session.
 * The two hosts need not reach each other: the codes travel by voice, the records by push and fetch.
 * `breakglass witness`: anyone's signed statement of the host histories they hold (issue 16).
 */
export const registerAcknowledgementCommands: CommandGroup = (program, { g, action }) => {
  program.command('acknowledge')
    .description("as the incident commander: acknowledge a declaration's (or closing's) code read to you; prints the response code to read back")
    .argument('<code...>', 'the code, like ABCDE-FGHJK (case, spaces and dashes do not matter)')
    .option('--event <event>', 'declared or closed (default: as this repository knows the code, else declared)')
    .option('--key <fingerprint>', 'which ssh-agent key signs (SHA256:…), when it holds several')
    .action(action(async (code: string[], o: { event?: string; key?: string }) => (await actions()).acknowledge(g(), code, o)));

  program.command('acknowledged')
    .description("as the operator: record the incident commander's response code (provisional until both histories meet)")
    .argument('<code...>', 'the response code, like ABCDE-FGHJK')
    .option('--session <id>', 'session id (default: the open session on this host, else its latest closed one)')
    .option('--event <event>', 'declared or closed (default: the closing once the session is closed)')
    .action(action(async (code: string[], o: { session?: string; event?: string }) => (await actions()).acknowledged(g(), code, o)));

  program.command('witness')
    .description("sign what this host holds of every other host's history (each host's ref tip), so a later rewrite of any of them is a verify finding; fetches first, pushes after")
    .option('--no-fetch', 'state the tips this repository already holds, without fetching first')
    .option('--as-host', "sign with this host's key (registered in the roster) instead of a roster person's")
    .option('--key <fingerprint>', 'which ssh-agent key signs (SHA256:…), when it holds several')
    .action(action(async (o: { fetch: boolean; asHost?: boolean; key?: string }) => (await actions()).witness(g(), o)));
};
