import type { Command } from 'commander';
import type { GlobalOptions } from './output';

/**
 * What each command group is registered with. Registration is eager and light (issue 18): the
 * commands, options and help text only; each group's implementation (its `…Actions.ts`, and the
 * application layer behind it) is imported by the action that runs, so `--help` and `env` load
 * only what they use.
 */
export interface CliDeps {
  /** The global options as parsed (`--repo`, `--json`). */
  g(): GlobalOptions;
  /** Wraps a command's action: its resolved number (or 0) becomes the exit code, a throw goes through `fail`. */
  action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void>;
  setExit(code: number): void;
}

/** A command group: adds its commands to the program. */
export type CommandGroup = (program: Command, deps: CliDeps) => void;

const closers = new Set<() => Promise<void>>();

/** Registers what ends an opened application before the process exits (main/cli/openApplication.ts). */
export function onClose(close: () => Promise<void>): void {
  closers.add(close);
}

/**
 * Ends what the command opened, before the process exits (issue 19): forwarding, started by the
 * command's first write, gets up to CLI_FORWARD_WAIT_MS to deliver what was written. Nothing is
 * lost either way: a record not yet acknowledged is still after the destination's cursor in the
 * ledger, and the next CLI write or the running console sends it.
 */
export async function closeApplications(): Promise<void> {
  const pending = [...closers];
  closers.clear();
  await Promise.all(pending.map((close) => close().catch(() => {})));
}
