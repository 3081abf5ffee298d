import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot } from '../browser/inPage';
import { startPeople, type People } from '../support/signingKit';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { workspace, type Workspace } from '../support/workspace';
import { resumeAt } from '../support/wizardDraft';

/**
 * Issue 15, "Identity is checked where it is claimed", in the wizard (Chromium through the browser
 * test host, the real backend, a roster made by the real CLI, real ssh-agents): the review step
 * names the key that will sign, and a person the roster does not list as an operator, or an OS
 * account the roster does not list for the operator, is refused before anything is written.
 * Screenshots: test-artifacts/screenshots/declare-identity-*.png.
 */

let people: People;
const hosts = consoleHostsPerTest({ stopShared: () => people?.stop() });
/** The backend runs in this test process: its OS account is this process's. */
const account = os.userInfo().username;
const refs = (ws: Workspace) => spawnSync('git', ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'], { cwd: ws.repo, encoding: 'utf8' }).stdout;


/** A workspace whose roster lists Ada (operator, admin) with `accounts`, and Grace as a reviewer; the console runs with Ada's agent. */
async function consoleWithRoster(accounts: string[], agentOf: (p: People) => { socket: string } = (p) => p.ada.agent): Promise<{ ws: Workspace; host: ConsoleHost }> {
  const ws = await workspace();
  people ??= await startPeople(ws.dir);
  const asAda = { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } };
  const init = await ws.cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--account', ...accounts], asAda);
  expect(init.code, init.stderr).toBe(0);
  const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer', '--public-key', people.grace.key.line], asAda);
  expect(add.code, add.stderr).toBe(0);
  const host = await launchConsole({ repo: ws.repo, env: { ...ws.env, SSH_AUTH_SOCK: agentOf(people).socket } });
  hosts.push(host);
  host.page.setDefaultTimeout(10_000);
  await host.page.locator('main[aria-busy="false"]').waitFor();
  return { ws, host };
}

const signerItem = (host: ConsoleHost, status: 'pass' | 'fail' | 'warn') => host.page.locator(`[data-signer="${status}"]`);
const checkRow = (host: ConsoleHost, id: string) => host.page.locator(`tr[data-check="${id}"]`);

describe('the wizard checks who will sign (issue 15)', () => {
  it('the review step names the person, key type and fingerprint that will sign, and the declaration is signed by it', async () => {
    const { ws, host } = await consoleWithRoster([account]);
    await resumeAt(host, 4);
    const fingerprint = people.ada.key.publicKey.fingerprint;
    await signerItem(host, 'pass').waitFor();
    expect(await signerItem(host, 'pass').innerText()).toBe(`Ada Lovelace (ada): ssh-ed25519 key ${fingerprint}`);
    // An ed25519 key in software needs no touch; the words are for security keys only.
    expect(await host.page.getByText('Touch your security key to sign').count()).toBe(0);
    expect(await checkRow(host, 'roster-account').locator('.check-status').textContent()).toBe('✓Passed');
    expect(await checkRow(host, 'roster-account').locator('.check-detail').textContent()).toBe(`Logged in as ${account}, one of Ada Lovelace's accounts in the roster (${account}).`);
    await screenshot(host.page, 'declare-identity-review');
    await host.page.getByLabel(/To confirm, type the incident ID/).fill('INC-12345');
    await host.page.getByRole('button', { name: 'Declare', exact: true }).click();
    await host.page.getByRole('timer').waitFor();
    const verify = await ws.cli(['verify', '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    const records = (JSON.parse(verify.stdout) as { signatures: { records: Array<{ status: string; fingerprint: string; signer?: { id: string } }> } }).signatures.records;
    expect(records.map((r) => [r.status, r.signer?.id, r.fingerprint])).toEqual([['proven', 'ada', fingerprint]]);
  });

  it('without the operator\'s roster key in the agent, says before Declare that the declaration goes unsigned as the policy allows, and records it so', async () => {
    // The console's agent holds only Mallory's key: none of Ada's.
    const { ws, host } = await consoleWithRoster([account], (p) => p.mallory.agent);
    await resumeAt(host, 4);
    await signerItem(host, 'warn').waitFor();
    const said = (await signerItem(host, 'warn').textContent()) ?? '';
    expect(said).toMatch(/^Unsigned: None of Ada Lovelace's roster keys \(SHA256:[^)]+\) is in the ssh-agent\./);
    expect(said).toContain('The policy allows it (break-glass must work on the worst day): the declaration and your records are committed unsigned, verify names each as a finding, and the review must address it.');
    expect(await checkRow(host, 'signing-key').innerText()).toMatch(/Not blocking\. To sign instead, load your roster key into the ssh-agent/);
    await screenshot(host.page, 'declare-identity-unsigned-allowed');
    await host.page.getByLabel(/To confirm, type the incident ID/).fill('INC-12345');
    await host.page.getByRole('button', { name: 'Declare', exact: true }).click();
    await host.page.getByRole('timer').waitFor();
    const verify = await ws.cli(['verify', '--json']);
    expect(verify.code).not.toBe(0);
    const report = JSON.parse(verify.stdout) as { problems: Array<{ message: string }>; signatures: { records: Array<{ status: string; fingerprint: string | null }> } };
    expect(report.signatures.records.map((r) => [r.status, r.fingerprint])).toEqual([['invalid', null]]);
    expect(report.problems.map((p) => p.message)).toEqual([expect.stringContaining('The declared record is not signed')]);
  });

  it('refuses a person the roster does not list as an operator, saying so on the review step; nothing is written', async () => {
    const { ws, host } = await consoleWithRoster([account]);
    const before = refs(ws);
    await resumeAt(host, 4, { operatorName: 'Grace Hopper', operatorEmail: 'grace@example.com' });
    await signerItem(host, 'fail').waitFor();
    expect(await signerItem(host, 'fail').innerText()).toBe('Cannot be signed: Grace Hopper (grace) does not have the operator role in the roster. A roster admin can propose it (breakglass roster propose).');
    expect(await checkRow(host, 'signing-key').innerText()).toMatch(/Failed[\s\S]*How to fix: Load your roster key into the ssh-agent/);
    await screenshot(host.page, 'declare-identity-not-operator');
    await host.page.getByLabel(/To confirm, type the incident ID/).fill('INC-12345');
    await host.page.getByRole('button', { name: 'Declare', exact: true }).click();
    await host.page.getByText('A precondition failed: go to Preconditions, fix it and check again.').waitFor();
    // Someone the roster does not list at all: the typed name is not repeated back.
    await resumeAt(host, 4, { operatorName: 'Mallory Mallet', operatorEmail: 'mallory@example.com' });
    await signerItem(host, 'fail').waitFor();
    expect(await signerItem(host, 'fail').innerText()).toContain("Cannot be signed: The operator's e-mail address is not in the roster");
    expect(refs(ws)).toBe(before);
  });

  it('refuses an OS account the roster does not list for the operator, and says what to do', async () => {
    const { ws, host } = await consoleWithRoster(['ada-login']);
    const before = refs(ws);
    await resumeAt(host, 4);
    const row = checkRow(host, 'roster-account');
    await row.waitFor();
    expect(await row.locator('.check-status').textContent()).toBe('✕Failed');
    expect(await row.locator('.check-detail').innerText()).toBe(`The OS account "${account}" is not one of Ada Lovelace's accounts in the roster (ada-login). Log in as one of them, or have a roster admin add this account (breakglass roster propose) and a second admin approve.`);
    expect(await row.locator('.check-fix').innerText()).toBe('How to fix: Log in to this workstation with one of the accounts the roster lists for you and start the console from it.');
    // The key itself is fine: the signing row passes, the account row alone blocks.
    await signerItem(host, 'pass').waitFor();
    await screenshot(host.page, 'declare-identity-os-account');
    const declared = await host.backend.dispatch('session.declare', { declaration: (await import('../support/cli')).declaration() });
    expect(declared).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringContaining('OS account in the roster: The OS account') } });
    expect(refs(ws)).toBe(before);
  });

  it('the review form of a session with unsigned records says so before the outcome, and a plain "justified" is not committed', async () => {
    // Grace reviews in the console; Ada declared and closed from the CLI without her key.
    const { ws, host } = await consoleWithRoster([account], (p) => p.grace.agent);
    const { CLOSURE, declaration, jsonFile } = await import('../support/cli');
    const noAgent = { ...ws.env };
    delete noAgent.SSH_AUTH_SOCK;
    const declared = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'declaration.json', declaration())], { env: noAgent });
    expect(declared.code, declared.stderr).toBe(0);
    const sessionId = (JSON.parse(declared.stdout) as { sessionId: string }).sessionId;
    const closed = await ws.cli(['close', '--session', sessionId, '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)], { env: noAgent });
    expect(closed.code, closed.stderr).toBe(0);
    const page = host.page;
    await page.evaluate(`location.hash = ${JSON.stringify(`#/reviews/${sessionId}`)}`);
    const notice = page.getByTestId('review-unproven');
    await notice.waitFor();
    expect(await notice.textContent()).toBe('2 records of this session not proven by a roster key (see Signatures above): a finding this review must address. The outcome cannot be “justified”: say in the findings how the operator\'s identity was confirmed.');
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('E-mail').fill('grace@example.com');
    await page.locator('input[type="radio"][value="real"]').check();
    await page.locator('input[type="radio"][value="justified"]').check();
    // Leaving the outcome says at once why "justified" cannot stand, before Commit is pressed.
    await page.keyboard.press('Tab');
    await page.locator('#rv-outcome-error', { hasText: '2 records of this session are not proven by a roster key: a finding this review must address.' }).waitFor();
    const before = refs(ws);
    await page.getByRole('button', { name: 'Commit the review' }).click();
    await page.getByTestId('review-refused').waitFor();
    await screenshot(page, 'declare-identity-review-unproven');
    expect(refs(ws)).toBe(before);
    await page.locator('input[type="radio"][value="justified-with-findings"]').check();
    await page.getByLabel(/^Findings/).fill('Declared unsigned: the operator\'s security key was at home; identity confirmed by video call with the incident commander.');
    await page.getByRole('button', { name: 'Commit the review' }).click();
    await page.getByTestId('review-committed').waitFor();
    expect(spawnSync('git', ['cat-file', 'commit', 'refs/heads/hosts/test-host'], { cwd: ws.repo, encoding: 'utf8' }).stdout).toContain('BEGIN SSH SIGNATURE');
  });
});
