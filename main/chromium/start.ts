import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dataDir, evidenceRepoDir } from '../host/paths';
import { locateChromium } from '../report/chromium';
import { openChromiumConsole } from './host';
import { takeConsoleLock } from './instanceLock';
import { CDP_PORT_WARNING } from './launch';

/**
 * The console in the system's Chromium, as a person runs it (issue 20): `npm start` where
 * Electron's binary is absent, and `npm run dev:browser`. The same flags and defaults as the
 * Electron app — `--repo` (else `$BREAKGLASS_REPO`, else `<data dir>/evidence`) and `--observer` —
 * plus `--headless` and `--cdp-port` for a machine without a display.
 */

/** The usage line. */
export const USAGE = 'Usage: npm start -- [--repo DIR] [--observer] [--headless] [--cdp-port N]';

/** What to do without a display: the console needs a window, or must be told to run without one. */
export const NO_DISPLAY_MESSAGE = [
  'No display (DISPLAY and WAYLAND_DISPLAY are unset): the console cannot open its window.',
  'Run it on a virtual display: xvfb-run npm start',
  'or headless, driven over the DevTools protocol (which ANY local account can then reach):',
  '  npm start -- --headless --cdp-port 9222    then e.g. chromium.connectOverCDP(\'http://127.0.0.1:9222\')',
].join('\n');

const PortSchema = z.coerce.number().int().min(1).max(65_535);

interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Output = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Runs the console until its window closes or a signal arrives; resolves with the exit code. */
export async function runChromiumConsole(argv: string[], io: Output = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: { repo?: string; observer?: boolean; headless?: boolean; 'cdp-port'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        repo: { type: 'string' },
        observer: { type: 'boolean', default: false },
        headless: { type: 'boolean', default: false },
        'cdp-port': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    // parseArgs names the unknown flag, never a value.
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  let cdpPort: number | undefined;
  if (values['cdp-port'] !== undefined) {
    const port = PortSchema.safeParse(values['cdp-port']);
    if (!port.success) {
      io.err(`--cdp-port must be a port number (1–65535).\n${USAGE}`);
      return 2;
    }
    cdpPort = port.data;
  }
  const headless = values.headless ?? false;
  if (!headless && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    io.err(NO_DISPLAY_MESSAGE);
    return 2;
  }
  const chromium = locateChromium(env);
  if (!chromium.ok) {
    io.err(chromium.explicit ? `BREAKGLASS_CHROMIUM=${chromium.explicit} is not an executable file: point it at Chromium or Chrome, or unset it.` : 'The console needs Chromium or Chrome: install it (Debian: apt-get install chromium) or set BREAKGLASS_CHROMIUM to its path.');
    return 1;
  }

  const data = dataDir(env);
  const release = await takeConsoleLock(data);
  if (!release) {
    io.err(`The console is already running for this data folder (${data}): use its window, or stop it before starting another.`);
    return 1;
  }
  const repo = evidenceRepoDir(values.repo, env);
  if (cdpPort !== undefined) io.err(CDP_PORT_WARNING);
  let host: Awaited<ReturnType<typeof openChromiumConsole>>;
  try {
    host = await openChromiumConsole({ repo, observer: values.observer ?? false, headless, cdpPort, env, appProfileDir: path.join(data, 'chromium-profile') });
  } catch (e) {
    await release().catch(() => {});
    io.err(`The console could not start: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}`);
    return 1;
  }
  io.out(`Break-Glass Console in Chromium (${chromium.path}${headless ? ', headless' : ''})`);
  io.out(`  evidence repository: ${repo}${values.observer ? '  (observer, read-only)' : ''}`);
  if (cdpPort !== undefined) io.out(`  DevTools protocol: http://127.0.0.1:${cdpPort} (e.g. chromium.connectOverCDP('http://127.0.0.1:${cdpPort}'))`);
  io.out(headless ? 'Press Ctrl-C to stop.' : 'Close the window or press Ctrl-C to stop.');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (why: string) => {
      if (stopping) return;
      stopping = true;
      io.out(`${why}: stopping…`);
      await host.close();
      await release().catch(() => {});
      resolve(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(signal));
    void host.closed.then(() => stop('The window was closed'));
  });
}
