import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { warningNotification } from '../../app/countdown';
import { EVENTS, type Envelope, type EventName } from '../../app/contract';
import type { Clock } from '../../app/ports';
import type { ShellOptions } from '../application/shells';
import { ConsoleBackend } from '../console/backend';
import { isAppUrl } from '../console/security';
import { chromiumLaunchOptions } from './launch';
import { serveRenderer, STARTING_PATH } from './serve';

/**
 * The console in the system's Chromium (issue 20; architecture.md "The Electron runtime is not
 * available on these machines"): the built renderer bound to the real console backend. Only the
 * transport differs from Electron:
 *   - the renderer is served from disk on 127.0.0.1 with the same CSP and headers as the app protocol;
 *   - `window.breakglass` is built by the same `buildApi` (app/api.ts) the preload uses, over a
 *     Playwright binding on Chromium's DevTools pipe instead of IPC (no TCP port unless asked for);
 *   - the binding refuses any frame that is not the console's own page, as main checks the sender;
 *   - requests outside the console's origin are aborted and other windows closed, as main refuses
 *     navigation, window.open and remote content.
 * `npm start` runs it where Electron's binary is absent (main/chromium/start.ts); the end-to-end
 * tests run it through test/browser/host.ts.
 */

// Run from source (tsx, vitest) this file is main/chromium/host.ts and the build is in dist/;
// bundled, it is dist/chromiumConsole.mjs, beside the build.
const fromSource = import.meta.url.endsWith('.ts');
/** The build output the console is served from (`npm run build`). */
export const DIST_DIR = fileURLToPath(new URL(fromSource ? '../../dist/' : './', import.meta.url));
/** Where `npm run build` puts the renderer. */
export const RENDERER_DIR = path.join(DIST_DIR, 'renderer');
/** `app/api.ts` as a browser script exposing `buildApi` (build/build.mjs): the code the preload runs. */
export const API_BUNDLE = path.join(DIST_DIR, 'rendererApi.js');

const BINDING = '__breakglassInvoke';
const EMITTER = '__breakglassEmit';

/** Throws with the command to run when the renderer or the API bundle has not been built. */
export function assertRendererBuilt(dir = RENDERER_DIR): void {
  for (const file of [path.join(dir, 'index.html'), API_BUNDLE]) {
    if (!existsSync(file)) throw new Error(`The console is not built (${file} is missing): run \`npm run build\` first.`);
  }
}

/** Options of {@link openChromiumConsole}. */
export interface ChromiumConsoleOptions {
  /** The evidence repository; `--repo`, `$BREAKGLASS_REPO`, else `<data dir>/evidence` (created when absent). */
  repo?: string | undefined;
  headless?: boolean;
  /** Also listen for the DevTools protocol on this 127.0.0.1 port (any local account can connect). */
  cdpPort?: number | undefined;
  /** The backend's environment (data dir, host id…); the process environment by default. */
  env?: NodeJS.ProcessEnv;
  /** The commander's read-only console (issue 6). */
  observer?: boolean;
  /**
   * An app window (`--app`: no tabs, no address bar) on this persistent profile folder, as the
   * console a person uses; without it, a fresh throw-away profile (the tests).
   */
  appProfileDir?: string;
  clock?: Clock;
  clipboard?: { writeText(text: string): void };
  /** Governed shells' recording settings (tests shorten the chunk interval). */
  shells?: ShellOptions;
  /** The page's size; the window's own size for a headed app window, 1280×800 otherwise. */
  viewport?: { width: number; height: number };
  timezoneId?: string;
  locale?: string;
  /**
   * Origins the page may load besides its own: none for a person's console; a test that checks
   * the binding's own refusal of a foreign page opens one.
   */
  extraOrigins?: string[];
  /** Runs after the binding is installed and before the console's page loads (a test's page clock). */
  beforeLoad?: (page: Page) => Promise<void>;
}

/** One console message or page error seen in the page. */
export interface ConsoleEntry {
  type: string;
  text: string;
  url: string;
}

/** A running console in Chromium. */
export interface ChromiumConsole {
  page: Page;
  /** The browser; null for an app window, whose persistent context is the browser. */
  browser: Browser | null;
  context: BrowserContext;
  backend: ConsoleBackend;
  /** The console page's URL (`http://127.0.0.1:<port>/`). */
  url: string;
  /** The console page's origin. */
  origin: string;
  /** Every console message and page error, in order. */
  console: ConsoleEntry[];
  /** Console entries that report a Content-Security-Policy violation. */
  cspViolations(): ConsoleEntry[];
  /** Calls refused because they did not come from the console's page. */
  refused: Array<{ url: string; name: string }>;
  /** Requests aborted because they left the console's origin. */
  blocked: string[];
  /** The OS notifications the page showed (countdown warnings), in order. */
  notifications: Array<{ title: string; body: string }>;
  /** Resolves when the window is closed or Chromium ends. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * The init script: the preload's role. In the console's own page only, it takes the raw binding
 * off `window` (the page sees `window.breakglass` alone, as with contextBridge), builds the API
 * with `buildApi`, and installs the emitter the host calls to deliver events. In every page it
 * reports CSP violations to the console.
 */
function initScript(bundle: string, origin: string): string {
  return `(() => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
  });
  if (location.origin !== ${JSON.stringify(origin)}) return;
  const transport = window[${JSON.stringify(BINDING)}];
  if (typeof transport !== 'function') throw new Error('The console transport binding is missing.');
  delete window[${JSON.stringify(BINDING)}];
  const listeners = new Map();
  const { buildApi } = (() => { ${bundle}; return __breakglassApiModule; })();
  const api = buildApi(
    (name, input) => transport(name, input).then((text) => JSON.parse(text)),
    (event, listener) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => { set.delete(listener); };
    },
  );
  Object.defineProperty(window, 'breakglass', { value: api, enumerable: true, writable: false, configurable: false });
  Object.defineProperty(window, ${JSON.stringify(EMITTER)}, {
    value: (event, payload) => {
      for (const l of [...(listeners.get(event) ?? [])]) {
        try { l(payload); } catch (e) { console.error(e); }
      }
    },
    enumerable: false, writable: false, configurable: false,
  });
})();`;
}

/** Chromium with the console's launch options: an app window on a persistent profile, or a throw-away context. */
async function openBrowser(o: ChromiumConsoleOptions, origin: string): Promise<{ browser: Browser | null; context: BrowserContext; page: Page }> {
  const headless = o.headless ?? true;
  // The process's own environment picks Chromium: the backend's (`o.env`) is the evidence's, and a
  // test may point its BREAKGLASS_CHROMIUM (PDFs) nowhere.
  // Signals are the console's to handle (main/chromium/start.ts stops the backend, then Chromium):
  // Playwright's own handlers would kill Chromium and exit 130 first.
  const launch = { ...chromiumLaunchOptions({ headless, cdpPort: o.cdpPort }), handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false };
  const page = { ...(o.timezoneId ? { timezoneId: o.timezoneId } : {}), ...(o.locale ? { locale: o.locale } : {}), acceptDownloads: false };
  if (o.appProfileDir) {
    // The window opens on a placeholder and loads the console once the binding is in place.
    // Playwright's own start page is left out: the app window is the only window.
    const context = await chromium.launchPersistentContext(o.appProfileDir, {
      ...launch,
      args: [...launch.args, `--app=${origin}${STARTING_PATH}`, '--window-size=1280,800'],
      ignoreDefaultArgs: ['about:blank'],
      viewport: o.viewport ?? (headless ? { width: 1280, height: 800 } : null),
      ...page,
    });
    return { browser: null, context, page: context.pages()[0] ?? (await context.waitForEvent('page')) };
  }
  const browser = await chromium.launch(launch);
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 800 }, ...page });
  return { browser, context, page: await context.newPage() };
}

/**
 * Starts the console: the backend on the repository, the renderer served with the app's CSP,
 * Chromium with `window.breakglass` bound to the backend, and the page loaded. Needs `npm run build`.
 */
export async function openChromiumConsole(options: ChromiumConsoleOptions = {}): Promise<ChromiumConsole> {
  assertRendererBuilt();
  const env = options.env ?? process.env;
  const bundle = await readFile(API_BUNDLE, 'utf8');

  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
    cleanups.length = 0;
  };

  try {
    const server = await serveRenderer(RENDERER_DIR);
    cleanups.push(() => server.close());
    const { origin } = server;
    const url = `${origin}/`;

    const backend = await ConsoleBackend.create({ repo: options.repo, observer: options.observer ?? false, env, ...(options.clock ? { clock: options.clock } : {}), ...(options.clipboard ? { clipboard: options.clipboard } : {}), ...(options.shells ? { shells: options.shells } : {}) });
    cleanups.push(() => backend.stop());
    await backend.start();

    const { browser, context, page } = await openBrowser(options, origin);
    cleanups.push(() => (browser ? browser.close() : context.close()));
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    page.on('close', () => markClosed());
    context.on('close', () => markClosed());

    const consoleLog: ConsoleEntry[] = [];
    page.on('console', (m) => consoleLog.push({ type: m.type(), text: m.text(), url: m.location().url }));
    page.on('pageerror', (e) => consoleLog.push({ type: 'pageerror', text: String(e?.stack ?? e), url: page.url() }));

    // Like main's onBeforeRequest and window-open handler: nothing leaves the console's origin,
    // and a window the page opens is closed at once.
    const blocked: string[] = [];
    await context.route(
      () => true,
      (route) => {
        const requested = route.request().url();
        if ([origin, ...(options.extraOrigins ?? [])].some((o) => isAppUrl(requested, o))) return route.continue();
        blocked.push(requested);
        return route.abort('blockedbyclient');
      },
    );
    page.on('popup', (popup) => void popup.close());

    const refused: Array<{ url: string; name: string }> = [];
    // Like main's IPC handlers: the sender's frame must be the console's own page (checklist 17).
    // The envelope crosses as JSON text: Playwright's own value serialiser takes seconds for the
    // board's 10,000 rows, where Electron's structured clone takes ~0.1 s; a string crosses at once.
    await page.exposeBinding(BINDING, async (source, name: unknown, input: unknown): Promise<string> => {
      const from = source.frame.url();
      if (!isAppUrl(from, origin)) {
        refused.push({ url: from, name: String(name) });
        return JSON.stringify({ ok: false, error: { code: 'forbidden', message: 'Refused: this call did not come from the console\u2019s own page.' } } satisfies Envelope<unknown>);
      }
      return JSON.stringify(await backend.dispatch(String(name), input));
    });
    await page.addInitScript({ content: initScript(bundle, origin) });
    // The countdown's warnings reach the OS as Electron's do, through the page's Notification API.
    await context.grantPermissions(['notifications'], { origin });
    await options.beforeLoad?.(page);

    const notifications: Array<{ title: string; body: string }> = [];
    // Events go to the console's page only, in order.
    let delivery: Promise<unknown> = Promise.resolve();
    const unsubscribe = backend.subscribe((event: EventName, payload: unknown) => {
      if (!EVENTS.includes(event)) return;
      const notice = event === 'countdown.warning' ? warningNotification(payload as { minutesLeft: number; expiresAt: string }) : null;
      delivery = delivery.then(async () => {
        if (page.isClosed() || !isAppUrl(page.url(), origin)) return;
        const shown = await page
          .evaluate(
            ([name, e, p, n]) => {
              const emit = (globalThis as unknown as Record<string, ((event: string, payload: unknown) => void) | undefined>)[name];
              emit?.(e, p);
              const OsNotification = (globalThis as unknown as { Notification?: { permission: string; new (title: string, o: { body: string }): unknown } }).Notification;
              if (!n || OsNotification?.permission !== 'granted') return false;
              new OsNotification(n.title, { body: n.body });
              return true;
            },
            [EMITTER, event, payload, notice] as const,
          )
          .catch(() => false); // the page is navigating or closing: it reloads the state on load
        if (shown && notice) notifications.push(notice);
      });
    });
    cleanups.push(unsubscribe);

    await page.goto(url);
    return {
      page,
      browser,
      context,
      backend,
      url,
      origin,
      console: consoleLog,
      cspViolations: () => consoleLog.filter((m) => /content security policy|CSP violation/i.test(m.text)),
      refused,
      blocked,
      notifications,
      closed,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
