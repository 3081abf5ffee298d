import { describe, expect, it } from 'vitest';
import type { PreconditionResult } from '../../app/service';
import type { EvidenceRecord } from '../../app/records';
import { launchConsole, type ConsoleHost, type LaunchOptions } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { CLOSURE, declaration, editPolicy, jsonFile, runCli } from '../support/cli';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { workspace, type Workspace } from '../support/workspace';

/**
 * The reviews view, the review form and the overdue-review signals (issue 7) in Debian's Chromium
 * through the browser test host, on real temporary evidence repositories whose sessions are
 * declared and closed by the real CLI. "Overdue" comes from the policy's review window at closing
 * and the console's clock started days later (`clockStart`); nothing else is faked. Every wait is
 * on a selector or on state, never a fixed sleep.
 */

/** The operator; the workspace's git identity is hers, as on her admin host. */
const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
const DAY = 86_400_000;
/** Beyond the day, so "overdue by 1 day" does not hinge on the minute the home screen rounds its clock to. */
const HOUR = 3_600_000;
const hosts = consoleHostsPerTest();

async function cli(ws: Workspace, args: string[]): Promise<string> {
  const r = await runCli(['--repo', ws.repo, '--json', ...args], { env: ws.env });
  if (r.code !== 0) throw new Error(`breakglass ${args.join(' ')} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Declares with the real CLI; with `close`, closes it with the CLOSURE record under a policy review window of `windowDays`. */
async function session(ws: Workspace, incidentId: string, options: { windowDays?: number; close?: boolean; environment?: string } = {}): Promise<string> {
  if (options.windowDays !== undefined) editPolicy(ws.repo, (p) => ({ ...p, reviewWindowDays: options.windowDays }));
  const file = jsonFile(ws.dir, `decl-${incidentId}.json`, declaration({ incidentId, environment: options.environment ?? 'production' }));
  const { sessionId } = JSON.parse(await cli(ws, ['declare', '--file', file])) as { sessionId: string };
  await cli(ws, ['exec', '--session', sessionId, '--', 'echo', 'released state-lock 7f3c']);
  if (options.close ?? true) await cli(ws, ['close', '--session', sessionId, '--file', jsonFile(ws.dir, `close-${incidentId}.json`, CLOSURE)]);
  return sessionId;
}

async function launch(ws: Workspace, options: Omit<LaunchOptions, 'repo' | 'env'> = {}): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env, ...options });
  hosts.push(host);
  await host.page.locator('main[aria-busy="false"]').waitFor();
  return host;
}

async function go(host: ConsoleHost, hash: string): Promise<void> {
  await host.page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
}

/** This session's records as the service reads them from git, with their commits. */
async function entries(host: ConsoleHost, sessionId: string): Promise<Array<{ record: EvidenceRecord; commit: string }>> {
  const view = await host.backend.ctx.service.read();
  return [...(view.sessions.get(sessionId) ?? [])];
}

/** Calls the contract from inside the page, as the renderer would. */
function callFromPage<T>(host: ConsoleHost, group: string, method: string, input: unknown): Promise<{ ok: boolean; error?: { code: string; message: string; field?: string }; value?: T }> {
  return host.page.evaluate(`window.breakglass.${group}.${method}(${JSON.stringify(input)})`);
}

/** A full-page screenshot from the top. */
async function shot(host: ConsoleHost, name: string): Promise<void> {
  await host.page.evaluate('window.scrollTo(0, 0)');
  await screenshot(host.page, name);
}

function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}


describe('reviews view and review form', () => {
  it('lists closed sessions overdue first, refuses the operator by the field keeping what was typed, commits a named reviewer, and a correction supersedes it', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const overdue = await session(ws, 'INC-101', { windowDays: 1 });
    const later = await session(ws, 'INC-102', { windowDays: 5 });
    const sooner = await session(ws, 'INC-103', { windowDays: 3 });
    // Declared at real time, so expired (not closed) by the console's clock two days on.
    const expired = await session(ws, 'INC-104', { close: false });
    const host = await launch(ws, { clockStart: Date.now() + 2 * DAY + HOUR });
    const { page } = host;
    const declaredNow = await callFromPage<{ sessionId: string }>(host, 'session', 'declare', { declaration: declaration({ incidentId: 'INC-105', environment: 'pre-production' }) });
    const active = declaredNow.value!.sessionId;

    // Home: this host's overdue session first, marked in words, with the way to its review form.
    const awaiting = page.getByRole('region', { name: 'Closed — awaiting review' });
    await awaiting.getByTestId('home-overdue-count').waitFor();
    expect(await awaiting.getByTestId('home-overdue-count').textContent()).toContain('1 session of this host is overdue for review');
    expect(await awaiting.locator('li[data-session]').first().getAttribute('data-session')).toBe(overdue);
    expect(await awaiting.locator('li[data-session]').first().getByTestId('overdue').textContent()).toBe('Overdue by 1 day');
    expect(await awaiting.getByRole('link', { name: 'Review form for INC-101' }).getAttribute('href')).toBe(`#/reviews/${overdue}`);

    // The reviews view: closed sessions only, overdue first, then by due date (not by declaration order).
    await page.getByRole('navigation').getByRole('link', { name: /^Reviews/ }).click();
    const table = page.getByRole('region', { name: 'Awaiting review' }).locator('tbody tr');
    await table.first().waitFor();
    expect(await table.evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { session: string } }).dataset.session))).toEqual([overdue, sooner, later]);
    expect(await table.first().getByTestId('overdue').textContent()).toContain('Overdue by 1 day');
    expect(await table.nth(1).getByTestId('overdue').count()).toBe(0);
    expect(await page.locator(`[data-session="${active}"], [data-session="${expired}"]`).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shot(host, 'reviews-view');

    // The form: the whole session first, the scopes as a textual aid, then the verdict prefilled with git's identity (the operator).
    await table.first().getByRole('link', { name: 'Review INC-101' }).click();
    await page.getByRole('heading', { level: 2, name: /Review INC-101/ }).waitFor();
    await page.getByRole('heading', { name: 'Declaration' }).waitFor();
    const scopes = page.getByTestId('scope-comparison');
    expect(await scopes.textContent()).toContain('A textual aid, not a verdict');
    // #2 is the command's action-started record (issue 12 item 7); #3 its action.
    expect(await scopes.getByRole('row', { name: /state-lock/ }).textContent()).toMatch(/#3 \(command line, output\)/);
    expect(await page.getByRole('heading', { name: /#3.*echo released state-lock 7f3c/ }).count()).toBe(1);
    const name = page.getByLabel('Full name');
    const email = page.getByLabel('E-mail');
    expect(await name.inputValue()).toBe(ADA.name);
    expect(await email.inputValue()).toBe(ADA.email);

    // Validation with the schema, on submit: findings are required unless justified; the focus goes to the first problem.
    await page.locator('input[type="radio"][value="justified-with-findings"]').check();
    await page.getByRole('button', { name: 'Commit the review' }).click();
    await page.getByText('Describe the findings behind this outcome.').waitFor();
    await page.getByText('Say whether this was a real emergency or a drill.').waitFor();
    expect(await page.evaluate('document.activeElement.getAttribute("value")')).toBe('real');

    await page.locator('input[type="radio"][value="real"]').check();
    await page.getByLabel(/^Findings/).fill('The stale lock should have been caught by an alert; the pipeline had none.');
    await page.getByRole('button', { name: 'Add a follow-up action' }).click();
    await page.getByLabel('Action 1', { exact: true }).fill('Alert on state-lock age over 15 minutes');
    await page.getByLabel('Owner').fill('Grace Hopper');
    await page.getByLabel(/Due date/).fill('2026-12-15');

    // The operator as reviewer is refused by main: the message by the reviewer fields, nothing typed lost.
    await page.getByRole('button', { name: 'Commit the review' }).click();
    const reviewerGroup = page.getByRole('group', { name: 'Reviewer' });
    await reviewerGroup.getByText(/segregation of duties/).waitFor();
    await page.getByTestId('review-refused').waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('rv-reviewer-name');
    expect(await name.inputValue()).toBe(ADA.name);
    expect(await page.getByLabel(/^Findings/).inputValue()).toContain('stale lock');
    expect(await page.getByLabel('Action 1', { exact: true }).inputValue()).toBe('Alert on state-lock age over 15 minutes');
    expect(await page.getByLabel(/Due date/).inputValue()).toBe('2026-12-15');
    expect((await entries(host, overdue)).some((e) => e.record.type === 'reviewed')).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shot(host, 'review-form-refused');

    // Another named human: committed, authored by the reviewer, and its commit shown.
    await name.fill('Grace Hopper');
    await email.fill('grace@example.com');
    expect(await reviewerGroup.getByText(/segregation of duties/).count()).toBe(0);
    await shot(host, 'review-form');
    await page.getByRole('button', { name: 'Commit the review' }).click();
    await page.getByTestId('review-committed').waitFor();
    const shownCommit = (await page.getByTestId('review-commit').textContent())!.trim();
    const first = (await entries(host, overdue)).at(-1)!;
    expect(first.record.type).toBe('reviewed');
    expect(first.record.actor).toEqual({ name: 'Grace Hopper', email: 'grace@example.com' });
    expect(shownCommit).toBe(first.commit);
    expect(first.record.type === 'reviewed' && first.record.payload.review).toMatchObject({
      outcome: 'justified-with-findings', drill: false, followUps: [{ action: 'Alert on state-lock age over 15 minutes', owner: 'Grace Hopper', due: '2026-12-15' }],
    });
    expect(await page.getByRole('link', { name: 'Open the session page' }).last().getAttribute('href')).toBe(`#/sessions/${overdue}`);

    // A correction: the form says it supersedes the review in force; committed, it becomes the current one.
    await page.getByRole('button', { name: 'Correct this review…' }).click();
    const notice = page.getByTestId('supersede-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/A review cannot be edited; this correction will supersede the review by Grace Hopper of/);
    expect(await page.getByLabel(/^Findings/).inputValue()).toContain('stale lock');
    await page.getByLabel('Full name').fill('Linus Pauling');
    await page.getByLabel('E-mail').fill('linus@example.com');
    await page.locator('input[type="radio"][value="justified"]').check();
    await shot(host, 'review-form-correction');
    await page.getByRole('button', { name: 'Commit the correction' }).click();
    await page.getByRole('heading', { name: 'Correction committed' }).waitFor();
    await shot(host, 'review-form-committed');
    const second = (await entries(host, overdue)).at(-1)!;
    expect(second.record.type === 'reviewed' && second.record.payload.review.supersedes).toBe(first.record.hash);
    await page.getByTestId('current-review').filter({ hasText: 'Linus Pauling' }).waitFor();
    const detail = await callFromPage<{ reviews: Array<{ hash: string; current: boolean }> }>(host, 'session', 'timeline', { sessionId: overdue });
    expect(detail.value!.reviews.map((r) => [r.hash, r.current])).toEqual([[first.record.hash, false], [second.record.hash, true]]);

    // The session page shows the correction as the review in force.
    await go(host, `#/sessions/${overdue}`);
    await page.getByRole('article', { name: /Current review/ }).filter({ hasText: 'Linus Pauling' }).waitFor();

    // Back in the reviews view: no longer awaiting; listed as reviewed, with the way to correct it.
    await go(host, '#/reviews');
    await page.locator(`tbody tr[data-session="${sooner}"]`).waitFor();
    expect(await page.getByRole('region', { name: 'Awaiting review' }).locator(`[data-session="${overdue}"]`).count()).toBe(0);
    await page.getByText(/^Recently reviewed/).click();
    const reviewedRow = page.locator(`.rv-reviewed tr[data-session="${overdue}"]`);
    expect(await reviewedRow.textContent()).toContain('Justified');
    expect(await reviewedRow.getByRole('link', { name: 'Correct the review of INC-101' }).getAttribute('href')).toBe(`#/reviews/${overdue}`);

    // An active or expired session has no form: it must be closed first.
    await go(host, `#/reviews/${active}`);
    const notClosed = page.getByTestId('not-closed');
    await notClosed.filter({ hasText: 'it is still active' }).waitFor();
    expect(await page.getByRole('button', { name: /Commit the/ }).count()).toBe(0);
    await go(host, `#/reviews/${expired}`);
    await notClosed.filter({ hasText: 'it has expired but is not closed' }).waitFor();
    expect(await page.getByRole('button', { name: /Commit the/ }).count()).toBe(0);

    expectCleanConsole(host);
  });
});

describe('an overdue review blocks declaring when the policy says so', () => {
  it('the wizard says why before anything is filled in, the precondition fails and declare is refused; a review lifts the block', async () => {
    const ws = await workspace({ gitIdentity: ADA, policy: { overdueReviewBlocksDeclaration: true } });
    const overdue = await session(ws, 'INC-201', { windowDays: 1 });
    const host = await launch(ws, { clockStart: Date.now() + 2 * DAY + HOUR });
    const { page } = host;

    await page.getByRole('button', { name: 'Declare break-glass' }).click();
    const block = page.getByTestId('overdue-block');
    await block.waitFor();
    const text = (await block.textContent()) ?? '';
    expect(text).toContain('Declaring is blocked for Ada Lovelace');
    expect(text).toContain(overdue);
    expect(text).toContain('INC-201');
    expect(text).toMatch(/was due \d{4}-\d{2}-\d{2}T/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shot(host, 'wizard-overdue-block');

    // The same reason is a failing precondition, and the service refuses the declaration.
    const checks = await callFromPage<PreconditionResult[]>(host, 'preconditions', 'check', { environment: 'production', incidentId: 'INC-202', operator: ADA });
    const row = checks.value!.find((c) => c.id === 'overdue-review')!;
    expect(row.status).toBe('fail');
    expect(row.detail).toContain(overdue);
    const declared = await callFromPage(host, 'session', 'declare', { declaration: declaration({ incidentId: 'INC-202' }) });
    expect(declared.ok).toBe(false);
    expect(declared.error!.message).toMatch(/policy blocks new declarations/);

    // Reviewed by another named person from the link in the notice: the block is lifted.
    await block.getByRole('link', { name: /Review form for INC-201/ }).click();
    await page.getByRole('heading', { level: 2, name: /Review INC-201/ }).waitFor();
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('E-mail').fill('grace@example.com');
    await page.locator('input[type="radio"][value="justified"]').check();
    await page.locator('input[type="radio"][value="drill"]').check();
    await page.getByRole('button', { name: 'Commit the review' }).click();
    await page.getByTestId('review-committed').waitFor();
    const after = await callFromPage<PreconditionResult[]>(host, 'preconditions', 'check', { environment: 'production', incidentId: 'INC-202', operator: ADA });
    expect(after.value!.find((c) => c.id === 'overdue-review')!.status).toBe('pass');
    await go(host, '#/');
    await page.getByRole('button', { name: /Declare break-glass/ }).waitFor();
    if ((await page.getByRole('button', { name: /Declare break-glass/ }).getAttribute('aria-expanded')) !== 'true') await page.getByRole('button', { name: /Declare break-glass/ }).click();
    await page.getByRole('navigation', { name: 'Declaration steps' }).waitFor();
    await block.waitFor({ state: 'detached' });

    expectCleanConsole(host);
  });

  it('does not block with the default policy (off), even with an overdue review', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    await session(ws, 'INC-301', { windowDays: 1 });
    const host = await launch(ws, { clockStart: Date.now() + 2 * DAY + HOUR });
    const checks = await callFromPage<PreconditionResult[]>(host, 'preconditions', 'check', { environment: 'production', incidentId: 'INC-302', operator: ADA });
    expect(checks.value!.some((c) => c.id === 'overdue-review')).toBe(false);
    const declared = await callFromPage(host, 'session', 'declare', { declaration: declaration({ incidentId: 'INC-302' }) });
    expect(declared.ok).toBe(true);
  });
});
