import type { Command } from 'commander';
import { Application } from '../application/application';
import { openContext } from '../application/context';
import { CLI_FORWARD_WAIT_MS } from '../application/forwarding';
import { sessionEnvFile } from '../host/paths';
import type { GlobalOptions } from './output';

/** What each command group is registered with. */
export interface CliDeps {
  /** The global options as parsed (`--repo`, `--json`). */
  g(): GlobalOptions;
  /** Wraps a command's action: its resolved number (or 0) becomes the exit code, a throw goes through `fail`. */
  action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void>;
  setExit(code: number): void;
}

/** A command group: adds its commands to the program. */
export type CommandGroup = (program: Command, deps: CliDeps) => void;

const opened = new Set<Application>();

/**
 * Opens the evidence repository (`--repo`, else the default) and the application layer over it.
 * `readOnly` for the commands that only read (verify, log, report): they never write anything,
 * and refuse an absent folder instead of creating one (issue 12 item 1).
 */
export async function openApplication(opts: GlobalOptions, access: { readOnly?: boolean } = {}): Promise<Application> {
  const app = new Application(await openContext({ repo: opts.repo, readOnly: access.readOnly ?? false, onTouch: (m) => process.stderr.write(`breakglass: ${m}.\n`) }), { sessionEnvPath: sessionEnvFile() });
  opened.add(app);
  return app;
}

/**
 * Ends what the command opened, before the process exits (issue 19): forwarding, started by the
 * command's first write, gets up to CLI_FORWARD_WAIT_MS to deliver what was written. Nothing is
 * lost either way: a record not yet acknowledged is still after the destination's cursor in the
 * ledger, and the next CLI write or the running console sends it.
 */
export async function closeApplications(): Promise<void> {
  const apps = [...opened];
  opened.clear();
  await Promise.all(apps.map((a) => a.shutdown(CLI_FORWARD_WAIT_MS).catch(() => {})));
}
