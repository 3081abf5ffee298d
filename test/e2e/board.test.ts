import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateLedger, type LedgerMix } from '../../bench/generate';
import { assertRendererBuilt, launchConsole, type ConsoleHost } from '../browser/host';
import { focusRing, isFocused, screenshot, seriousAxeViolations, tabTo, withRealTimers } from '../browser/inPage';
import { allowRoot, declaration, git, jsonFile, runCli } from '../support/cli';
import { GitDaemon } from '../support/gitDaemon';
import { assertCliBuilt } from '../support/lifecycleKit';
import { removeWorkspaces, workspace } from '../support/workspace';

/**
 * The commander's board (issue 6) in Debian's Chromium, through the browser test host: on a
 * generated repository of 10,000 sessions in every state (renders, counts, scrolls, filters) and
 * on a small repository whose remote goes away (the board says it is offline and how stale).
 * Every wait is on a selector or on state, never a fixed sleep.
 */

const SESSIONS = 10_000;
/** The test clock: the generated sessions are active, expired, due or overdue relative to it. */
const NOW = Date.parse('2026-11-28T14:00:00Z');
declare function getComputedStyle(el: unknown): { color: string; outlineStyle: string };

const MIX: LedgerMix = { now: NOW, active: 12, expired: 8, awaitingReview: 30, overdue: 20, otherHost: { id: 'ops-laptop-2', name: 'ops-laptop-2', every: 7 } };

type Group = 'active' | 'expired' | 'review' | 'reviewed';

/** The group of generated session `i`, from the generator's parameters (bench/generate.ts `LedgerMix`). */
function groupOf(i: number): { group: Group; overdue: boolean } {
  let k = i - (SESSIONS - MIX.overdue - MIX.awaitingReview - MIX.expired - MIX.active);
  if (k < 0) return { group: 'reviewed', overdue: false };
  if (k < MIX.overdue) return { group: 'review', overdue: true };
  k -= MIX.overdue;
  if (k < MIX.awaitingReview) return { group: 'review', overdue: false };
  k -= MIX.awaitingReview;
  return { group: k < MIX.expired ? 'expired' : 'active', overdue: false };
}

/** Generated session `i`'s incident and environment (as bench/generate.ts writes them). */
const incidentOf = (i: number) => `INC-${10000 + i}`;
const environmentOf = (i: number) => (i % 4 === 0 ? 'pre-production' : 'production');

function expectedCounts(where: (i: number) => boolean = () => true): Record<Group, number> & { overdue: number; total: number } {
  const c = { active: 0, expired: 0, review: 0, reviewed: 0, overdue: 0, total: 0 };
  for (let i = 0; i < SESSIONS; i++) {
    if (!where(i)) continue;
    const g = groupOf(i);
    c[g.group] += 1;
    if (g.overdue) c.overdue += 1;
    c.total += 1;
  }
  return c;
}

/** No CSP violation and no error of any kind in the page's console. */
function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}

const scroller = (page: Page) => page.getByTestId('board-scroll');
const rows = (page: Page) => scroller(page).locator('[role="row"][data-session]');
const groupHeader = (page: Page, name: RegExp) => scroller(page).locator('.board-group').filter({ has: page.getByRole('heading', { name }) });

/** The number in a group's header (the group must be rendered). */
async function groupCount(page: Page, name: RegExp): Promise<number> {
  const text = (await groupHeader(page, name).locator('.board-group-count').textContent()) ?? '';
  return Number(text.replace(/\D/g, ''));
}

/** The incident IDs of the rows in the DOM, in order. */
async function incidents(page: Page): Promise<string[]> {
  return rows(page).locator('.board-link').allTextContents();
}

/** The "N of M sessions" line. */
const showing = (page: Page) => page.locator('#board-showing');

async function openBoard(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = '#/board';
  });
  await page.getByRole('heading', { name: 'Sessions board' }).waitFor();
  await rows(page).first().waitFor({ timeout: 30_000 });
}

/** Full-page screenshot from the top (a focused field may have scrolled the window under the sticky banner). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await screenshot(page, name);
}

async function select(page: Page, label: string, value: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).selectOption(value);
}

/** Waits until the DOM's rows are exactly `expected` (in order). */
async function expectRows(page: Page, expected: string[]): Promise<void> {
  await expect.poll(() => incidents(page)).toEqual(expected);
}

beforeAll(() => {
  assertCliBuilt();
  assertRendererBuilt();
});

describe('board on 10,000 generated sessions', () => {
  let host: ConsoleHost;
  let page: Page;

  beforeAll(async () => {
    // This console is the generator's host: most sessions are its own (live), every 7th is another host's.
    const { repo, env } = await workspace({ init: false, env: { BREAKGLASS_HOST_ID: 'bench-host', BREAKGLASS_HOST_NAME: 'admin-bench' } });
    // 10,000 sessions ≈ 100,000 records in one fast-import stream: some seconds.
    const generated = await generateLedger(repo, { sessions: SESSIONS, mix: MIX });
    expect(generated.records).toBeGreaterThan(95_000);
    host = await launchConsole({ repo, env, clockStart: NOW, viewport: { width: 1600, height: 1300 } });
    page = host.page;
    await page.getByRole('heading', { name: 'Evidence repository' }).waitFor({ timeout: 60_000 });
    await openBoard(page);
  }, 240_000);

  afterAll(async () => {
    await host?.close();
    removeWorkspaces();
  });

  // Each test starts from the whole, unfiltered board at the top, whatever the one before left.
  beforeEach(async () => {
    const clear = page.getByRole('button', { name: 'Clear filters' });
    if (await clear.count()) await clear.click();
    await expect.poll(() => showing(page).textContent()).toBe('10,000 of 10,000 sessions');
    await scroller(page).evaluate((el: { scrollTop: number }) => {
      el.scrollTop = 0;
    });
    await groupHeader(page, /^Active/).waitFor();
  });

  it('renders every group in order with the counts the generator implies, the staleness line and live countdowns', async () => {
    const want = expectedCounts();
    expect(await showing(page).textContent()).toBe(`${want.total.toLocaleString('en-US')} of 10,000 sessions`);
    // The summary covers the whole repository.
    const summary = page.locator('.board-summary dd');
    expect(await page.locator('.board-summary dt').allTextContents()).toEqual(['Active', 'Expired, awaiting closure', 'Awaiting review', 'Review overdue', 'Reviewed']);
    expect((await summary.allTextContents()).map((t) => Number(t.replace(/\D/g, '')))).toEqual([want.active, want.expired, want.review, want.overdue, want.reviewed]);

    // The first groups fit on screen, in order, each with its count.
    const titles = await scroller(page).locator('.board-group-title').allTextContents();
    expect(titles.map((t) => t.replace(/[\d,\s]+$/, ''))).toEqual(['Active', 'Expired, awaiting closure', 'Awaiting review']);
    expect(await groupCount(page, /^Active/)).toBe(want.active);
    expect(await groupCount(page, /^Expired/)).toBe(want.expired);
    expect(await groupCount(page, /^Awaiting review/)).toBe(want.review);
    expect(await groupHeader(page, /^Awaiting review/).textContent()).toContain(`${want.overdue} overdue`);

    // Active rows: soonest expiry first, a countdown from the expiry (10 to 25 minutes left at the test clock).
    const first = rows(page).first();
    expect(await first.getAttribute('data-session')).toMatch(/^bg-/);
    const countdown = first.locator('.board-countdown-value');
    const before = (await countdown.textContent()) ?? '';
    expect(before).toMatch(/^(0\d|1\d|2[0-5]):\d{2}$/);
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(before);
    expect(await first.textContent()).toContain('Live');

    // Another host's row says it is as fresh as the repository (no remote here), not live.
    const remoteRow = rows(page).filter({ hasText: 'ops-laptop-2' }).first();
    expect(await remoteRow.textContent()).toContain('In this repository');
    expect(await remoteRow.textContent()).not.toContain('Live');

    // No remote: the staleness line says the board is local only.
    expect(await page.getByTestId('board-staleness').textContent()).toContain('Local only: no remote, this host\u2019s sessions only.');

    // Each row opens its session's page.
    const id = (await first.getAttribute('data-session'))!;
    expect(await first.locator('a').getAttribute('href')).toBe(`#/sessions/${id}`);

    expect(await withRealTimers(page, () => seriousAxeViolations(page))).toEqual([]);
    await shot(page, 'board-mixed');
    expectCleanConsole(host);
  });

  it('scrolls to the oldest reviewed sessions with a bounded number of rows in the DOM', async () => {
    const inDom = await rows(page).count();
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(60);
    await scroller(page).evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    // Reviewed is newest first: the bottom is session 0, INC-10000.
    const last = rows(page).filter({ hasText: incidentOf(0) });
    await last.waitFor();
    expect(await last.textContent()).toContain('Reviewed: justified');
    expect(await rows(page).count()).toBeLessThan(60);
    // The group being scrolled through keeps its header on top.
    expect(await scroller(page).locator('.board-group--sticky .board-group-title').textContent()).toMatch(/^Reviewed/);
    expect(await incidents(page)).toContain(incidentOf(1));
    await scroller(page).evaluate((el: { scrollTop: number }) => {
      el.scrollTop = 0;
    });
    await groupHeader(page, /^Active/).waitFor();
  });

  it('is reached and moved through with the keyboard', async () => {
    const firstLink = rows(page).first().locator('.board-link');
    await page.getByLabel('Incident ID').focus();
    await tabTo(page, firstLink, 12);
    const ring = await focusRing(firstLink);
    expect(ring.focusVisible).toBe(true);
    const rowOutline = await rows(page).first().evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(rowOutline).toBe('solid');
    await page.keyboard.press('ArrowDown');
    const second = rows(page).nth(1).locator('.board-link');
    expect(await isFocused(second)).toBe(true);
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent)).toBe(incidentOf(0));
    await page.keyboard.press('Home');
    await expect.poll(() => isFocused(rows(page).first().locator('.board-link'))).toBe(true);
  });

  it('filters by environment, state and incident ID, and says how many match', async () => {
    const pre = expectedCounts((i) => environmentOf(i) === 'pre-production');
    await select(page, 'Environment', 'pre-production');
    await expect.poll(() => showing(page).textContent()).toBe(`${pre.total.toLocaleString('en-US')} of 10,000 sessions match the filters`);
    expect(await groupCount(page, /^Active/)).toBe(pre.active);
    expect(await groupCount(page, /^Expired/)).toBe(pre.expired);
    for (const env of await rows(page).locator('.board-env').allTextContents()) expect(env).toBe('pre-production');
    // The polite live region says it once the filters rest.
    await expect.poll(() => page.getByTestId('board-announcer').textContent()).toBe(`Showing ${pre.total.toLocaleString('en-US')} of 10,000 sessions.`);

    // State: expired, in production too → exactly the generated expired sessions, longest expired first.
    await select(page, 'Environment', '');
    await select(page, 'State', 'expired');
    const expired = Array.from({ length: SESSIONS }, (_, i) => i).filter((i) => groupOf(i).group === 'expired');
    await expectRows(page, expired.map(incidentOf));
    expect(await scroller(page).locator('.board-group-title').allTextContents()).toHaveLength(1);

    // Search by incident ID: part of it, any case.
    await select(page, 'State', 'all');
    const search = page.getByLabel('Incident ID');
    await search.fill('inc-1000');
    await expectRows(page, Array.from({ length: 10 }, (_, k) => incidentOf(9 - k)));
    await search.fill('INC-19999');
    await expectRows(page, [incidentOf(9999)]);
    expect(await showing(page).textContent()).toBe('1 of 10,000 sessions match the filters');
    // Groups with nothing to show say so.
    expect(await scroller(page).getByText('No reviewed session.').isVisible()).toBe(true);

    // Combined: pre-production sessions of 10,03x and 10,04x (search "INC-100") → only every fourth.
    await search.fill('INC-100');
    await select(page, 'Environment', 'pre-production');
    const combined = Array.from({ length: 100 }, (_, k) => 99 - k).filter((i) => environmentOf(i) === 'pre-production');
    await expect.poll(() => showing(page).textContent()).toBe(`${combined.length} of 10,000 sessions match the filters`);
    expect((await incidents(page)).slice(0, 5)).toEqual(combined.slice(0, 5).map(incidentOf));
    expect(await withRealTimers(page, () => seriousAxeViolations(page))).toEqual([]);
    await shot(page, 'board-filtered');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => showing(page).textContent()).toBe('10,000 of 10,000 sessions');
    expectCleanConsole(host);
  });

  it('filters to overdue reviews: red, and with the word "overdue"', async () => {
    await select(page, 'State', 'overdue');
    const want = expectedCounts();
    await expect.poll(() => showing(page).textContent()).toBe(`${want.overdue} of 10,000 sessions match the filters`);
    const overdue = rows(page).first();
    expect(await overdue.textContent()).toContain('Review overdue');
    const colour = await overdue.locator('.board-state--overdue').evaluate((el) => getComputedStyle(el).color);
    expect(colour).toBe('rgb(155, 28, 22)'); // --danger-text
    await shot(page, 'board-overdue');

    // "Awaiting review" shows the overdue ones first, then those still due, in words.
    await select(page, 'State', 'review');
    await expect.poll(() => showing(page).textContent()).toBe(`${want.review} of 10,000 sessions match the filters`);
    expect(await rows(page).first().textContent()).toContain('Review overdue');
    await scroller(page).evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    const lastDue = rows(page).filter({ hasText: incidentOf(SESSIONS - MIX.active - MIX.expired - 1) });
    await lastDue.waitFor();
    expect(await lastDue.textContent()).toMatch(/Review due (in \d+ days|tomorrow)/);
    expect(await lastDue.textContent()).not.toContain('overdue');
    expect(await withRealTimers(page, () => seriousAxeViolations(page))).toEqual([]);
    await select(page, 'State', 'all');
    expectCleanConsole(host);
  });

  it('opened cold, shows the most urgent rows of the first page before the rest arrive; the rest is then searched and scrolled', async () => {
    // What the page shows when its first row appears (issue 18: the rows arrive in pages, most urgent first).
    await page.addInitScript({ content: `(() => {
      const observer = new MutationObserver(() => {
        const row = document.querySelector('[data-testid="board-scroll"] [data-session]');
        if (!row || !row.checkVisibility()) return;
        observer.disconnect();
        window.__firstRows = { showing: document.querySelector('#board-showing')?.textContent ?? '', row: row.className, busy: document.querySelector('.board-table')?.getAttribute('aria-busy') ?? null };
      });
      observer.observe(document, { childList: true, subtree: true, attributes: true });
    })();` });
    await page.goto('about:blank');
    await page.goto(`${host.url}#/board`);
    const first = (await (await page.waitForFunction(() => (globalThis as unknown as { __firstRows?: unknown }).__firstRows, null, { timeout: 60_000 })).jsonValue()) as { showing: string; row: string; busy: string | null };
    expect(first.showing).toMatch(/^\d{1,3} of 10,000 sessions \u00b7 reading the other \d,\d{3}\u2026$/);
    expect(first.row).toContain('board-row--active');
    expect(first.busy).toBe('true');
    // Every row arrives: the counts are the whole repository's, and the oldest session is found by search and by scrolling.
    await expect.poll(() => showing(page).textContent(), { timeout: 60_000 }).toBe('10,000 of 10,000 sessions');
    expect(await page.locator('.board-table').getAttribute('aria-busy')).toBe('false');
    expect(await groupCount(page, /^Active/)).toBe(expectedCounts().active);
    await page.getByLabel('Incident ID').fill(incidentOf(0));
    await expectRows(page, [incidentOf(0)]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await scroller(page).evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await rows(page).filter({ hasText: incidentOf(0) }).waitFor();
    await shot(page, 'board-cold');
    expectCleanConsole(host);
  });
});

describe('board with its remote gone', () => {
  const hosts: ConsoleHost[] = [];
  let daemon: GitDaemon | null = null;

  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close();
    await daemon?.stop();
    daemon = null;
    removeWorkspaces();
  });

  it('says it is offline, since when, why, and when it tries next; other hosts\u2019 rows say when they were confirmed', async () => {
    // The repository is created here, by the CLI, so that its exit code is checked like every other step.
    const { dir, repo, env } = await workspace({ init: false });
    const created = await runCli(['--repo', repo, '--json', 'status'], { env });
    expect(created.code).toBe(3);
    allowRoot(repo);
    const declare = async (overrides: Record<string, unknown>, hostEnv: NodeJS.ProcessEnv) => {
      const file = jsonFile(dir, `decl-${Date.now()}-${Math.random().toString(16).slice(2)}.json`, declaration(overrides));
      const r = await runCli(['--repo', repo, '--json', 'declare', '--file', file], { env: hostEnv });
      expect(r.code, r.stderr).toBe(0);
    };
    await declare({ incidentId: 'INC-30001' }, env);
    await declare({ incidentId: 'INC-30002', environment: 'pre-production', scopes: ['diagnostics'] }, { ...env, BREAKGLASS_HOST_ID: 'other-host', BREAKGLASS_HOST_NAME: 'ops-laptop-2' });

    // The shared remote: a bare copy served by git daemon on 127.0.0.1.
    const remotes = path.join(dir, 'remotes');
    git(dir, ['clone', '--quiet', '--bare', repo, path.join(remotes, 'evidence.git')]);
    daemon = await GitDaemon.start(remotes);
    const set = await runCli(['--repo', repo, 'remote', 'set', daemon.url('evidence.git')], { env });
    expect(set.code, set.stderr).toBe(0);

    const host = await launchConsole({ repo, env });
    hosts.push(host);
    const { page } = host;
    await page.getByRole('heading', { name: 'Evidence repository' }).waitFor();
    await openBoard(page);

    // Opening the board fetched: other hosts' sessions are as of that fetch.
    const staleness = page.getByTestId('board-staleness');
    await expect.poll(() => staleness.textContent(), { timeout: 15_000 }).toMatch(/Other hosts\u2019 sessions as of the last fetch .*ago \(.*\)\./);
    expect(await staleness.textContent()).toMatch(/Next fetch in \d+ seconds/);
    const remoteRow = rows(page).filter({ hasText: 'INC-30002' });
    expect(await remoteRow.textContent()).toMatch(/As of last fetch.*ago/);
    expect(await rows(page).filter({ hasText: 'INC-30001' }).textContent()).toContain('Live');

    // The remote goes away; "Fetch now" finds it gone.
    await daemon.stop();
    await staleness.getByRole('button', { name: 'Fetch now' }).click();
    await expect.poll(() => staleness.textContent(), { timeout: 20_000 }).toMatch(/Offline since the last fetch .* ago/);
    const text = (await staleness.textContent()) ?? '';
    expect(text).toContain(daemon.url('evidence.git'));
    expect(text).toMatch(/Reason: .*(connect|refused)/i);
    expect(text).toMatch(/Next try in/);
    expect(await staleness.getAttribute('class')).toContain('board-sync--offline');
    await expect.poll(() => page.getByTestId('board-sync-announcer').textContent()).toBe('Offline: other hosts\u2019 sessions are no longer being updated.');
    expect(await remoteRow.locator('.board-confirmed--stale').textContent()).toBe('As of last fetch');
    // The line keeps counting while nothing else happens.
    const shown = await staleness.locator('.board-sync-title').textContent();
    await expect.poll(() => staleness.locator('.board-sync-title').textContent(), { timeout: 5_000 }).not.toBe(shown);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await shot(page, 'board-offline');
    expectCleanConsole(host);
  });
});
