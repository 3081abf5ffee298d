import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot } from '../browser/inPage';
import { startPeople, type People } from '../support/signingKit';
import { consoleLifecycle } from '../support/consoleLifecycle';
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
const hosts = consoleLifecycle(() => people?.stop());
/** The backend runs in this test process: its OS account is this process's. */
const account = os.userInfo().username;
const refs = (ws: Workspace) => spawnSync('git', ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'], { cwd: ws.repo, encoding: 'utf8' }).stdout;


/** A workspace whose roster lists Ada (operator, admin) with `accounts`, and Grace as a reviewer; the console runs with Ada's agent. */
async function consoleWithRoster(accounts: string[]): Promise<{ ws: Workspace; host: ConsoleHost }> {
  const ws = await workspace();
  people ??= await startPeople(ws.dir);
  const asAda = { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } };
  const init = await ws.cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--account', ...accounts], asAda);
  expect(init.code, init.stderr).toBe(0);
  const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer', '--public-key', people.grace.key.line], asAda);
  expect(add.code, add.stderr).toBe(0);
  const host = await launchConsole({ repo: ws.repo, env: asAda.env });
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
});
