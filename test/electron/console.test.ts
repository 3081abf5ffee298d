import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { findElectronBinary } from '../../build/electron-binary.mjs';
import { ROOT } from '../support/cli';
import { removeWorkspaces, workspace } from '../support/workspace';

// The Electron end-to-end test (issue 3): runs wherever the Electron binary exists and reports
// itself skipped, with the reason, where it does not (it cannot be downloaded on these machines).
const binary = findElectronBinary();
const SKIP_REASON = binary.ok ? '' : `Electron binary not available: ${binary.reason}`;

describe('the console in Electron', () => {
  let app: ElectronApplication | null = null;
  afterAll(async () => {
    await app?.close();
    removeWorkspaces();
  });

  it('launches with the hardened webPreferences and shows the home screen', async (ctx) => {
    if (!binary.ok) {
      // Issue 3: where the Electron binary cannot be had, this test reports itself skipped with the reason.
      ctx.skip(SKIP_REASON);
      return;
    }
    const ws = await workspace();
    app = await electron.launch({ executablePath: binary.path, args: [path.join(ROOT, 'dist/main.cjs'), '--repo', ws.repo, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])], env: ws.env as Record<string, string> });
    const page = await app.firstWindow();
    // The effective preferences, observed from both sides: main reports the preferences the window's
    // contents were created with (main/electron/hardening.ts, each a checklist item), and the page
    // shows no Node, no require, and only the contract API.
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0]!;
      // getLastWebPreferences() is Electron's own record of what the contents were created with (not in its .d.ts).
      const last = (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null }).getLastWebPreferences();
      return { devTools: w.webContents.isDevToolsOpened(), url: w.webContents.getURL(), last, backgroundThrottling: w.webContents.getBackgroundThrottling() };
    });
    expect(prefs.url).toBe('app://console/index.html');
    expect(prefs.last).toMatchObject({
      contextIsolation: true, // checklist 3
      sandbox: true, // checklist 4
      nodeIntegration: false, // checklist 2
      nodeIntegrationInSubFrames: false,
      webSecurity: true, // checklist 6
      allowRunningInsecureContent: false, // checklist 8
      experimentalFeatures: false, // checklist 9
      webviewTag: false, // checklist 11
    });
    // The countdown is not throttled in a hidden window; devtools are not open on launch.
    expect(prefs.backgroundThrottling).toBe(false);
    expect(prefs.devTools).toBe(false);
    const page_ = page as unknown as { evaluate<T>(fn: () => T): Promise<T> };
    const g = await page_.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return { process: typeof w.process, require: typeof w.require, api: Object.keys(w.breakglass as object).sort(), opened: (w.open as (u: string) => unknown)('https://example.com') === null };
    });
    expect(g).toMatchObject({ process: 'undefined', require: 'undefined', opened: true });
    expect(g.api).toEqual(expect.arrayContaining(['session', 'status', 'on']));
    await page.getByRole('button', { name: /declare/i }).waitFor();
  });
});
