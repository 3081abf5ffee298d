/** Finds the Electron binary without triggering the electron package's download. */
export function findElectronBinary(): { ok: true; path: string } | { ok: false; reason: string };
