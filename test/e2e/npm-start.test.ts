import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, ROOT } from '../browser/host';
import { screenshot } from '../browser/inPage';
import { freePort } from '../support/gitDaemon';
import { createNamedUser, type NamedUser } from '../support/namedUser';
import { waitFor } from '../support/waitFor';

// Issue 20: `npm start` where Electron's binary is absent runs the console in the system's
// Chromium, on the embedded default repository (`<data dir>/evidence`), as a person would: a
// non-root account with a fresh home. The machine has no display, so the console is started
// headless with a DevTools port and the test drives the window it opened over that port.

const isRoot = process.getuid?.() === 0;

interface Operator {
  uid?: number;
  gid?: number;
  home: string;
  env: NodeJS.ProcessEnv;
}

let named: NamedUser | undefined;
let operator: Operator;
let noElectron = '';
const started: ChildProcess[] = [];

beforeAll(() => {
  assertRendererBuilt();
  // An empty folder as Electron's dist: the binary is absent even where the package has one.
  noElectron = mkdtempSync(path.join(os.tmpdir(), 'bg-no-electron-'));
  chmodSync(noElectron, 0o755);
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ELECTRON_OVERRIDE_DIST_PATH: noElectron };
  if (isRoot) {
    named = createNamedUser('bgstart');
    operator = { uid: named.uid, gid: named.gid, home: named.home, env: { ...base, HOME: named.home, USER: named.name, LOGNAME: named.name } };
  } else {
    const home = mkdtempSync(path.join(os.tmpdir(), 'bg-start-home-'));
    operator = { home, env: { ...base, HOME: home, USER: os.userInfo().username, LOGNAME: os.userInfo().username } };
  }
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  named?.remove();
  if (!isRoot) rmSync(operator.home, { recursive: true, force: true });
  rmSync(noElectron, { recursive: true, force: true });
});

/** A virtual display, where Debian's xvfb is installed (.ci/run installs it). */
const xvfbRun = ['/usr/bin/xvfb-run'].find((f) => existsSync(f));

/** `npm start` after its build step: `node build/start.mjs ARGS`, as the operator (on a virtual display with `display`). */
function npmStart(args: string[], display = false): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const command = [process.execPath, path.join(ROOT, 'build/start.mjs'), ...args];
  const argv = display ? [xvfbRun!, '-a', '-s', '-screen 0 1280x800x24', ...command] : command;
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: operator.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(operator.uid !== undefined ? { uid: operator.uid, gid: operator.gid } : {}),
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** `pid`'s descendants and their command lines. */
function descendants(pid: number): Array<{ pid: number; argv: string[] }> {
  const parent = new Map<number, number>();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* ended while we looked */
    }
  }
  const isUnder = (p: number): boolean => {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) if (q === pid) return true;
    return false;
  };
  return [...parent.keys()].filter(isUnder).flatMap((p) => {
    try {
      return [{ pid: p, argv: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean) }];
    } catch {
      return [];
    }
  });
}

async function consolePage(port: number): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  let page: Page | undefined;
  await waitFor('the console page', () => (page = browser.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith('http://127.0.0.1:'))) !== undefined, { timeoutMs: 30_000 });
  return { browser, page: page! };
}

const dataDir = () => path.join(operator.home, '.local', 'share', 'breakglass');

describe('npm start without the Electron binary', () => {
  it('says so in one line and opens the console in Chromium, in its own app window and profile, on the default repository', async () => {
    const port = await freePort();
    const run = npmStart(['--headless', '--cdp-port', String(port)]);
    await waitFor('the console to start', () => run.out().includes('Press Ctrl-C to stop.') || run.child.exitCode !== null, { timeoutMs: 90_000 });
    expect(run.child.exitCode, run.err()).toBeNull();
    const electronLines = run.err().split('\n').filter((l) => l.includes('Electron'));
    expect(electronLines).toEqual([expect.stringMatching(/^Electron's binary is not installed \(ELECTRON_OVERRIDE_DIST_PATH has no Electron binary .*\): starting the console in Chromium instead/)]);
    const repo = path.join(dataDir(), 'evidence');
    expect(run.out()).toContain(`evidence repository: ${repo}`);

    // An app window (--app) on a profile folder of its own in the data folder, sandboxed (not root).
    const browserArgv = descendants(run.child.pid!).find(({ argv }) => argv.some((a) => a.startsWith('--user-data-dir=')))?.argv;
    expect(browserArgv).toBeDefined();
    expect(browserArgv).toContain(`--user-data-dir=${path.join(dataDir(), 'chromium-profile')}`);
    expect(browserArgv!.filter((a) => a.startsWith('--app='))).toEqual([expect.stringMatching(/^--app=http:\/\/127\.0\.0\.1:\d+\/starting$/)]);
    expect(browserArgv!.includes('--no-sandbox')).toBe(false);

    const { browser, page } = await consolePage(port);
    try {
      // The home screen on the embedded default: a fresh, local-only repository, nothing declared.
      const declare = page.getByRole('button', { name: 'Declare break-glass' });
      await declare.waitFor({ timeout: 30_000 });
      await page.getByText('No sessions recorded in this evidence repository yet.').waitFor();
      expect(await page.getByText('Local only (no remote configured)').isVisible()).toBe(true);
      // The console runs as the operator's account, not as the test's.
      expect(await page.getByText(`(uid ${operator.uid ?? process.getuid?.()})`).isVisible()).toBe(true);
      expect(spawnSync('git', ['-c', 'safe.directory=*', '-C', repo, 'rev-parse', '--git-dir'], { encoding: 'utf8' }).status).toBe(0);
      await screenshot(page, 'npm-start-chromium-home');
      // Driven from the home screen: Declare opens the wizard.
      await declare.click();
      await page.getByRole('heading', { name: 'Declaration wizard' }).waitFor();
      await screenshot(page, 'npm-start-chromium-wizard');

      // One console per data folder: a second start says the first is running, and stops.
      const second = npmStart(['--headless']);
      expect(await second.exited).toBe(1);
      expect(second.err()).toContain(`The console is already running for this data folder (${dataDir()})`);
    } finally {
      await browser.close().catch(() => {});
      if (run.child.exitCode === null) run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
  });

  it.skipIf(!xvfbRun)('with a display: the same console in a headed app window' + (xvfbRun ? '' : ' [skipped: xvfb-run is not installed]'), async () => {
    const port = await freePort();
    const run = npmStart(['--cdp-port', String(port)], true);
    await waitFor('the console to start', () => run.out().includes('Close the window or press Ctrl-C to stop.') || run.child.exitCode !== null, { timeoutMs: 90_000 });
    expect(run.child.exitCode, run.err()).toBeNull();
    const browserArgv = descendants(run.child.pid!).find(({ argv }) => argv.some((a) => a.startsWith('--user-data-dir=')))?.argv;
    expect(browserArgv!.some((a) => a.startsWith('--headless'))).toBe(false);
    expect(browserArgv!.filter((a) => a.startsWith('--app='))).toHaveLength(1);
    const { browser, page } = await consolePage(port);
    try {
      await page.getByRole('button', { name: 'Declare break-glass' }).waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Board' }).click();
      await page.getByRole('heading', { name: 'Sessions board' }).waitFor();
      await screenshot(page, 'npm-start-chromium-headed-board');
    } finally {
      await browser.close().catch(() => {});
      // Ctrl-C to the console itself; xvfb-run then ends with the console's exit status.
      const consoleProcess = descendants(run.child.pid!).find(({ argv }) => argv.some((a) => a.endsWith('build/start.mjs')));
      if (consoleProcess) process.kill(consoleProcess.pid, 'SIGINT');
    }
    expect(await run.exited).toBe(0);
  });

  it('with --observer: the commander\'s read-only console, no Declare button', async () => {
    const port = await freePort();
    const run = npmStart(['--observer', '--headless', '--cdp-port', String(port)]);
    await waitFor('the console to start', () => run.out().includes('Press Ctrl-C to stop.') || run.child.exitCode !== null, { timeoutMs: 90_000 });
    expect(run.child.exitCode, run.err()).toBeNull();
    expect(run.out()).toContain('(observer, read-only)');
    const { browser, page } = await consolePage(port);
    try {
      await page.getByText('Observer (read-only)').waitFor({ timeout: 30_000 });
      expect(await page.getByRole('button', { name: 'Declare break-glass' }).count()).toBe(0);
      await screenshot(page, 'npm-start-chromium-observer');
    } finally {
      await browser.close().catch(() => {});
      if (run.child.exitCode === null) run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
  });

  it('without a display and without --headless: says how to run headless, and starts nothing', async () => {
    const run = npmStart([]);
    expect(await run.exited).toBe(2);
    expect(run.err()).toContain('No display (DISPLAY and WAYLAND_DISPLAY are unset)');
    expect(run.err()).toContain('npm start -- --headless --cdp-port 9222');
    expect(run.err()).toContain('xvfb-run npm start');
    expect(existsSync(path.join(dataDir(), 'console.lock'))).toBe(false);
  });
});
