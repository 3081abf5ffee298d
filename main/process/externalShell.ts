import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BreakGlassError } from '../../app/errors';
import { shellQuote } from '../../app/envExport';
import { findExecutable } from './container';

/**
 * The external-terminal option of "Open governed shell" (issue 17): the terminal the operator
 * chose runs `breakglass shell`, so what is typed and shown in it is recorded like the in-console
 * terminal, inside the session's container. Opening a bare terminal would record nothing.
 */

/** Where the placeholder for the governed command goes in a configured terminal (`kitty {command}`). */
export const COMMAND_PLACEHOLDER = '{command}';

/**
 * The command that runs the `breakglass` CLI, or null when none can be found. The console's own
 * executable cannot be used: Electron's runAsNode fuse is off, so it is never a plain Node.
 * `here` is the folder of the built main bundle (dist/), beside which bin/ sits in a checkout.
 */
export function breakglassCli(env: NodeJS.ProcessEnv = process.env, here: string = bundleFolder()): string[] | null {
  const configured = env.BREAKGLASS_CLI;
  if (configured && path.isAbsolute(configured) && findExecutable(configured, undefined)) return [configured];
  const script = path.resolve(here, '..', 'bin', 'breakglass.js');
  const node = plainNode(env);
  if (existsSync(script) && node) return [node, script];
  const onPath = findOnPath('breakglass', env);
  return onPath ? [onPath] : null;
}

/** A Node that is really Node: this process when it is not Electron, else `node` on the PATH. */
function plainNode(env: NodeJS.ProcessEnv): string | null {
  if (!process.versions.electron) return process.execPath;
  return findOnPath('node', env);
}

/** `name` on the PATH's absolute folders only: a relative entry would be looked up from wherever the console was started. */
function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  return findExecutable(name, (env.PATH ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir)).join(path.delimiter));
}

function bundleFolder(): string {
  // Built, this module is inside a bundle in dist/; run from source (tests), it stands for dist/.
  return fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../dist/' : './', import.meta.url));
}

/** The governed shell's argv for one session of one repository. */
export function governedShellCommand(cli: string[], sessionId: string, repoDir: string): string[] {
  return [...cli, '--repo', repoDir, 'shell', '--session', sessionId];
}

/** Terminals that take the program to run after `--` rather than `-e`. */
const DOUBLE_DASH = new Set(['gnome-terminal', 'kgx', 'ptyxis', 'tilix', 'xfce4-terminal', 'mate-terminal']);
/** Terminals that take the program as their plain arguments. */
const PLAIN_ARGS = new Set(['foot', 'kitty', 'alacritty-msg', 'sh', 'bash']);

/**
 * The terminal's argv running `command`. A configured terminal may say where the command goes
 * with `{command}`; otherwise the convention of the terminal named is used (`-e` by default).
 */
export function terminalRunning(terminal: string[], command: string[], platform: NodeJS.Platform = process.platform): string[] {
  const at = terminal.indexOf(COMMAND_PLACEHOLDER);
  if (at >= 0) return [...terminal.slice(0, at), ...command, ...terminal.slice(at + 1)];
  if (platform === 'darwin') return [...terminal, withCommandFile(command)];
  const program = path.basename(terminal[0] ?? '').replace(/\.exe$/i, '').toLowerCase();
  if (program === 'cmd') return [...terminal, '/k', ...command];
  if (program === 'wezterm') return [...terminal, 'start', '--', ...command];
  if (DOUBLE_DASH.has(program)) return [...terminal, '--', ...command];
  if (PLAIN_ARGS.has(program)) return [...terminal, ...command];
  return [...terminal, '-e', ...command];
}

/**
 * macOS's Terminal opens files, not argv: a private `.command` file (0700, in a fresh 0700
 * folder) that runs the governed shell. It holds only paths and the session id, no secret.
 */
export function withCommandFile(command: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'breakglass-shell-'));
  const file = path.join(dir, 'governed-shell.command');
  writeFileSync(file, `#!/bin/sh\nexec ${command.map(shellQuote).join(' ')}\n`, { mode: 0o700 });
  chmodSync(file, 0o700);
  return file;
}

/** Why no external governed shell can open: nothing would be recorded in a bare terminal. */
export function noCliError(): BreakGlassError {
  return new BreakGlassError('refused', 'The breakglass command was not found, so an external terminal could not run a recorded shell. Use the Terminal tab, or install the CLI (or set BREAKGLASS_CLI to its absolute path) and retry.');
}
