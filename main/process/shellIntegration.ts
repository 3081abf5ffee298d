import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Injects the command-index marks into the operator's shell without touching their dotfiles
 * (issue 17): bash gets `--rcfile` with a file that sources ~/.bashrc and then adds the marks;
 * zsh gets a ZDOTDIR whose files source the operator's own ones. The scripts live beside this
 * file in shell-integration/ and are copied into a private temporary folder per shell (bash and
 * zsh cannot read inside an Electron asar; the bundled CLI needs the folder copied next to it).
 */

/** The folder holding bash.sh and zsh/ (next to this module; next to the bundle once built). */
export const DEFAULT_SCRIPTS_DIR = fileURLToPath(new URL('./shell-integration/', import.meta.url));

/** How to start a shell with the integration, and what to remove once it has ended. */
export interface IntegratedShell {
  argv: string[];
  env: Record<string, string>;
  /** Which integration was injected; null for a shell we have none for (no command index). */
  integration: 'bash' | 'zsh' | null;
  /** The session's mark nonce (see app/recording/commandIndex.ts). */
  nonce: string;
  cleanup(): void;
}

/** Builds argv and env for an interactive `shell` with the marks injected. */
export function integrateShell(shell: string, env: Record<string, string>, scriptsDir = DEFAULT_SCRIPTS_DIR): IntegratedShell {
  const nonce = randomBytes(8).toString('hex');
  const name = path.basename(shell);
  const withNonce = { ...env, BREAKGLASS_SHELL_NONCE: nonce };
  if (name !== 'bash' && name !== 'zsh') return { argv: [shell, '-i'], env, integration: null, nonce, cleanup: () => {} };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'breakglass-shell-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (name === 'bash') {
      const rcfile = path.join(dir, 'bashrc');
      copyFileSync(path.join(scriptsDir, 'bash.sh'), rcfile);
      return { argv: [shell, '--rcfile', rcfile, '-i'], env: withNonce, integration: 'bash', nonce, cleanup };
    }
    const zdotdir = path.join(dir, 'zsh');
    mkdirSync(zdotdir);
    for (const file of ['.zshenv', '.zprofile', '.zshrc']) copyFileSync(path.join(scriptsDir, 'zsh', file), path.join(zdotdir, file));
    const userZdotdir = env.ZDOTDIR ?? env.HOME ?? os.homedir();
    return { argv: [shell, '-i'], env: { ...withNonce, ZDOTDIR: zdotdir, BREAKGLASS_USER_ZDOTDIR: userZdotdir }, integration: 'zsh', nonce, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
