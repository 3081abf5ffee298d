import { spawn, type ChildProcess } from 'node:child_process';
import { BreakGlassError } from '../../app/errors';

/** The platform's default terminal for "Open governed shell" (issue 5). */
export function defaultTerminal(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'darwin') return ['open', '-n', '-a', 'Terminal'];
  if (platform === 'win32') return ['cmd.exe', '/c', 'start', 'cmd.exe'];
  if (env.TERMINAL) return [env.TERMINAL];
  return ['x-terminal-emulator'];
}

/** Starts a detached program (the operator's terminal) and resolves once it has started. */
export function launchDetached(argv: string[], env: Record<string, string>, cwd: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, detached: true, stdio: 'ignore' });
    child.once('spawn', () => {
      child.unref();
      resolve(child);
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(new BreakGlassError('refused', `Could not open the terminal "${argv[0]}" (${e.code ?? e.message}). Set the terminal to use in Settings, or use breakglass env in a terminal of your own.`));
    });
  });
}
