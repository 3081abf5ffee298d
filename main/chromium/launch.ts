import { locateChromium } from '../report/chromium';

/** The Chromium switches every console launch uses (offline, on two cores). */
export const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** What the console prints when asked for a DevTools TCP port. */
export const CDP_PORT_WARNING = 'WARNING: --cdp-port opens the DevTools protocol on 127.0.0.1 without authentication: ANY local account can connect, drive this console and run commands recorded in your name. Use it only on a single-user machine, and stop the console when done.';

/** The Chromium the console runs in: BREAKGLASS_CHROMIUM, else chromium, chromium-browser or Chrome on PATH, else Debian's path. */
export function consoleChromium(env: NodeJS.ProcessEnv = process.env): string {
  const found = locateChromium(env);
  return found.ok ? found.path : (found.explicit ?? '/usr/bin/chromium');
}

/**
 * How the console's Chromium is launched (issue 12 item 16). Playwright drives it over a pipe
 * (`--remote-debugging-pipe`): only this process can. A DevTools TCP port lets every local
 * account drive the console and run commands recorded in the operator's name, so it is opened only
 * when asked for. The sandbox is off only for root, where Chromium refuses to start with it.
 */
export function chromiumLaunchOptions(o: { headless: boolean; cdpPort?: number | undefined; uid?: number | null; env?: NodeJS.ProcessEnv }): { executablePath: string; headless: boolean; chromiumSandbox: boolean; args: string[] } {
  const uid = o.uid === undefined ? (process.getuid?.() ?? null) : o.uid;
  return {
    executablePath: consoleChromium(o.env),
    headless: o.headless,
    chromiumSandbox: uid !== 0,
    args: [...CHROMIUM_ARGS, ...(o.cdpPort !== undefined ? [`--remote-debugging-port=${o.cdpPort}`, '--remote-debugging-address=127.0.0.1'] : [])],
  };
}
