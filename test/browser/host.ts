import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { Clock } from '../../app/ports';
import type { ShellOptions } from '../../main/application/shells';
import { openChromiumConsole, RENDERER_DIR, type ChromiumConsole } from '../../main/chromium/host';
import { serveRenderer as serveRendererDir } from '../../main/chromium/serve';

/**
 * The browser test host: the Chromium console of `npm start` where Electron is absent
 * (main/chromium/host.ts, issue 20) with what a test adds — a service clock and a page clock the
 * test moves (issue 5), and a clipboard that records what "Copy environment" put on it.
 */

export { assertRendererBuilt, RENDERER_DIR, type ConsoleEntry } from '../../main/chromium/host';
export { CDP_PORT_WARNING, CHROMIUM_ARGS, chromiumLaunchOptions } from '../../main/chromium/launch';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Serves the built renderer (default: dist/renderer) as the console does. */
export function serveRenderer(dir = RENDERER_DIR): Promise<{ origin: string; close(): Promise<void> }> {
  return serveRendererDir(dir);
}

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
  /** Origins the page may also load (main/chromium/host.ts: a foreign page, to check the binding refuses it). */
  extraOrigins?: string[];
  /** Governed shells' recording settings (a shorter chunk interval). */
  shells?: ShellOptions;
}

/** A running console in Chromium, with the test's clocks and clipboard. */
export interface ConsoleHost extends Omit<ChromiumConsole, 'browser'> {
  /** The throw-away profile's browser. */
  browser: Browser;
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

function toEpochMs(t: Date | number | string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new TypeError(`clockStart is not a time: ${String(t)}`);
  return ms;
}

/**
 * Starts the console in a throw-away Chromium profile (main/chromium/host.ts), with the test's
 * clocks when `clockStart` is given. Assumes the console is built (`npm run build`).
 */
export async function launchConsole(options: LaunchOptions): Promise<ConsoleHost> {
  const { repo, headless = true, cdpPort, env = process.env, observer = false, clockStart, viewport = { width: 1280, height: 800 }, timezoneId, locale, extraOrigins, shells } = options;
  const clock = clockStart !== undefined ? new TestClock(toEpochMs(clockStart)) : undefined;
  const now = () => (clock ? clock.now() : Date.now());
  const controlled = (): TestClock => {
    if (!clock) throw new Error('This console was launched without clockStart: its clocks cannot be controlled.');
    return clock;
  };
  const clipboard: string[] = [];
  const host = await openChromiumConsole({
    repo,
    headless,
    cdpPort,
    env,
    observer,
    viewport,
    ...(timezoneId ? { timezoneId } : {}),
    ...(locale ? { locale } : {}),
    ...(extraOrigins ? { extraOrigins } : {}),
    ...(shells ? { shells } : {}),
    ...(clock ? { clock } : {}),
    clipboard: { writeText: (text) => void clipboard.push(text) },
    beforeLoad: async (page) => {
      if (clock) await page.clock.install({ time: clock.now() });
    },
  });
  const { page } = host;
  return {
    ...host,
    browser: host.browser!,
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
  };
}
