import { BreakGlassError } from '../../app/errors';
import { describeForwardDestination } from '../../app/forwarding/status';
import { escapeForTerminal } from '../../app/text';
import { openApplication } from './openApplication';
import { EXIT, out, type GlobalOptions } from './output';

/** What the forwarding commands do (registered in forwardCommands.ts, imported when one runs). */

/** `forward status`: each destination's state. */
export async function forwardStatus(opts: GlobalOptions): Promise<number> {
  const { ctx } = await openApplication(opts);
  const statuses = await ctx.forwarding.status();
  out(opts, statuses.length === 0
    ? 'Forwarding is off: the policy names no destinations (policy.yaml forwarding).'
    : statuses.map((s) => escapeForTerminal(describeForwardDestination(s))).join('\n'), { destinations: statuses });
  return EXIT.ok;
}

/** `forward test DESTINATION`: one test event to the destination. */
export async function forwardTest(opts: GlobalOptions, destination: string): Promise<number> {
  const { ctx } = await openApplication(opts);
  const ids = (await ctx.forwarding.destinations()).map((d) => d.id);
  if (!ids.includes(destination)) {
    throw new BreakGlassError('invalid-input', ids.length ? `No forwarding destination by that name in the policy; there are: ${ids.join(', ')}.` : 'Forwarding is off: the policy names no destinations.');
  }
  const r = await ctx.forwarding.test(destination);
  out(opts, escapeForTerminal(r.ok
    ? `Test event delivered to ${r.destination} (${r.target}) in ${r.ms} ms.`
    : `Test event to ${r.destination} (${r.target}) failed (${r.kind}): ${r.message}`), r);
  return r.ok ? EXIT.ok : EXIT.refused;
}
