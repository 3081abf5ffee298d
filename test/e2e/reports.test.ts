import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { CLOSURE, declaration, jsonFile } from '../support/cli';
import { assertCliBuilt, gitx } from '../support/lifecycleKit';
import { removeWorkspaces, workspace, type Workspace } from '../support/workspace';

/**
 * The Reports view (issue 7) in Debian's Chromium through the browser test host, bound to the real
 * backend on a real evidence repository: export one session as Markdown and a period as PDF
 * (printed by Chromium headless), and see where each was saved; a failed PDF says why.
 */

const hosts: ConsoleHost[] = [];
let ws: Workspace;
const sessions: string[] = [];

beforeAll(async () => {
  assertRendererBuilt();
  assertCliBuilt();
  ws = await workspace();
  for (const [incidentId, environment] of [['INC-7001', 'production'], ['INC-7002', 'pre-production']] as const) {
    const d = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, `${incidentId}.json`, declaration({ incidentId, environment }))]);
    if (d.code !== 0) throw new Error(d.stderr);
    const id = (JSON.parse(d.stdout) as { sessionId: string }).sessionId;
    sessions.push(id);
    const c = await ws.cli(['close', '--session', id, '--file', jsonFile(ws.dir, `${incidentId}-closure.json`, CLOSURE)]);
    if (c.code !== 0) throw new Error(c.stderr);
  }
}, 60_000);

afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});
afterAll(() => removeWorkspaces());

async function openReports(env: NodeJS.ProcessEnv = ws.env): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env });
  hosts.push(host);
  await host.page.goto(`${host.url}#/reports`);
  await host.page.getByRole('heading', { name: 'Audit reports' }).waitFor();
  return host;
}

function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}

describe('Reports view', () => {
  it('exports one session as Markdown and a period as PDF, saying where each went', async () => {
    const host = await openReports();
    const { page } = host;
    const picker = page.getByLabel('Session', { exact: true });
    // Newest first: the pre-production session is preselected; search narrows to the other.
    await expect.poll(() => picker.locator('option').count()).toBe(2);
    await page.getByLabel('Find a session').fill('inc-7001');
    await expect.poll(() => page.locator('.reports-field--wide .reports-hint').textContent()).toBe('1 session match');
    await picker.selectOption(sessions[0]!);
    await page.getByRole('radio', { name: /Markdown/ }).check();
    await page.getByRole('button', { name: 'Export report' }).click();
    const saved = page.locator('.reports-saved code');
    await saved.waitFor();
    const mdPath = (await saved.textContent())!;
    expect(mdPath).toBe(path.join(ws.data, 'reports', `breakglass-report-${sessions[0]}.md`));
    const md = readFileSync(mdPath, 'utf8');
    for (const c of gitx(ws.repo, ['log', '--format=%H', 'refs/heads/main', '--', `sessions/*${sessions[0]}/*`]).split('\n').filter(Boolean)) expect(md).toContain(c);
    expect(md).toContain('**Chain verified:** 2 records');
    expect(statSync(mdPath).mode & 0o077).toBe(0);
    // The size as the user's locale writes it (8,872 or 8 872): the digits are the file's size.
    const shownBytes = /\(([\d.,\s\u202f]+) bytes\)/.exec((await page.locator('.reports-result').textContent()) ?? '')?.[1]?.replace(/\D/g, '');
    expect(Number(shownBytes)).toBe(statSync(mdPath).size);

    const today = new Date().toISOString().slice(0, 10);
    await page.getByRole('radio', { name: 'A period' }).check();
    await page.getByLabel('From', { exact: true }).fill(today);
    await page.getByLabel('To', { exact: true }).fill(today);
    await page.getByRole('radio', { name: /PDF/ }).check();
    await page.getByRole('button', { name: 'Export report' }).click();
    await expect.poll(() => saved.textContent(), { timeout: 60_000 }).toBe(path.join(ws.data, 'reports', `breakglass-report-${today}_${today}.pdf`));
    expect(readFileSync(path.join(ws.data, 'reports', `breakglass-report-${today}_${today}.pdf`)).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'reports-view');
    expectCleanConsole(host);
  }, 90_000);

  it('a PDF that cannot be printed says why, and what to do instead', async () => {
    const host = await openReports({ ...ws.env, BREAKGLASS_CHROMIUM: path.join(ws.dir, 'no-chromium-here') });
    const { page } = host;
    await page.getByRole('radio', { name: /PDF/ }).check();
    await page.getByRole('button', { name: 'Export report' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'could not be exported' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('PDF needs Chromium: install it (Debian: apt-get install chromium) or set BREAKGLASS_CHROMIUM, or export Markdown/HTML');
    await screenshot(page, 'reports-view-error');
    expectCleanConsole(host);
  }, 60_000);
});
