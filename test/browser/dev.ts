import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CDP_PORT_WARNING, launchConsole, RENDERER_DIR, ROOT } from './host';

/**
 * `npm run dev:browser -- --repo DIR [--headless] [--cdp-port N] [--observer]`: the console in
 * Debian's Chromium on the real backend, through the browser test host, until Ctrl-C. Builds the
 * renderer first when it has not been built.
 */
const USAGE = 'Usage: npm run dev:browser -- --repo DIR [--headless] [--cdp-port N] [--observer]';

async function main(): Promise<void> {
  let values: { repo?: string; headless?: boolean; 'cdp-port'?: string; observer?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        repo: { type: 'string' },
        headless: { type: 'boolean', default: false },
        'cdp-port': { type: 'string' },
        observer: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.repo) {
    console.error(`--repo DIR is required (an evidence repository; created when absent).\n${USAGE}`);
    process.exit(2);
  }
  let cdpPort: number | undefined;
  if (values['cdp-port'] !== undefined) {
    cdpPort = Number(values['cdp-port']);
    if (!Number.isInteger(cdpPort) || cdpPort < 1 || cdpPort > 65_535) {
      console.error(`--cdp-port must be a port number (1–65535), not "${values['cdp-port']}".`);
      process.exit(2);
    }
  }

  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    console.log('The renderer is not built yet: building it (npm run build:renderer)…');
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  }

  // Headed needs a display; without one (no X server, no Xvfb) the console still runs headless.
  let headless = values.headless ?? false;
  if (!headless && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log('No display (DISPLAY is unset): running Chromium headless. --cdp-port N opens it to inspection (and to every local account).');
    headless = true;
  }

  if (cdpPort !== undefined) console.error(CDP_PORT_WARNING);
  const host = await launchConsole({ repo: path.resolve(values.repo), headless, ...(values.observer ? { observer: true } : {}), ...(cdpPort !== undefined ? { cdpPort } : {}) });
  console.log(`Break-Glass Console (browser host) on ${host.url}`);
  console.log(`  evidence repository: ${path.resolve(values.repo)}${values.observer ? '  (observer, read-only)' : ''}`);
  console.log(`  Chromium: ${headless ? 'headless' : 'headed'}`);
  if (cdpPort !== undefined) console.log(`  DevTools protocol: http://127.0.0.1:${cdpPort} (e.g. chromium.connectOverCDP('http://127.0.0.1:${cdpPort}'))`);
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await host.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  host.browser.on('disconnected', () => void stop('Chromium closed'));
  // The HTTP server, the backend's timers and Chromium keep the process alive until a signal.
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
