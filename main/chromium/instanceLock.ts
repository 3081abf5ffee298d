import { mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * One Chromium console per data folder (issue 20), as Electron's single-instance lock gives the
 * app: one countdown, one expiry tick, one fetch schedule per host. proper-lockfile's mkdir lock
 * is refreshed while the console runs; one left by a killed console goes stale after 10 s.
 * Returns the release, or null when another console holds it.
 */
export async function takeConsoleLock(dataDir: string): Promise<(() => Promise<void>) | null> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return await lockfile.lock(path.join(dataDir, 'console'), { realpath: false, stale: 10_000, retries: 0, onCompromised: () => {} });
  } catch (e) {
    if ((e as { code?: string }).code === 'ELOCKED') return null;
    throw e;
  }
}
