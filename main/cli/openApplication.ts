import { Application } from '../application/application';
import { openContext } from '../application/context';
import { CLI_FORWARD_WAIT_MS } from '../application/forwarding';
import { sessionEnvFile } from '../host/paths';
import { onClose } from './commandGroup';
import type { GlobalOptions } from './output';

/**
 * Opens the evidence repository (`--repo`, else the default) and the application layer over it;
 * `closeApplications` (main/cli/commandGroup.ts) ends it before the process exits.
 * `readOnly` for the commands that only read (verify, log, report): they never write anything,
 * and refuse an absent folder instead of creating one (issue 12 item 1). `openOnly` for the
 * commands that read this host's open sessions and write nothing (env, status: issue 18).
 */
export async function openApplication(opts: GlobalOptions, access: { readOnly?: boolean; openOnly?: boolean } = {}): Promise<Application> {
  const app = new Application(await openContext({ repo: opts.repo, readOnly: access.readOnly ?? false, openOnly: access.openOnly ?? false, onTouch: (m) => process.stderr.write(`breakglass: ${m}.\n`) }), { sessionEnvPath: sessionEnvFile() });
  onClose(() => app.shutdown(CLI_FORWARD_WAIT_MS));
  return app;
}
