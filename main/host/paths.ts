import os from 'node:os';
import path from 'node:path';

/**
 * The console's data folder, shared by the console and the CLI (issue 2): `$XDG_DATA_HOME`, else
 * `~/.local/share`, on Linux; the platform's application-data folder elsewhere.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.BREAKGLASS_DATA_DIR) return path.resolve(env.BREAKGLASS_DATA_DIR);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Break-Glass Console');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Break-Glass Console');
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdg, 'breakglass');
}

/** The evidence repository: `--repo`, else `$BREAKGLASS_REPO`, else `<data dir>/evidence`. */
export function evidenceRepoDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.BREAKGLASS_REPO) return path.resolve(env.BREAKGLASS_REPO);
  return path.join(dataDir(env), 'evidence');
}

/** `<data dir>/session.env`: the export block while a session is active (issue 5). */
export function sessionEnvFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'session.env');
}
