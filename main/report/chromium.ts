import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';

/** What to do when no Chromium can be found (issue 7: "a clear message where it is not"). */
export const NO_CHROMIUM_MESSAGE = 'PDF needs Chromium: install it (Debian: apt-get install chromium) or set BREAKGLASS_CHROMIUM, or export Markdown/HTML';

/** The names tried on PATH, in order, when BREAKGLASS_CHROMIUM is not set. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'] as const;

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the Chromium binary the CLI prints PDFs with: `BREAKGLASS_CHROMIUM` when set (and then
 * only that one: an explicit choice that does not work is an error, not a reason to pick another),
 * else the first of chromium, chromium-browser, google-chrome on PATH.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.BREAKGLASS_CHROMIUM?.trim();
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw new BreakGlassError('refused', `${NO_CHROMIUM_MESSAGE} (BREAKGLASS_CHROMIUM=${explicit} is not an executable file).`);
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (isExecutableFile(file)) return file;
    }
  }
  throw new BreakGlassError('refused', `${NO_CHROMIUM_MESSAGE}.`);
}
