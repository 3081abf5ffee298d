import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, launchConsole, type ConsoleHost, type LaunchOptions } from '../browser/host';
import { focusRing, isFocused, screenshot as fullPageScreenshot, seriousAxeViolations } from '../browser/inPage';
import { declaration, editPolicy, git, jsonFile, runCli } from '../support/cli';
import { assertCliBuilt } from '../support/lifecycleKit';
import { removeWorkspaces, workspace, type Workspace } from '../support/workspace';
import { ADA, JUSTIFICATION, resumeAt, stepHeading } from '../support/wizardDraft';
import { hostIdentity } from '../../main/host/hostInfo';

/**
 * The declaration wizard (issue 4) in Debian's Chromium, through the browser test host, bound to
 * the real backend on real temporary evidence repositories. Every wait is on a selector or on
 * state, never a fixed sleep. Screenshots: test-artifacts/screenshots/wizard-*.png.
 */

const hosts: ConsoleHost[] = [];
const immutable: string[] = [];

/** A policy patch: `production` needs $BG_TEST_CRED matching `pattern` (procedure.md §3.2). */
function credentialCheck(pattern: string): (p: Record<string, unknown>) => Record<string, unknown> {
  return (p) => ({
    ...p,
    environments: (p.environments as Array<Record<string, unknown>>).map((e) =>
      e.id === 'production' ? { ...e, credentialChecks: [{ kind: 'env', name: 'BG_TEST_CRED', pattern }] } : e,
    ),
  });
}

async function launch(ws: Workspace, options: Omit<LaunchOptions, 'repo' | 'env'> = {}): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env, ...options });
  hosts.push(host);
  // A missing element fails in seconds with its locator, not at the test's timeout.
  host.page.setDefaultTimeout(10_000);
  return host;
}

/** Declares through the real CLI, as another process on this host. */
async function declareWithCli(ws: Workspace, overrides: Record<string, unknown> = {}): Promise<{ sessionId: string; expiresAt: string }> {
  const file = jsonFile(ws.dir, `decl-${Date.now()}.json`, declaration(overrides));
  const r = await runCli(['--repo', ws.repo, '--json', 'declare', '--file', file], { env: ws.env });
  if (r.code !== 0) throw new Error(`declare failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { sessionId: string; expiresAt: string };
}

const declareButton = (page: Page) => page.getByRole('button', { name: 'Declare break-glass', exact: true });
const wizardRegion = (page: Page) => page.getByRole('region', { name: 'Declaration wizard' });
const nextButton = (page: Page) => page.getByRole('button', { name: /^Next: / });
const finalDeclare = (page: Page) => page.getByRole('button', { name: /^(Declare|Retry declaring|Declaring…)$/ });

async function next(page: Page, expectStep: number): Promise<void> {
  await nextButton(page).click();
  await stepHeading(page, expectStep).waitFor();
}

/** A full-page screenshot taken from the top (a sticky header would otherwise sit where the page was scrolled to). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await fullPageScreenshot(page, name);
}

/** The error text shown with a field (its `<id>-error` element), or null when none shows. */
async function errorOf(page: Page, id: string): Promise<string | null> {
  const el = page.locator(`#${id}-error`);
  return (await el.count()) === 0 ? null : el.textContent();
}

/** The field carries its error for assistive technology too: aria-invalid and aria-describedby. */
async function expectFieldError(page: Page, id: string, pattern: RegExp): Promise<void> {
  await page.locator(`#${id}-error`).waitFor();
  expect(await errorOf(page, id)).toMatch(pattern);
  const field = page.locator(`#${id}`);
  expect(await field.getAttribute('aria-describedby')).toContain(`${id}-error`);
}

/** No CSP violation and no error of any kind in the page's console. */
function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}

/** The commits of the evidence branch whose record type is `declared`, with their author. */
function declaredCommits(repo: string): Array<{ sha: string; author: string; subject: string }> {
  // Every branch: the records are on this host's own ref (issue 14), the policy on the organisation branch.
  const out = git(repo, ['log', '--format=%H%x09%an <%ae>%x09%s', '--branches']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [sha, author, subject] = l.split('\t') as [string, string, string];
      return { sha, author, subject };
    })
    .filter((c) => /^breakglass\(bg-[^)]+\): declared /.test(c.subject));
}

/** The record a commit added (read from git's objects, like the console does). */
function recordOf(repo: string, sha: string): Record<string, unknown> & { payload: { declaration: Record<string, unknown> } } {
  const files = git(repo, ['show', '--name-only', '--format=', sha]).split('\n').filter(Boolean);
  expect(files).toHaveLength(1);
  return JSON.parse(git(repo, ['show', `${sha}:${files[0]}`])) as never;
}

/** Makes directories immutable (chattr +i: even root cannot create files in them), remembered for cleanup. */
function makeImmutable(...paths: string[]): boolean {
  const r = spawnSync('chattr', ['+i', ...paths], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  immutable.push(...paths);
  return true;
}

function makeMutable(...paths: string[]): void {
  spawnSync('chattr', ['-i', ...paths]);
  for (const p of paths) immutable.splice(immutable.indexOf(p), 1);
}

/** Fills step 1 the way an operator does. */
async function fillTrigger(page: Page): Promise<void> {
  await page.getByRole('radio', { name: /Backend lock integrity prevents recovery/ }).check();
  await page.getByLabel('Path 1: what you tried').fill('CI/CD pipeline apply');
  await page.getByLabel('How path 1 failed').fill('State lock held by crashed job 7f3c');
  await page.getByLabel('Material risk').fill('Customer API degraded; SLA breach in 45 minutes.');
  for (const t of [/not for expediency/, /not a routine change/, /not to avoid governance/]) await page.getByRole('checkbox', { name: t }).check();
}

beforeAll(() => {
  assertCliBuilt();
  assertRendererBuilt();
});

afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  if (immutable.length > 0) makeMutable(...immutable.slice());
  removeWorkspaces();
});

describe('declaration wizard', () => {
  it('happy path: five steps to an active session; one declared commit by the operator; breakglass env prints the block shown', async () => {
    const ws = await workspace({ gitIdentity: ADA, policy: { requiredGovernedPaths: { 'backend-lock-integrity': ['CI/CD pipeline apply'] } } });
    editPolicy(ws.repo, credentialCheck('^prod-breakglass-[0-9]+$'));
    ws.env.BG_TEST_CRED = 'prod-breakglass-7';
    // A zone away from UTC, so that local and UTC times differ on screen.
    const host = await launch(ws, { timezoneId: 'Asia/Kolkata', locale: 'en-GB' });
    const { page } = host;

    await declareButton(page).click();
    await stepHeading(page, 1).waitFor();
    expect(await page.locator('.stepper [aria-current="step"]').textContent()).toContain('Trigger');

    // 1. Trigger: the seed's wording; the policy's required path pre-listed; three separate attestations.
    for (const wording of ['Loss or unavailability of cryptographic signing keys', 'Backend lock integrity prevents recovery', 'Prolonged system outage or imminent impact to customers or regulators']) {
      expect(await page.getByRole('radio', { name: new RegExp(wording) }).count()).toBe(1);
    }
    await page.getByRole('radio', { name: /Backend lock integrity prevents recovery/ }).check();
    expect(await page.getByText('Required by policy').isVisible()).toBe(true);
    expect(await page.locator('.path-name').textContent()).toContain('CI/CD pipeline apply');
    await page.getByLabel('How path 1 failed').fill('State lock held by crashed job 7f3c');
    await page.getByRole('button', { name: 'Add another path' }).click();
    expect(await isFocused(page.getByLabel('Path 2: what you tried'))).toBe(true);
    await page.getByLabel('Path 2: what you tried').fill('Platform team on-call force-unlock');
    await page.getByLabel('How path 2 failed').fill('Force-unlock job needs the same backend, which is unreachable');
    await page.getByLabel('Material risk').fill('Customer-facing API degraded; SLA breach in 45 minutes.');
    const attest = page.getByRole('checkbox');
    expect(await attest.count()).toBe(3);
    for (const t of [/not for expediency/, /not a routine change/, /not to avoid governance/]) await page.getByRole('checkbox', { name: t }).check();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-1-trigger');
    await next(page, 2);

    // 2. Preconditions: one row per check; which credential check passed, never its value.
    await page.getByRole('radio', { name: /^production/ }).check();
    await page.getByLabel('Incident ID').fill('INC-12345');
    await page.keyboard.press('Tab');
    const credentials = page.locator('tr[data-check="credentials"]');
    await expect.poll(() => credentials.textContent()).toMatch(/Passed.*BG_TEST_CRED matches/);
    for (const id of ['os-account', 'credentials', 'incident-id', 'evidence-repository']) {
      await expect.poll(() => page.locator(`tr[data-check="${id}"] .check-status`).textContent()).toBe('✓Passed');
    }
    expect(await page.locator('tr[data-check="remote"]').textContent()).toMatch(/Warning.*No remote configured/);
    expect(await page.locator('tr[data-check="remote"]').getByRole('button', { name: /Check again/ }).count()).toBe(1);
    expect(await page.content()).not.toContain('prod-breakglass-7');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-2-preconditions');
    await next(page, 3);

    // 3. Incident and justification: the ID carried over, the patterns as examples, a live count, the operator from git config.
    expect(await page.getByLabel('Incident ID').inputValue()).toBe('INC-12345');
    expect(await page.locator('#wz-incidentId-hint').textContent()).toContain('INC-12345 (ticket key)');
    await page.getByLabel('Justification').fill('Lock held');
    expect(await page.locator('#wz-justification-count').textContent()).toBe('9 characters of at least 40: 31 more needed');
    await page.getByLabel('Justification').fill(JUSTIFICATION);
    expect(await page.locator('#wz-justification-count').textContent()).toBe(`${JUSTIFICATION.length} characters of at least 40: enough`);
    expect(await page.getByLabel('Full name').inputValue()).toBe(ADA.name);
    expect(await page.getByLabel('E-mail').inputValue()).toBe(ADA.email);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-3-incident');
    await next(page, 4);

    // 4. Scope and duration: the environment carried over, no scope preselected, the policy's default, the exact expiry.
    expect(await page.getByRole('radio', { name: /^production/ }).isChecked()).toBe(true);
    const scopes = page.locator('.scope-list input[type="checkbox"]');
    expect(await scopes.count()).toBe(5);
    for (const box of await scopes.all()) expect(await box.isChecked()).toBe(false);
    await page.getByRole('checkbox', { name: /state-lock/ }).check();
    expect(await page.getByLabel('Duration in minutes').inputValue()).toBe('30');
    expect(await page.locator('#wz-durationMinutes-hint').textContent()).toContain('default 30, maximum 60');
    expect(await page.locator('#wz-expiry').textContent()).toMatch(/expire at .*GMT\+5:30.*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-4-scope');
    await next(page, 5);

    // 5. Review: everything, the plain statement, the exact block, the confirmation.
    const review = wizardRegion(page);
    for (const text of ['Backend lock integrity prevents recovery', 'Platform team on-call force-unlock', 'Customer-facing API degraded', JUSTIFICATION, 'Ada Lovelace <ada@example.com>', 'state-lock', '30 minutes']) {
      expect(await review.getByText(text, { exact: false }).first().isVisible(), text).toBe(true);
    }
    const means = await page.getByRole('region', { name: 'What declaring means' }).textContent();
    expect(means).toMatch(/Exceptional\..*Time-bound\..*Recorded\..*Reviewed\..*named person other than you \(not Ada Lovelace\).*within 5 days/s);
    await expect.poll(() => page.locator('tr[data-check="credentials"] .check-status').textContent()).toBe('✓Passed');
    await page.getByLabel(/To confirm, type the incident ID/).fill('INC-12345');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-5-review');
    const shown = (await page.getByTestId('env-preview').textContent()) ?? '';
    expect(shown).toContain("export BREAK_GLASS_SESSION_ID='<session id: assigned when the record is committed>'");

    // Two clicks in a row, one declaration: the second is ignored while the first commits.
    await finalDeclare(page).evaluate((b: { click(): void }) => {
      b.click();
      b.click();
    });
    await page.getByRole('timer').waitFor();
    await wizardRegion(page).waitFor({ state: 'detached' });

    // The evidence: exactly one declared commit, authored by the operator, holding the fields typed.
    const declared = declaredCommits(ws.repo);
    expect(declared).toHaveLength(1);
    expect(declared[0]!.author).toBe('Ada Lovelace <ada@example.com>');
    expect(declared[0]!.subject).toMatch(/declared INC-12345$/);
    const record = recordOf(ws.repo, declared[0]!.sha);
    expect(record.type).toBe('declared');
    expect(record.payload.declaration).toEqual({
      trigger: 'backend-lock-integrity',
      governedPathsTried: [
        { path: 'CI/CD pipeline apply', failure: 'State lock held by crashed job 7f3c' },
        { path: 'Platform team on-call force-unlock', failure: 'Force-unlock job needs the same backend, which is unreachable' },
      ],
      materialRisk: 'Customer-facing API degraded; SLA breach in 45 minutes.',
      attestations: { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true },
      incidentId: 'INC-12345',
      justification: JUSTIFICATION,
      environment: 'production',
      scopes: ['state-lock'],
      durationMinutes: 30,
      operator: ADA,
    });

    // `breakglass env` (the real CLI) prints the block the wizard showed; only what exists after the commit differs.
    const env = await runCli(['--repo', ws.repo, 'env'], { env: ws.env });
    expect(env.code).toBe(0);
    const sessionId = String(record.sessionId);
    const printed = env.stdout.split('\n');
    const preview = shown.replace('<session id: assigned when the record is committed>', sessionId).replace('<commit of the declared record>', declared[0]!.sha).split('\n');
    expect(printed.length).toBe(preview.length);
    const stamp = (line: string) => Date.parse(/'(.+)'/.exec(line)![1]!);
    for (const [i, line] of printed.entries()) {
      if (/^export BREAK_GLASS_(TIMESTAMP|EXPIRES_AT)=/.test(line)) {
        // "As if declared now": the preview's times are within seconds of the commit's.
        expect(line.split('=')[0]).toBe(preview[i]!.split('=')[0]);
        expect(Math.abs(stamp(line) - stamp(preview[i]!))).toBeLessThan(15_000);
      } else {
        expect(line).toBe(preview[i]);
      }
    }
    const ts = stamp(printed.find((l) => l.startsWith('export BREAK_GLASS_TIMESTAMP='))!);
    const exp = stamp(printed.find((l) => l.startsWith('export BREAK_GLASS_EXPIRES_AT='))!);
    expect(exp - ts).toBe(30 * 60_000);

    // The draft is gone with the declaration; the console shows the session, focused.
    expect(existsSync(path.join(ws.data, 'draft.json'))).toBe(false);
    expect(await isFocused(page.locator(`#session-${sessionId}`))).toBe(true);
    await screenshot(page, 'wizard-6-active-session');
    expectCleanConsole(host);
  });

  it('refuses on step 1: no trigger, no governed path, an unticked attestation; errors on leaving a field and again on Next, focus on the first', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const host = await launch(ws);
    const { page } = host;
    await declareButton(page).click();
    await stepHeading(page, 1).waitFor();

    // Leaving an empty field shows what to do, right below it.
    await page.getByLabel('How path 1 failed').focus();
    await page.keyboard.press('Tab');
    await expectFieldError(page, 'wz-governedPathsTried-0-failure', /How the path failed is required\./);
    expect(await page.getByLabel('How path 1 failed').getAttribute('aria-invalid')).toBe('true');

    // Next with everything empty: every error of the step shows, and the focus is on the first (the trigger).
    await nextButton(page).click();
    await expectFieldError(page, 'wz-trigger', /Pick one authorized trigger/);
    await expect.poll(() => isFocused(page.getByRole('radio', { name: /Loss or unavailability/ }))).toBe(true);
    expect(await errorOf(page, 'wz-governedPathsTried-0-path')).toMatch(/The governed path is required\./);
    expect(await errorOf(page, 'wz-materialRisk')).toMatch(/The material risk is required\./);
    expect(await page.locator('#wz-blocked').textContent()).toMatch(/fields need attention on this step/);
    await screenshot(page, 'wizard-error-step1-empty');

    // Everything but one attestation: Next stays, the focus goes to that box, the words say why.
    await fillTrigger(page);
    await page.getByRole('checkbox', { name: /not a routine change/ }).uncheck();
    await nextButton(page).click();
    await expect.poll(() => isFocused(page.getByRole('checkbox', { name: /not a routine change/ }))).toBe(true);
    await expectFieldError(page, 'wz-attestations-notRoutineChange', /Attest that this use is not a routine change/);
    expect(await errorOf(page, 'wz-attestations-notExpediency')).toBeNull();
    expect(await stepHeading(page, 1).isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-attestation');

    // No governed path listed: the only row emptied.
    await page.getByRole('checkbox', { name: /not a routine change/ }).check();
    await page.getByLabel('Path 1: what you tried').fill('');
    await page.getByLabel('How path 1 failed').fill('');
    await nextButton(page).click();
    await expect.poll(() => isFocused(page.getByLabel('Path 1: what you tried'))).toBe(true);
    await expectFieldError(page, 'wz-governedPathsTried-0-path', /The governed path is required\./);
    await expectFieldError(page, 'wz-governedPathsTried-0-failure', /How the path failed is required\./);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-no-governed-path');

    // Fixed: the errors go as the fields are corrected, and Next moves on.
    await page.getByLabel('Path 1: what you tried').fill('CI/CD pipeline apply');
    await page.getByLabel('How path 1 failed').fill('State lock held by crashed job 7f3c');
    expect(await errorOf(page, 'wz-governedPathsTried-0-path')).toBeNull();
    await next(page, 2);
    expect(declaredCommits(ws.repo)).toHaveLength(0);
    expectCleanConsole(host);
  });

  it('refuses on step 3: a shared operator, a bad incident ID, a short justification — each with the words of the service', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const host = await launch(ws);
    const { page } = host;
    await resumeAt(host, 2, { justification: '', operatorName: '', operatorEmail: '' });

    await page.getByLabel('Incident ID').fill('incident 12');
    await page.keyboard.press('Tab');
    await expectFieldError(page, 'wz-incidentId', /"incident 12" is not a recognised incident reference: use a ticket key like INC-12345, or a pager ID like PX7Q2ZK/);

    await page.getByLabel('Justification').fill('Pipeline is stuck.');
    await page.keyboard.press('Tab');
    await expectFieldError(page, 'wz-justification', /The justification has 18 characters; the policy needs at least 40\./);
    expect(await page.locator('#wz-justification-count').textContent()).toBe('18 characters of at least 40: 22 more needed');

    await page.getByLabel('Full name').fill('admin');
    await page.getByLabel('E-mail').fill('ops@example.com');
    await page.keyboard.press('Tab');
    await expectFieldError(page, 'wz-operator-name', /"admin" is a shared or anonymous identity: break-glass needs a named human\. Use your own full name\./);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-step3');

    // On Next, the focus goes to the first of them.
    await nextButton(page).click();
    await expect.poll(() => isFocused(page.getByLabel('Incident ID'))).toBe(true);
    await stepHeading(page, 3).waitFor();

    // A named human with a shared mailbox is refused too.
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('E-mail').fill('ops@example.com');
    await page.keyboard.press('Tab');
    await expectFieldError(page, 'wz-operator-name', /"ops@example\.com" is a shared mailbox/);
    await screenshot(page, 'wizard-error-shared-operator');

    await page.getByLabel('E-mail').fill(ADA.email);
    await page.getByLabel('Incident ID').fill('INC-12345');
    await page.getByLabel('Justification').fill(JUSTIFICATION);
    await next(page, 4);
    expectCleanConsole(host);
  });

  it('refuses a failing precondition until it is fixed and checked again', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    editPolicy(ws.repo, credentialCheck('^ok$'));
    delete ws.env.BG_TEST_CRED;
    const host = await launch(ws);
    const { page } = host;
    await resumeAt(host, 1);

    const row = page.locator('tr[data-check="credentials"]');
    await expect.poll(() => row.textContent()).toMatch(/Failed.*\$BG_TEST_CRED is not set.*How to fix: .*break-glass credentials for production/);
    await nextButton(page).click();
    expect(await page.locator('#wz-blocked').textContent()).toMatch(/1 check failed\. It blocks the declaration: fix what it says, then press "Check again"\./);
    // The focus is on that row's "Check again", which is described by the failure.
    const again = row.getByRole('button', { name: 'Check again: Provider credentials' });
    await expect.poll(() => isFocused(again)).toBe(true);
    expect(await stepHeading(page, 2).isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-precondition');

    // The operator loads the credentials (the backend reads the environment it was started with) and checks again.
    ws.env.BG_TEST_CRED = 'ok';
    await again.click();
    await expect.poll(() => row.textContent()).toMatch(/Passed.*\$BG_TEST_CRED matches \^ok\$/);
    await next(page, 3);
    expectCleanConsole(host);
  });

  it('refuses a duration above the policy maximum, and shows the exact expiry once it is within it', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const host = await launch(ws);
    const { page } = host;
    await resumeAt(host, 3, { scopes: [] });

    await page.getByLabel('Duration in minutes').fill('90');
    await page.keyboard.press('Tab');
    await expectFieldError(page, 'wz-durationMinutes', /90 minutes is above the policy's maximum of 60: ask for at most 60 and extend later if you must\./);
    expect(await page.locator('#wz-expiry').textContent()).toContain('once the duration is a whole number of minutes within the policy');
    await nextButton(page).click();
    // Least privilege: no scope was preselected, so that is refused too; the focus goes to the first problem.
    await page.locator('#wz-scopes-error').waitFor();
    expect(await errorOf(page, 'wz-scopes')).toMatch(/Pick at least one scope \(least privilege: only what you need\)\./);
    expect(await page.getByRole('checkbox', { name: /diagnostics/ }).getAttribute('aria-describedby')).toBe('wz-scopes-error');
    await expect.poll(() => isFocused(page.getByRole('checkbox', { name: /diagnostics/ }))).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-duration');

    await page.getByRole('checkbox', { name: /diagnostics/ }).check();
    await page.getByLabel('Duration in minutes').fill('60');
    expect(await page.locator('#wz-expiry').textContent()).toMatch(/60 minutes after the declaration is committed/);
    await next(page, 5);
    expectCleanConsole(host);
  });

  it('refuses a confirmation that does not match the incident ID', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const host = await launch(ws);
    const { page } = host;
    await resumeAt(host, 4);
    await expect.poll(() => page.locator('tr[data-check="os-account"] .check-status').textContent()).toBe('✓Passed');

    const confirm = page.getByLabel(/To confirm, type the incident ID/);
    await confirm.fill('INC-1234');
    await finalDeclare(page).click();
    await expectFieldError(page, 'wz-confirmation', /"INC-1234" does not match the incident ID INC-12345: type it exactly as shown above\./);
    await expect.poll(() => isFocused(confirm)).toBe(true);
    expect(declaredCommits(ws.repo)).toHaveLength(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-confirmation');

    // Enter in the confirmation declares (the form's submit), once it matches.
    await confirm.fill('INC-12345');
    await confirm.press('Enter');
    await page.getByRole('timer').waitFor();
    expect(declaredCommits(ws.repo)).toHaveLength(1);
    expectCleanConsole(host);
  });

  it('when the commit fails (lock held, then repository read-only), stays on review with every field, says why, and a retry succeeds once fixed', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const host = await launch(ws);
    const { page } = host;
    await resumeAt(host, 4, { confirmation: 'INC-12345' });
    await expect.poll(() => page.locator('tr[data-check="evidence-repository"] .check-status').textContent()).toBe('✓Passed');
    const branches = () => git(ws.repo, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads']);
    const head = branches();

    // Lock held: a directory where git takes the ref lock of this host's own ref (issue 14:
    // refs/heads/hosts/<id>.lock), so git's own ref update fails as it does while another git
    // process holds it.
    const hostsDir = path.join(ws.repo, 'refs', 'heads', 'hosts');
    mkdirSync(hostsDir, { recursive: true });
    const refLock = path.join(hostsDir, `${hostIdentity(ws.env).hostId}.lock`);
    spawnSync('mkdir', [refLock]);
    await finalDeclare(page).click();
    const alert = page.getByTestId('declare-error');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not declared: the evidence could not be committed.*a git lock file is held by another process.*No session exists and nothing was recorded/s);
    await expect.poll(() => isFocused(alert.getByRole('heading'))).toBe(true);
    spawnSync('rmdir', [refLock]);

    // Read-only: chattr +i on the object store and the branch folder (root ignores permission bits, not
    // the immutable flag), so git cannot write the pack or the ref. Skipped only where chattr is refused.
    const objects = path.join(ws.repo, 'objects');
    const readOnly = makeImmutable(path.join(objects, 'pack'), objects, hostsDir);
    if (readOnly) {
      await finalDeclare(page).click();
      await expect.poll(() => alert.textContent()).toMatch(/the evidence repository is not writable \(read-only or wrong permissions\)\. Make it writable and retry\./);
    }
    expect(await finalDeclare(page).textContent()).toBe('Retry declaring');
    expect(await stepHeading(page, 5).isVisible()).toBe(true);
    // Every field survives: the review still shows them, and the draft on disk has them.
    for (const text of ['Backend lock integrity prevents recovery', 'CI/CD pipeline apply', JUSTIFICATION, 'Ada Lovelace <ada@example.com>', 'state-lock']) {
      expect(await wizardRegion(page).getByText(text, { exact: false }).first().isVisible(), text).toBe(true);
    }
    expect(await page.getByLabel(/To confirm, type the incident ID/).inputValue()).toBe('INC-12345');
    const draft = JSON.parse(readFileSync(path.join(ws.data, 'draft.json'), 'utf8')) as { fields: Record<string, unknown> };
    expect(draft.fields).toMatchObject({ incidentId: 'INC-12345', justification: JUSTIFICATION, environment: 'production', scopes: ['state-lock'] });
    // No session exists: no branch moved, no session on screen.
    expect(branches()).toBe(head);
    expect(await page.getByRole('timer').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-commit-failed');

    // Fixed: the retry declares.
    if (readOnly) makeMutable(path.join(objects, 'pack'), objects, hostsDir);
    await finalDeclare(page).click();
    await page.getByRole('timer').waitFor();
    expect(declaredCommits(ws.repo)).toHaveLength(1);
    expect(existsSync(path.join(ws.data, 'draft.json'))).toBe(false);
    expectCleanConsole(host);
  });

  it('refuses a second declaration for an environment with an active session, and links to it', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const first = await declareWithCli(ws, { incidentId: 'INC-777' });
    const host = await launch(ws);
    const { page } = host;
    await page.getByRole('timer').waitFor();

    // Beside the open session, only another environment can be declared; picking the busy one says so and links to it.
    await resumeAt(host, 1, { incidentId: 'INC-778' }, 'Declare in another environment');
    const link = wizardRegion(page).getByRole('link', { name: 'Go to the active session INC-777' });
    await link.first().waitFor();
    expect(await link.first().getAttribute('href')).toBe(`#session-${first.sessionId}`);
    await nextButton(page).click();
    await expectFieldError(page, 'wz-environment', /Pick another environment: production already has an active session on this host \(INC-777\)/);
    expect(await stepHeading(page, 2).isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-error-active-session');

    // Pre-production is free: on to the review. Meanwhile another process declares there: the service refuses, nothing is recorded.
    await page.getByRole('radio', { name: /^pre-production/ }).check();
    await next(page, 3);
    await next(page, 4);
    await page.getByRole('checkbox', { name: /diagnostics/ }).check();
    await next(page, 5);
    await page.getByLabel(/To confirm, type the incident ID/).fill('INC-778');
    // The console must not have read the other process's declaration before the click (its poll,
    // every second, would show the conflict as a field error instead, which the first half covered):
    // stop the poll, as a busy main process would miss it, so the refusal is the service's own.
    host.backend.stop();
    await declareWithCli(ws, { incidentId: 'INC-779', environment: 'pre-production', scopes: ['diagnostics'] });
    await new Promise((r) => setTimeout(r, 1_500)); // past a poll: the stop is what keeps the console unaware
    await finalDeclare(page).click();
    const alert = page.getByTestId('declare-error');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/a session is already active in this environment.*is already active for pre-production on this host/s);
    expect(declaredCommits(ws.repo).map((c) => c.subject.replace(/^.*declared /, '')).sort()).toEqual(['INC-777', 'INC-779']);
    await screenshot(page, 'wizard-error-active-session-race');
    expectCleanConsole(host);
  });

  it('keeps the draft: fill three steps, reload, everything is back; after a restart it is offered again; discard removes it', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    let host = await launch(ws);
    let page = host.page;
    await declareButton(page).click();
    await stepHeading(page, 1).waitFor();
    await fillTrigger(page);
    await next(page, 2);
    await page.getByRole('radio', { name: /^pre-production/ }).check();
    await page.getByLabel('Incident ID').fill('PX7Q2ZK');
    await next(page, 3);
    await page.getByLabel('Justification').fill(JUSTIFICATION);
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('E-mail').fill('grace@example.com');
    await expect.poll(() => page.getByTestId('draft-status').textContent()).toMatch(/^Draft saved at /);
    await expect.poll(() => JSON.parse(readFileSync(path.join(ws.data, 'draft.json'), 'utf8')).fields.operatorName).toBe('Grace Hopper');

    await page.reload();
    const offer = page.getByText('An unfinished declaration is saved on this host');
    await offer.waitFor();
    expect(await page.locator('.draft-offer').textContent()).toMatch(/PX7Q2ZK, pre-production, at step 3 of 5 \(Incident and justification\)\. Nothing has been declared\./);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'wizard-draft-offered');
    await declareButton(page).click();
    await stepHeading(page, 3).waitFor();
    expect(await page.getByLabel('Justification').inputValue()).toBe(JUSTIFICATION);
    expect(await page.getByLabel('Full name').inputValue()).toBe('Grace Hopper');
    expect(await page.getByLabel('E-mail').inputValue()).toBe('grace@example.com');
    expect(await page.getByLabel('Incident ID').inputValue()).toBe('PX7Q2ZK');
    await page.getByRole('button', { name: /^Back/ }).click();
    await stepHeading(page, 2).waitFor();
    expect(await page.getByRole('radio', { name: /^pre-production/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: /^Back/ }).click();
    await stepHeading(page, 1).waitFor();
    expect(await page.getByRole('radio', { name: /Backend lock integrity prevents recovery/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('How path 1 failed').inputValue()).toBe('State lock held by crashed job 7f3c');
    expect(await page.getByLabel('Material risk').inputValue()).toBe('Customer API degraded; SLA breach in 45 minutes.');
    for (const box of await page.getByRole('checkbox').all()) expect(await box.isChecked()).toBe(true);
    await screenshot(page, 'wizard-draft-resumed');

    // A console restart (a new backend and browser on the same data folder): offered back again.
    await host.close();
    hosts.splice(hosts.indexOf(host), 1);
    host = await launch(ws);
    page = host.page;
    await page.getByText('An unfinished declaration is saved on this host').waitFor();
    expect(await page.locator('.draft-offer').textContent()).toContain('at step 1 of 5 (Trigger)');

    // Discard, explicitly and confirmed: gone from the screen and from the disk.
    await page.getByRole('button', { name: 'Discard the saved draft…' }).click();
    await page.getByRole('button', { name: 'Discard the draft' }).click();
    await page.getByText('An unfinished declaration is saved on this host').waitFor({ state: 'detached' });
    expect(existsSync(path.join(ws.data, 'draft.json'))).toBe(false);
    await declareButton(page).click();
    await stepHeading(page, 1).waitFor();
    expect(await page.getByRole('radio', { checked: true }).count()).toBe(0);
    expectCleanConsole(host);
  });

  it('runs keyboard-only from the Declare button to the active session, with a visible focus ring and axe clean on every step', async () => {
    const ws = await workspace({ gitIdentity: ADA });
    const host = await launch(ws);
    const { page } = host;
    const kb = page.keyboard;
    const focused = () => page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { id: string; textContent: string | null; getAttribute(n: string): string | null } | null } }).document.activeElement;
      return el ? `${el.id}|${el.getAttribute('name') ?? ''}|${(el.textContent ?? '').slice(0, 60)}` : '';
    });
    /** Tabs until `target` has the focus (Shift-Tab when `back`). */
    const tabTo = async (target: Locator, back = false, max = 40) => {
      for (let i = 0; i < max; i++) {
        await kb.press(back ? 'Shift+Tab' : 'Tab');
        if (await isFocused(target)) return;
      }
      throw new Error(`Tab did not reach the element (focus on ${await focused()}).`);
    };
    const expectRing = async (target: Locator) => {
      const ring = await focusRing(target);
      expect(ring.focusVisible).toBe(true);
      expect(ring.style).not.toBe('none');
      expect(ring.width).toBeGreaterThanOrEqual(2);
    };

    await tabTo(declareButton(page));
    await kb.press('Enter');
    await expect.poll(() => isFocused(page.getByRole('heading', { name: 'Declaration wizard' }))).toBe(true);

    // Step 1. Enter on Next with nothing filled: the focus goes to the first error (the trigger).
    await tabTo(nextButton(page));
    await expectRing(nextButton(page));
    await kb.press('Enter');
    const firstTrigger = page.getByRole('radio', { name: /Loss or unavailability/ });
    await expect.poll(() => isFocused(firstTrigger)).toBe(true);
    // A radio group takes arrow keys to move and Space to choose (the platform's convention).
    await kb.press('ArrowDown');
    await kb.press('Space');
    expect(await page.getByRole('radio', { name: /Backend lock integrity/ }).isChecked()).toBe(true);
    await tabTo(page.getByLabel('Path 1: what you tried'));
    await kb.type('CI/CD pipeline apply');
    await kb.press('Tab');
    await kb.type('State lock held by crashed job 7f3c');
    await tabTo(page.getByLabel('Material risk'));
    await expectRing(page.getByLabel('Material risk'));
    await kb.type('Customer API degraded; SLA breach in 45 minutes.');
    for (const name of [/not for expediency/, /not a routine change/, /not to avoid governance/]) {
      const box = page.getByRole('checkbox', { name });
      await tabTo(box);
      await expectRing(box);
      await kb.press('Space');
      expect(await box.isChecked()).toBe(true);
    }
    expect(await seriousAxeViolations(page)).toEqual([]);
    await tabTo(nextButton(page));
    await kb.press('Enter');
    await stepHeading(page, 2).waitFor();
    // The step indicator marks the current step, and the focus is on the step's heading, which names it.
    expect(await page.locator('.stepper [aria-current="step"]').textContent()).toContain('Preconditions');
    expect(await isFocused(stepHeading(page, 2))).toBe(true);

    // Step 2: environment (arrow keys within the group), incident ID, Enter = Next.
    await tabTo(page.getByRole('radio', { name: /^production/ }));
    await kb.press('Space');
    await tabTo(page.getByLabel('Incident ID'));
    await kb.type('INC-4242');
    await kb.press('Tab');
    await expect.poll(() => page.locator('tr[data-check="incident-id"] .check-status').textContent()).toBe('✓Passed');
    // Shift-Tab back to the incident ID, Enter submits the step.
    await tabTo(page.getByLabel('Incident ID'), true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await kb.press('Enter');
    await stepHeading(page, 3).waitFor();

    // Step 3.
    await tabTo(page.getByLabel('Justification'));
    await kb.type(JUSTIFICATION);
    expect(await page.getByLabel('Full name').inputValue()).toBe(ADA.name);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await tabTo(nextButton(page));
    await kb.press('Enter');
    await stepHeading(page, 4).waitFor();

    // Step 4: a scope with Space, the duration typed over the default, Enter = Next.
    const scope = page.getByRole('checkbox', { name: /state-lock/ });
    await tabTo(scope);
    await expectRing(scope);
    await kb.press('Space');
    await tabTo(page.getByLabel('Duration in minutes'));
    await kb.press('Control+A');
    await kb.type('45');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await kb.press('Enter');
    await stepHeading(page, 5).waitFor();

    // Step 5: the confirmation, then Enter declares.
    const confirm = page.getByLabel(/To confirm, type the incident ID/);
    await tabTo(confirm);
    await expectRing(confirm);
    await kb.type('INC-4242');
    await expect.poll(() => page.locator('tr[data-check="os-account"] .check-status').textContent()).toBe('✓Passed');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await tabTo(finalDeclare(page));
    await expectRing(finalDeclare(page));
    await kb.press('Enter');
    await page.getByRole('timer').waitFor();
    const declared = declaredCommits(ws.repo);
    expect(declared).toHaveLength(1);
    expect(recordOf(ws.repo, declared[0]!.sha).payload.declaration).toMatchObject({ incidentId: 'INC-4242', durationMinutes: 45, scopes: ['state-lock'], environment: 'production' });
    expectCleanConsole(host);
  }, 120_000);
});
