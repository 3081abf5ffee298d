import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../main/console/security';
import type { StatusSnapshot } from '../../app/views';
import { assertRendererBuilt, launchConsole, RENDERER_DIR, serveRenderer, type ConsoleHost, type LaunchOptions } from '../browser/host';
import { focusRing, isFocused, screenshot, seriousAxeViolations, tabTo } from '../browser/inPage';
import { declaration, editPolicy, jsonFile, runCli } from '../support/cli';
import { assertCliBuilt } from '../support/lifecycleKit';
import { waitFor } from '../support/waitFor';
import { removeWorkspaces, workspace, type Workspace } from '../support/workspace';

/**
 * The home screen (issue 3) in Debian's Chromium, through the browser test host, on real
 * temporary evidence repositories. Every wait is on a selector or on state, never a fixed sleep.
 */

const hosts: ConsoleHost[] = [];

async function launch(ws: Workspace, options: Omit<LaunchOptions, 'repo' | 'env'> = {}): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env, ...options });
  hosts.push(host);
  return host;
}

/** Declares through the real CLI, as another process (the console sees it by re-reading the ledger). */
async function declareWithCli(ws: Workspace, overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = ws.env): Promise<{ sessionId: string; expiresAt: string }> {
  const file = jsonFile(ws.dir, `decl-${Date.now()}.json`, declaration(overrides));
  const r = await runCli(['--repo', ws.repo, '--json', 'declare', '--file', file], { env });
  if (r.code !== 0) throw new Error(`declare failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { sessionId: string; expiresAt: string };
}

/** No CSP violation and no error of any kind in the page's console. */
function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}

/** The little of the DOM that in-page functions here read (the Node tsconfig has no DOM lib). */
type Doc = { document: { querySelector(s: string): { textContent: string | null } | null; title: string } };

/**
 * Waits for the countdown to turn over (so the display is fresh), then reads it and the service's
 * clock together: `exact` is the expiry minus the service's clock, in seconds.
 */
async function countdownAgainstService(host: ConsoleHost, expiresAt: string): Promise<{ text: string; seconds: number; exact: number }> {
  const timer = host.page.getByRole('timer');
  const before = (await timer.textContent()) ?? '';
  await host.page.waitForFunction((t) => (globalThis as unknown as Doc).document.querySelector('[role="timer"]')?.textContent !== t, before, { polling: 'raf' });
  const text = (await timer.textContent()) ?? '';
  const exact = (Date.parse(expiresAt) - host.now()) / 1000;
  expect(text).toMatch(/^\d{2}:\d{2}$/);
  const [mm, ss] = text.split(':').map(Number) as [number, number];
  return { text, seconds: mm * 60 + ss, exact };
}

const declareButton = (host: ConsoleHost) => host.page.getByRole('button', { name: 'Declare break-glass' });
const pushRegion = (host: ConsoleHost) => host.page.getByRole('region', { name: /^Evidence push:/ });

beforeAll(() => {
  assertCliBuilt();
  assertRendererBuilt();
});

afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

describe('the built renderer', () => {
  it('has no inline script or style in index.html, and is served with the app CSP', async () => {
    const html = readFileSync(path.join(RENDERER_DIR, 'index.html'), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc=/);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);

    const server = await serveRenderer();
    try {
      const get = (p: string) =>
        new Promise<{ status: number; csp: string | undefined }>((resolve, reject) => {
          http.get(`${server.origin}${p}`, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, csp: res.headers['content-security-policy'] as string | undefined });
          }).on('error', reject);
        });
      const index = await get('/');
      expect(index.status).toBe(200);
      expect(index.csp).toBe(contentSecurityPolicy("'self'"));
      // Paths outside the folder are refused, whatever their spelling; refusals carry the CSP too.
      for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/%00']) {
        const r = await get(p);
        expect([400, 403, 404], p).toContain(r.status);
        expect(r.csp).toBe(contentSecurityPolicy("'self'"));
      }
    } finally {
      await server.close();
    }
  });
});

describe('home screen', () => {
  afterEach(() => removeWorkspaces());

  it('on an empty repository: local only, no sessions, a keyboard-reachable Declare button', async () => {
    const ws = await workspace();
    const host = await launch(ws);
    const { page } = host;

    const declare = declareButton(host);
    await declare.waitFor();
    expect(await declare.isEnabled()).toBe(true);
    await expect.poll(() => pushRegion(host).textContent()).toContain('Local only');
    expect(await page.getByText('No sessions recorded in this evidence repository yet.').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Evidence repository' }).isVisible()).toBe(true);
    expect(await page.getByText('Local only (no remote configured)').isVisible()).toBe(true);
    expect(await page.getByText('(uid 0)').isVisible()).toBe(true);
    expect(await page.getByText('Observer (read-only)').count()).toBe(0);
    expect(await page.title()).toBe('Break-Glass Console');

    // Keyboard: Tab reaches the button, and the focus ring is drawn.
    await tabTo(page, declare);
    const ring = await focusRing(declare);
    expect(ring.focusVisible).toBe(true);
    expect(ring.style).not.toBe('none');
    expect(ring.width).toBeGreaterThanOrEqual(2);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'home-empty');

    // Enter opens the region where the wizard will live, with the focus on its heading; Cancel returns it.
    await page.keyboard.press('Enter');
    const region = page.getByRole('region', { name: 'Declaration wizard' });
    await region.waitFor();
    expect(await declare.getAttribute('aria-expanded')).toBe('true');
    expect(await isFocused(page.getByRole('heading', { name: 'Declaration wizard' }))).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'home-declare-open');
    await region.getByRole('button', { name: 'Cancel' }).click();
    await region.waitFor({ state: 'detached' });
    expect(await isFocused(declare)).toBe(true);

    expectCleanConsole(host);
  });

  it('with an active session: a live countdown from the absolute expiry, in the window title too', async () => {
    const ws = await workspace();
    // A zone away from UTC, so that local and UTC times differ on screen.
    const host = await launch(ws, { timezoneId: 'Asia/Kolkata', locale: 'en-GB' });
    const { page } = host;
    await declareButton(host).waitFor();

    // Declared by another process: the console picks it up from the ledger and pushes a snapshot.
    const declared = await declareWithCli(ws);
    const timer = page.getByRole('timer');
    await timer.waitFor();
    expect(await declareButton(host).count()).toBe(0);

    // Right after the display turns over, it must equal the expiry minus the service's clock, to the second.
    const { text, seconds, exact } = await countdownAgainstService(host, declared.expiresAt);
    expect(seconds - exact).toBeGreaterThanOrEqual(0);
    expect(seconds - exact).toBeLessThan(1);
    expect(seconds).toBeGreaterThan(29 * 60);
    const snapshot = (await host.backend.snapshot()) as StatusSnapshot;
    expect(snapshot.open.map((s) => s.expiresAt)).toEqual([declared.expiresAt]);

    // The countdown moves on by itself, and the title shows the same figure.
    await page.waitForFunction((previous) => {
      const doc = (globalThis as unknown as Doc).document;
      const now = doc.querySelector('[role="timer"]')?.textContent ?? '';
      return now !== previous && doc.title === `${now} — INC-12345 — Break-Glass Console`;
    }, text);
    expect(await page.title()).toMatch(/^\d{2}:\d{2} — INC-12345 — Break-Glass Console$/);

    const panel = page.getByRole('article', { name: /Active break-glass session/ });
    expect(await panel.getByText('INC-12345').first().isVisible()).toBe(true);
    expect(await panel.getByText('production').first().isVisible()).toBe(true);
    expect(await panel.getByText('state-lock').isVisible()).toBe(true);
    expect(await panel.getByText('Ada Lovelace <ada@example.com>').isVisible()).toBe(true);
    expect(await panel.getByText('Backend lock integrity prevents recovery').isVisible()).toBe(true);
    // The recent list has it too, with local and UTC declared times.
    const row = page.getByRole('row', { name: /INC-12345/ });
    expect(await row.getByText('Active').isVisible()).toBe(true);
    const declaredAt = snapshot.open[0]!.declaredAt;
    const utc = new Date(declaredAt);
    const kolkata = new Date(utc.getTime() + 330 * 60_000);
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    expect(await row.getByText(/UTC/).textContent()).toContain(`${hhmm(utc)}`);
    expect(await row.locator(`time[datetime="${declaredAt}"]`).textContent()).toContain(hhmm(kolkata));

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'home-active');
    expectCleanConsole(host);
  });

  it('near and after the expiry, with the service clock moved on: warning emphasis, then Expired — awaiting closure', async () => {
    const ws = await workspace();
    const declared = await declareWithCli(ws);
    const expiresAt = Date.parse(declared.expiresAt);

    // Four minutes before the expiry (past the 5-minute threshold): the page's clock runs with the service's.
    const near = await launch(ws, { clockStart: expiresAt - 4 * 60_000 });
    await near.page.getByRole('timer').waitFor();
    const { text, seconds, exact } = await countdownAgainstService(near, declared.expiresAt);
    expect(text).toMatch(/^0[34]:\d{2}$/);
    expect(seconds - exact).toBeGreaterThanOrEqual(0);
    expect(seconds - exact).toBeLessThan(1);
    expect(await near.page.locator('.countdown--warning').count()).toBe(1);
    expect(await near.page.getByText('Expiry is near. Extending needs a new justification.').isVisible()).toBe(true);
    expect(await seriousAxeViolations(near.page)).toEqual([]);
    await screenshot(near.page, 'home-near-expiry');
    expectCleanConsole(near);
    await near.close();

    // A minute after it: the service records the expiry, and the screen says what is left to do.
    const after = await launch(ws, { clockStart: expiresAt + 60_000 });
    await after.page.getByText('Expired — awaiting closure').first().waitFor();
    expect(await after.page.getByRole('timer').count()).toBe(0);
    expect(await after.page.title()).toBe('Expired — INC-12345 — Break-Glass Console');
    expect(await declareButton(after).count()).toBe(0);
    expect(await after.page.getByRole('article', { name: /Expired session/ }).getByText('breakglass close --file closure.json').isVisible()).toBe(true);
    expect(await seriousAxeViolations(after.page)).toEqual([]);
    await screenshot(after.page, 'home-expired');
    expectCleanConsole(after);
  });

  it('offline: the header says offline with the next try and a Push now button that Tab reaches', async () => {
    const ws = await workspace();
    const host = await launch(ws);
    const { page, backend } = host;
    await declareButton(host).waitFor();

    // A session declared through the console's own dispatch, then a remote where nothing listens.
    const declared = await backend.dispatch('session.declare', { declaration: declaration() });
    expect(declared.ok).toBe(true);
    await page.getByRole('timer').waitFor();
    const set = await backend.dispatch('remote.set', { url: 'git://127.0.0.1:9/x.git' });
    expect(set.ok).toBe(true);

    const pushNow = pushRegion(host).getByRole('button', { name: 'Push now' });
    await pushNow.waitFor();
    await pushNow.click();
    await expect.poll(() => pushRegion(host).textContent(), { timeout: 15_000 }).toMatch(/Offline.*Since .*next try/s);
    await pushNow.waitFor(); // labelled "Pushing…" while the attempt runs
    expect(await page.getByText('git://127.0.0.1:9/x.git').first().isVisible()).toBe(true);
    // The polite live region said so.
    await expect.poll(() => page.getByTestId('push-announcer').textContent()).toMatch(/Remote unreachable since .*next try/);
    expect(await page.getByTestId('push-announcer').getAttribute('aria-live')).toBe('polite');

    // After a reload (the state is read afresh), Tab from the top reaches Push now with a visible focus ring.
    await page.reload();
    await pushNow.waitFor();
    expect(await pushRegion(host).textContent()).toMatch(/Offline/);
    await tabTo(page, pushNow);
    const ring = await focusRing(pushNow);
    expect(ring.focusVisible).toBe(true);
    expect(ring.style).not.toBe('none');
    expect(ring.width).toBeGreaterThanOrEqual(2);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'home-offline');
    expectCleanConsole(host);
  });

  it('in observer mode: a read-only badge, no Declare button, other hosts\u2019 sessions listed', async () => {
    const ws = await workspace();
    await declareWithCli(ws, { incidentId: 'INC-20417', environment: 'pre-production', scopes: ['diagnostics'] }, { ...ws.env, BREAKGLASS_HOST_ID: 'other-host', BREAKGLASS_HOST_NAME: 'ops-laptop-2' });
    const host = await launch(ws, { observer: true });
    const { page } = host;

    // The commander's console opens on the board (issue 6), not on the home screen.
    await page.getByText('Observer (read-only)').waitFor();
    const board = page.getByRole('heading', { name: 'Sessions board' });
    await board.waitFor();
    expect(await declareButton(host).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'No active session on this host' }).count()).toBe(0);
    // The views an observer may not open are not offered.
    const nav = page.getByRole('navigation', { name: 'Views' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Board']);

    // The other host's session is listed, with its host and environment, as fresh as this repository.
    const row = page.getByRole('row', { name: /INC-20417/ });
    await row.waitFor();
    expect(await row.getByText('ops-laptop-2').first().isVisible()).toBe(true);
    expect(await row.getByText('pre-production').isVisible()).toBe(true);
    expect(await row.getByText('In this repository').isVisible()).toBe(true);
    expect(await row.getByRole('link', { name: 'INC-20417' }).getAttribute('href')).toMatch(/^#\/sessions\/bg-/);

    // The home screen and the reviews are not for the observer: their addresses show the board.
    for (const hash of ['#/', '#/reviews']) {
      await page.evaluate((h) => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = h;
      }, hash);
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).toBe(hash);
      await board.waitFor();
      await row.waitFor();
      expect(await declareButton(host).count()).toBe(0);
      expect(await page.getByRole('heading', { name: /Reviews|No active session/ }).count()).toBe(0);
    }

    // Writes are refused at the contract, whatever the page tries.
    const refused = await page.evaluate(() => (globalThis as unknown as { breakglass: { push: { now(i: object): Promise<unknown> } } }).breakglass.push.now({}));
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'home-observer');
    expectCleanConsole(host);
  });

  it('with an invalid policy: a blocking banner with each problem, and no Declare button', async () => {
    const ws = await workspace();
    editPolicy(ws.repo, (p) => ({ ...p, warningMinutes: 'soon', justificationMinLength: 0 }));
    const host = await launch(ws);
    const { page } = host;
    const banner = page.getByRole('alert').filter({ hasText: 'The policy is invalid' });
    await banner.waitFor();
    const problems = await banner.getByRole('listitem').allTextContents();
    expect(problems.length).toBeGreaterThanOrEqual(1);
    for (const p of problems) expect(p).toMatch(/^policy\.yaml(:\d+)?: /);
    expect(problems.join('\n')).toContain('warningMinutes');
    expect(await declareButton(host).count()).toBe(0);
    expect(await page.getByText(/Declaring is blocked/).isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'home-invalid-policy');
    expectCleanConsole(host);
  });

  it('runs under the app CSP: inline script, <style> and style="" are blocked; CSSOM styles (React\u2019s style prop) are not', async () => {
    const ws = await workspace();
    const host = await launch(ws);
    const { page } = host;
    await declareButton(host).waitFor();
    expectCleanConsole(host);
    // A string, because this runs in the page and the Node tsconfig has no DOM lib.
    const probe = await page.evaluate(`(() => {
      const attr = document.createElement('div'); attr.setAttribute('style', 'color: rgb(1, 2, 3)'); document.body.append(attr);
      const cssom = document.createElement('div'); cssom.style.setProperty('color', 'rgb(4, 5, 6)'); document.body.append(cssom);
      const sheet = document.createElement('style'); sheet.textContent = '#csp-probe { color: rgb(7, 8, 9) }'; document.head.append(sheet);
      const byId = document.createElement('div'); byId.id = 'csp-probe'; document.body.append(byId);
      const script = document.createElement('script'); script.textContent = 'window.__inlineRan = true'; document.body.append(script);
      return { attr: getComputedStyle(attr).color, cssom: getComputedStyle(cssom).color, sheet: getComputedStyle(byId).color, inlineRan: window.__inlineRan === true };
    })()`);
    expect(probe).toEqual({ attr: expect.not.stringMatching(/rgb\(1, 2, 3\)/), cssom: 'rgb(4, 5, 6)', sheet: expect.not.stringMatching(/rgb\(7, 8, 9\)/), inlineRan: false });
    // Chromium reports each blocked one in the console, which is what every other test checks is empty.
    await expect.poll(() => host.cspViolations().length).toBeGreaterThanOrEqual(3);
  });

  it('with cdpPort, an outside client drives the console over the DevTools protocol', async () => {
    const ws = await workspace();
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const cdpPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const host = await launch(ws, { cdpPort });
    await declareButton(host).waitFor();

    const outside = await chromium.connectOverCDP(`http://127.0.0.1:${cdpPort}`);
    try {
      const page = outside.contexts().flatMap((c) => c.pages()).find((p) => p.url() === host.url);
      expect(page, 'the console page is visible over CDP').toBeDefined();
      await page!.getByRole('button', { name: 'Declare break-glass' }).click();
      await host.page.getByRole('region', { name: 'Declaration wizard' }).waitFor();
    } finally {
      await outside.close();
    }
    expectCleanConsole(host);
  });

  it('refuses calls from any page that is not the console\u2019s own, and hides the transport from it', async () => {
    const foreign = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title><p>not the console</p>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`;
    const ws = await workspace();
    // The host aborts every request outside the console's origin (test below); this page is let
    // through so that the binding's own refusal, the layer beneath, is checked too.
    const host = await launch(ws, { extraOrigins: [foreignUrl.slice(0, -1)] });
    const { page } = host;
    await declareButton(host).waitFor();
    type Win = { breakglass?: unknown; __breakglassInvoke?: (name: string, input: unknown) => Promise<unknown> };
    // The console's page sees only window.breakglass, as with contextBridge.
    expect(await page.evaluate(() => typeof (globalThis as unknown as Win).__breakglassInvoke)).toBe('undefined');

    try {
      await page.goto(foreignUrl);
      expect(await page.evaluate(() => typeof (globalThis as unknown as Win).breakglass)).toBe('undefined');
      const answer = await page.evaluate(() => (globalThis as unknown as Win).__breakglassInvoke!('session.declare', { declaration: {} }));
      // The transport answers in JSON text (test/browser/host.ts); the page's API parses it.
      expect(JSON.parse(String(answer))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(host.refused).toEqual([{ url: foreignUrl, name: 'session.declare' }]);

      await page.goto('about:blank');
      const blank = await page.evaluate(() => (globalThis as unknown as Win).__breakglassInvoke?.('status.get', {}) ?? 'no binding');
      if (blank !== 'no binding') expect(JSON.parse(String(blank))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      foreign.closeAllConnections();
      await new Promise((resolve) => foreign.close(resolve));
    }
    // Nothing was written: the repository still has no session.
    expect((await host.backend.snapshot()).counts.sessions).toBe(0);
    expect(host.cspViolations()).toEqual([]);
  });

  it('loads nothing from outside its own origin, and closes any window the page opens (as main refuses navigation and window.open)', async () => {
    let served = 0;
    const foreign = http.createServer((_req, res) => {
      served += 1;
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`;
    const ws = await workspace();
    const host = await launch(ws);
    try {
      await declareButton(host).waitFor();
      const popup = host.page.waitForEvent('popup');
      await host.page.evaluate((u) => void (globalThis as unknown as { open(url: string): unknown }).open(u), host.url);
      const opened = await popup;
      await waitFor('the popup to be closed', () => opened.isClosed());
      await expect(host.page.goto(foreignUrl)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
      expect(host.blocked).toContain(foreignUrl);
      expect(served).toBe(0);
    } finally {
      foreign.closeAllConnections();
      await new Promise((resolve) => foreign.close(resolve));
    }
  });
});
