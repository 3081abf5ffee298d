import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';

/** What to do when no Chromium can be found (issue 7: "a clear message where it is not"). */
export const NO_CHROMIUM_MESSAGE = 'PDF needs Chromium: install it (Debian: apt-get install chromium) or set BREAKGLASS_CHROMIUM, or export Markdown/HTML';

/** The names tried on PATH, in order, when BREAKGLASS_CHROMIUM is not set. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;

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
 * Where Chromium is: `BREAKGLASS_CHROMIUM` when set (and then only that one: an explicit choice
 * that does not work is an error, not a reason to pick another), else the first of
 * {@link CHROMIUM_NAMES} on PATH. Used for PDFs and, where Electron is absent, for the console itself.
 */
export function locateChromium(env: NodeJS.ProcessEnv = process.env): { ok: true; path: string } | { ok: false; explicit: string | null } {
  const explicit = env.BREAKGLASS_CHROMIUM?.trim();
  if (explicit) return isExecutableFile(explicit) ? { ok: true, path: explicit } : { ok: false, explicit };
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (isExecutableFile(file)) return { ok: true, path: file };
    }
  }
  return { ok: false, explicit: null };
}

/** The Chromium binary the CLI prints PDFs with ({@link locateChromium}), or a refusal saying what to do. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const found = locateChromium(env);
  if (found.ok) return found.path;
  throw new BreakGlassError('refused', found.explicit ? `${NO_CHROMIUM_MESSAGE} (BREAKGLASS_CHROMIUM=${found.explicit} is not an executable file).` : `${NO_CHROMIUM_MESSAGE}.`);
}
