import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { EVENTS, type Envelope, type EventName } from '../../app/contract';
import type { Clock } from '../../app/ports';
import { ConsoleBackend } from '../../main/console/backend';
import { isAppUrl, MIME_TYPES, rendererHeaders } from '../../main/electron/security';

/**
 * The browser test host (architecture.md "The Electron runtime is not available on these
 * machines"): the built renderer in Debian's Chromium, bound to the real console backend. Only
 * the transport differs from Electron:
 *   - the renderer is served from disk with the same CSP and headers as the app protocol;
 *   - `window.breakglass` is built by the same `buildApi` (app/api.ts) the preload uses, over a
 *     Playwright binding instead of IPC;
 *   - the binding refuses any frame that is not the console's own page, as main checks the sender.
 */

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where `npm run build:renderer` puts the renderer. */
export const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
/** Debian's Chromium (never a downloaded browser build). */
export const CHROMIUM = process.env.BREAKGLASS_CHROMIUM ?? '/usr/bin/chromium';
/** The Chromium switches every launch uses (offline, on two cores). */
export const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * How the console's Chromium is launched (issue 12 item 16). Playwright drives it over a pipe
 * (`--remote-debugging-pipe`): only this process can. A DevTools TCP port lets every local
 * account drive the console and run commands recorded in the operator's name, so it is opened only
 * when asked for. The sandbox is off only for root, where Chromium refuses to start with it.
 */
export function chromiumLaunchOptions(o: { headless: boolean; cdpPort?: number | undefined; uid?: number | null }): { executablePath: string; headless: boolean; chromiumSandbox: boolean; args: string[] } {
  const uid = o.uid === undefined ? (process.getuid?.() ?? null) : o.uid;
  return {
    executablePath: CHROMIUM,
    headless: o.headless,
    chromiumSandbox: uid !== 0,
    args: [...CHROMIUM_ARGS, ...(o.cdpPort !== undefined ? [`--remote-debugging-port=${o.cdpPort}`, '--remote-debugging-address=127.0.0.1'] : [])],
  };
}

/** What dev:browser prints when asked for a DevTools TCP port. */
export const CDP_PORT_WARNING = 'WARNING: --cdp-port opens the DevTools protocol on 127.0.0.1 without authentication: ANY local account can connect, drive this console and run commands recorded in your name. Use it only on a single-user machine, and stop the console when done.';

const BINDING = '__breakglassInvoke';
const EMITTER = '__breakglassEmit';

/** Options of {@link launchConsole}. */
export interface LaunchOptions {
  /** The evidence repository (created as the embedded default would be when absent). */
  repo: string;
  headless?: boolean;
  /** Also listen for the DevTools protocol on this port, for a test outside this process. */
  cdpPort?: number;
  /** The backend's environment (data dir, host id…); the process environment by default. */
  env?: NodeJS.ProcessEnv;
  /** The commander's read-only console (issue 6). */
  observer?: boolean;
  /** Start the service's clock, and the page's, at this instant (then both run in real time). */
  clockStart?: Date | number | string;
  /** The window size; 1280×800 by default. */
  viewport?: { width: number; height: number };
  /** The page's time zone (e.g. `Asia/Kolkata`) and locale; the machine's by default. */
  timezoneId?: string;
  locale?: string;
}

/** One console message or page error seen in the page. */
export interface ConsoleEntry {
  type: string;
  text: string;
  url: string;
}

/** A running console in Chromium. */
export interface ConsoleHost {
  page: Page;
  browser: Browser;
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
  /** Service time in epoch ms (the clock the backend runs on). */
  now(): number;
  /** Every text "Copy environment" put on the (recording) clipboard, in order. */
  clipboard: string[];
  /**
   * Freezes the service's clock and the page's at `at` (default: the next whole second at least
   * 1 s ahead, so neither clock has to go back); returns that instant. Needs `clockStart`.
   */
  pauseAt(at?: number): Promise<number>;
  /**
   * Moves time on by `ms` in the service (wall and monotonic clock together: no clock skew) and in
   * the page: `fast-forward` fires each due timer once, like a laptop lid closed and reopened;
   * `run` fires every timer on the way. Needs `clockStart`.
   */
  advance(ms: number, how?: 'fast-forward' | 'run'): Promise<void>;
  /**
   * Moves the service's time on by `ms` (wall and monotonic) and not the page's: a renderer whose
   * timers are late (a hidden window, a busy page). Needs `clockStart`.
   */
  advanceService(ms: number): void;
  /** Jumps the wall clock alone by `ms` (negative: backwards) in the service and the page: a clock skew. Needs `clockStart`. */
  jumpWallClock(ms: number): Promise<void>;
  /** Lets both clocks run in real time again after `pauseAt`. Needs `clockStart`. */
  resumeClock(): Promise<void>;
  /** The page's wall clock (`Date.now()` in the page). */
  pageNow(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The service's clock under a test's control (issue 5): runs in real time from `start`, and can be
 * frozen, moved on (wall and monotonic together), or have its wall clock alone jumped, which the
 * backend must see as a clock skew.
 */
class TestClock implements Clock {
  private readonly t0 = performance.now();
  private frozen: number | null = null;
  private wallShift = 0;
  private monoShift = 0;

  constructor(private readonly start: number) {}

  private real(): number {
    return this.frozen ?? performance.now();
  }

  now(): number {
    return Math.round(this.start + this.real() - this.t0 + this.wallShift);
  }

  monotonicMs(): number {
    return this.real() + this.monoShift;
  }

  freeze(): void {
    this.frozen ??= performance.now();
  }

  unfreeze(): void {
    if (this.frozen === null) return;
    const stopped = performance.now() - this.frozen;
    this.wallShift -= stopped;
    this.monoShift -= stopped;
    this.frozen = null;
  }

  advance(ms: number): void {
    this.wallShift += ms;
    this.monoShift += ms;
  }

  jumpWall(ms: number): void {
    this.wallShift += ms;
  }
}

/** Builds nothing: throws with the command to run when the renderer has not been built. */
export function assertRendererBuilt(dir = RENDERER_DIR): void {
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`The renderer is not built (${path.relative(ROOT, dir)}/index.html is missing): run \`npm run build:renderer\` first.`);
  }
}

/**
 * Serves `dir` on 127.0.0.1 with the renderer headers of main/electron/security.ts on every response,
 * refusing anything outside the folder. Returns the origin and the close.
 */
export async function serveRenderer(dir = RENDERER_DIR): Promise<{ origin: string; close(): Promise<void> }> {
  const root = await realpath(dir);
  const server = http.createServer((req, res) => {
    void respond(root, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, text: string): void {
  // Error answers carry the same CSP as files: nothing served here is ever unprotected.
  res.writeHead(status, { ...rendererHeaders("'self'"), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

async function respond(root: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
  } catch {
    return send(res, 400, 'Bad request');
  }
  if (pathname.includes('\0')) return send(res, 400, 'Bad request');
  if (pathname.endsWith('/')) pathname += 'index.html';
  const inside = (p: string) => p === root || p.startsWith(root + path.sep);
  const candidate = path.resolve(root, `.${pathname}`);
  if (!inside(candidate)) return send(res, 403, 'Forbidden');
  let file: string;
  try {
    file = await realpath(candidate); // a symlink may not lead out of the folder either
    if (!inside(file) || !(await stat(file)).isFile()) return send(res, 404, 'Not found');
  } catch {
    return send(res, 404, 'Not found');
  }
  const body = await readFile(file);
  res.writeHead(200, {
    ...rendererHeaders("'self'"),
    'Content-Type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

let apiBundle: Promise<string> | null = null;

/** `app/api.ts` bundled into an IIFE exposing `buildApi`: the same code the preload runs. */
export function apiBundleSource(): Promise<string> {
  apiBundle ??= build({
    entryPoints: [path.join(ROOT, 'app', 'api.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__breakglassApiModule',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  return apiBundle;
}

/**
 * The init script: the preload's role in the test host. In the console's own page only, it takes
 * the raw binding off `window` (the page sees `window.breakglass` alone, as with contextBridge),
 * builds the API with `buildApi`, and installs the emitter the host calls to deliver events.
 * In every page it reports CSP violations to the console, so a test can see them.
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

function toEpochMs(t: Date | number | string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new TypeError(`clockStart is not a time: ${String(t)}`);
  return ms;
}

/**
 * Starts the console: the backend on `repo`, the renderer served with the app's CSP, Chromium
 * with `window.breakglass` bound to the backend, and the page loaded. Assumes the renderer is
 * built (`npm run build:renderer`).
 */
export async function launchConsole(options: LaunchOptions): Promise<ConsoleHost> {
  assertRendererBuilt();
  const { repo, headless = true, cdpPort, env = process.env, observer = false, clockStart, viewport = { width: 1280, height: 800 }, timezoneId, locale } = options;
  const bundle = await apiBundleSource();

  const clock = clockStart !== undefined ? new TestClock(toEpochMs(clockStart)) : undefined;
  const now = () => (clock ? clock.now() : Date.now());
  const controlled = (): TestClock => {
    if (!clock) throw new Error('This console was launched without clockStart: its clocks cannot be controlled.');
    return clock;
  };
  const clipboard: string[] = [];

  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
    cleanups.length = 0;
  };

  try {
    const server = await serveRenderer();
    cleanups.push(() => server.close());
    const { origin } = server;
    const url = `${origin}/`;

    const backend = await ConsoleBackend.create({ repo, observer, env, ...(clock ? { clock } : {}), clipboard: { writeText: (text) => void clipboard.push(text) } });
    cleanups.push(() => backend.stop());
    await backend.start();

    const browser = await chromium.launch(chromiumLaunchOptions({ headless, cdpPort }));
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport, ...(timezoneId ? { timezoneId } : {}), ...(locale ? { locale } : {}) });
    const page = await context.newPage();

    const consoleLog: ConsoleEntry[] = [];
    page.on('console', (m) => consoleLog.push({ type: m.type(), text: m.text(), url: m.location().url }));
    page.on('pageerror', (e) => consoleLog.push({ type: 'pageerror', text: String(e?.stack ?? e), url: page.url() }));

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
    if (clock) await page.clock.install({ time: clock.now() });

    // Events go to the console's page only, in order.
    let delivery: Promise<unknown> = Promise.resolve();
    const unsubscribe = backend.subscribe((event: EventName, payload: unknown) => {
      if (!EVENTS.includes(event)) return;
      delivery = delivery.then(async () => {
        if (page.isClosed() || !isAppUrl(page.url(), origin)) return;
        await page
          .evaluate(
            ([name, e, p]) => {
              const emit = (globalThis as unknown as Record<string, ((event: string, payload: unknown) => void) | undefined>)[name];
              emit?.(e, p);
            },
            [EMITTER, event, payload] as const,
          )
          .catch(() => {}); // the page is navigating or closing: it reloads the state on load
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
      now,
      clipboard,
      pauseAt: async (at) => {
        const c = controlled();
        const target = at ?? Math.ceil((c.now() + 1_000) / 1_000) * 1_000;
        c.freeze();
        c.advance(target - c.now());
        await page.clock.pauseAt(target);
        return target;
      },
      advance: async (ms, how = 'fast-forward') => {
        controlled().advance(ms);
        await (how === 'run' ? page.clock.runFor(ms) : page.clock.fastForward(ms));
      },
      advanceService: (ms) => controlled().advance(ms),
      jumpWallClock: async (ms) => {
        controlled().jumpWall(ms);
        await page.clock.setSystemTime((await page.evaluate(() => Date.now())) + ms);
      },
      resumeClock: async () => {
        controlled().unfreeze();
        await page.clock.resume();
      },
      pageNow: () => page.evaluate(() => Date.now()),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
