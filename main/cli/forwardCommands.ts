import { BreakGlassError } from '../../app/errors';
import { describeForwardDestination } from '../../app/forwarding/status';
import { escapeForTerminal } from '../../app/text';
import { openApplication, type CommandGroup } from './commandGroup';
import { EXIT, out } from './output';

/**
 * `breakglass forward status` and `breakglass forward test DESTINATION` (issue 19): the same
 * states and the same test the console's Settings show, for a terminal or a script (`--json`).
 */
export const registerForwardCommands: CommandGroup = (program, { g, action }) => {
  const forward = program.command('forward').description('forwarding of this host\'s records to the SIEM and alert hooks (policy.yaml forwarding)');

  forward.command('status')
    .description('each destination: delivered up to which record and when, pending records, failing since when and why')
    .action(action(async () => {
      const { ctx } = await openApplication(g());
      const statuses = await ctx.forwarding.status();
      out(g(), statuses.length === 0
        ? 'Forwarding is off: the policy names no destinations (policy.yaml forwarding).'
        : statuses.map((s) => escapeForTerminal(describeForwardDestination(s))).join('\n'), { destinations: statuses });
      return EXIT.ok;
    }));

  forward.command('test')
    .argument('<destination>', 'the destination\'s id in the policy')
    .description('send one test event to the destination; changes nothing else')
    .action(action(async (destination: string) => {
      const { ctx } = await openApplication(g());
      const ids = (await ctx.forwarding.destinations()).map((d) => d.id);
      if (!ids.includes(destination)) {
        throw new BreakGlassError('invalid-input', ids.length ? `No forwarding destination by that name in the policy; there are: ${ids.join(', ')}.` : 'Forwarding is off: the policy names no destinations.');
      }
      const r = await ctx.forwarding.test(destination);
      out(g(), escapeForTerminal(r.ok
        ? `Test event delivered to ${r.destination} (${r.target}) in ${r.ms} ms.`
        : `Test event to ${r.destination} (${r.target}) failed (${r.kind}): ${r.message}`), r);
      return r.ok ? EXIT.ok : EXIT.refused;
    }));
};
