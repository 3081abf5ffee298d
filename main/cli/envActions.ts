import { EXIT, out, type GlobalOptions } from './output';

/**
 * `env` (registered in sessionCommands.ts, imported when it runs), apart from the session's other
 * commands (issue 18): about this host's open session, it reads the open slice through
 * openSliceService, which loads neither the application layer nor simple-git; the application
 * is opened only when that finds no slice made from exactly the current refs, or for `--session`.
 */

/** `env`: the export block while a session is active. */
export async function env(opts: GlobalOptions, o: { session?: string; environment?: string }): Promise<number | void> {
  const exported = await (await service(opts, o.session)).environment({ sessionId: o.session, environment: o.environment });
  if (!exported) {
    process.stderr.write('breakglass: no active break-glass session on this host (none declared, or it expired). Nothing exported.\n');
    return EXIT.noSession;
  }
  out(opts, exported.text, exported.variables);
}

/** The service `env` reads: over the open slice when there is one for the current refs, else the application's. */
async function service(opts: GlobalOptions, sessionId: string | undefined) {
  // A named session may be closed, or another host's, with its own refusal: that reads everything (sessionActions.ts openOnlyUnless).
  if (!sessionId) {
    const { openSliceService } = await import('../application/openSliceService');
    const sliced = await openSliceService({ repo: opts.repo });
    if (sliced) return sliced;
  }
  const { openApplication } = await import('./openApplication');
  return (await openApplication(opts, { openOnly: !sessionId })).service;
}
