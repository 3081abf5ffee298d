// Finds the Electron binary without triggering the electron package's download-on-require
// (these machines reach only the npm registry, so that download fails or hangs).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** @returns {{ ok: true, path: string } | { ok: false, reason: string }} */
export function findElectronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed (run npm ci)' };
  }
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    return existsSync(p) ? { ok: true, path: p } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${p})` };
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { ok: false, reason: 'the Electron binary was never downloaded (node_modules/electron/dist is missing)' };
  const bin = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { ok: true, path: bin } : { ok: false, reason: `the Electron binary is missing at ${bin}` };
}
