import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot } from '../browser/inPage';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { startPeople, type People } from '../support/signingKit';
import { startAgent, type TestAgent } from '../support/sshAgent';
import { workspace, type Workspace } from '../support/workspace';

/**
 * Issue 15, "Before a roster exists", in Chromium through the browser test host (the real
 * backend, a repository the real CLI made, real ssh-agents with real ssh-keygen keys): the header
 * says "Unsigned" and home offers to create the roster; the operator creates it with the agent's
 * key and the header shows the trust anchor; with no key in the agent, home says how to make one.
 * Screenshots: test-artifacts/screenshots/create-roster-*.png.
 */

let people: People;
const agents: TestAgent[] = [];
const hosts = consoleHostsPerTest({
  stopShared: () => {
    people?.stop();
    agents.forEach((a) => a.stop());
  },
});
/** The backend runs in this test process: its OS account is this process's. */
const account = os.userInfo().username;

async function consoleOn(agentSocket: (ws: Workspace) => Promise<string>): Promise<{ ws: Workspace; host: ConsoleHost }> {
  const ws = await workspace({ gitIdentity: { name: 'Ada Lovelace', email: 'ada@example.com' } });
  const host = await launchConsole({ repo: ws.repo, env: { ...ws.env, SSH_AUTH_SOCK: await agentSocket(ws) } });
  hosts.push(host);
  host.page.setDefaultTimeout(10_000);
  await host.page.locator('main[aria-busy="false"]').waitFor();
  return { ws, host };
}

const mark = (host: ConsoleHost) => host.page.getByTestId('roster-mark');
const panel = (host: ConsoleHost) => host.page.getByTestId('create-roster');
/** Opens the folded roster form, as the operator does. */
async function unfold(host: ConsoleHost): Promise<void> {
  const button = panel(host).getByRole('button', { name: 'Set up the roster…' });
  await button.click();
  expect(await panel(host).getByRole('button', { name: 'Hide the roster form' }).getAttribute('aria-expanded')).toBe('true');
}
const git = (ws: Workspace, args: string[]) => spawnSync('git', args, { cwd: ws.repo, encoding: 'utf8' }).stdout.trim();

describe('the console creates the first roster (issue 15)', () => {
  it('says Unsigned, offers the roster prefilled, keeps what was typed on an error, creates it signed, then shows the anchor', async () => {
    const { ws, host } = await consoleOn(async (w) => (people ??= await startPeople(w.dir)).ada.agent.socket);
    const { page } = host;
    const fingerprint = people.ada.key.publicKey.fingerprint;

    await mark(host).waitFor();
    expect(await mark(host).getAttribute('data-roster')).toBe('none');
    expect(await mark(host).innerText()).toMatch(/^Unsigned/);
    expect(await mark(host).textContent()).toBe('Unsigned: this repository has no roster, so names in the evidence are claimed, not proven.');
    await panel(host).waitFor();
    // Folded until asked for: the home screen is for declaring first.
    expect(await page.getByLabel('Roster id').count()).toBe(0);
    await unfold(host);
    // Prefilled from the git identity and this OS account; the agent's only key is the choice.
    expect(await page.getByLabel('Full name').inputValue()).toBe('Ada Lovelace');
    expect(await page.getByLabel('E-mail').inputValue()).toBe('ada@example.com');
    expect(await page.getByLabel('Roster id').inputValue()).toBe('ada-lovelace');
    expect(await page.getByLabel(/OS account/).inputValue()).toBe(account);
    const key = page.getByRole('radio', { name: new RegExp(`ssh-ed25519.*${fingerprint.replace(/[+/]/g, '\\$&')}`) });
    expect(await key.isChecked()).toBe(true);
    await screenshot(page, 'create-roster-offer');

    // An error keeps every typed field; the message sits at the field.
    await page.getByLabel('Roster id').fill('ada');
    await page.getByLabel('E-mail').fill('not an address');
    await page.getByRole('button', { name: 'Create the roster' }).click();
    await page.getByText('Give a valid e-mail address, like ada@example.com.').waitFor();
    expect(await page.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Roster id').inputValue()).toBe('ada');
    expect(git(ws, ['ls-tree', '--name-only', 'refs/heads/main', 'roster.yaml'])).toBe('');

    await page.getByLabel('E-mail').fill('ada@example.com');
    await page.getByRole('button', { name: 'Create the roster' }).click();
    await host.page.getByTestId('roster-created').waitFor();
    const anchor = await page.getByTestId('roster-anchor').innerText();
    expect(anchor).toMatch(/^[0-9a-f]{40}$/);
    expect(await page.getByTestId('roster-created').innerText()).toContain(`auditors pin it with breakglass verify --anchor ${anchor}`);
    expect(await panel(host).count()).toBe(0);
    // The anchor is the commit that added roster.yaml, signed by Ada's key.
    expect(git(ws, ['log', '--reverse', '--diff-filter=A', '--format=%H', 'refs/heads/main', '--', 'roster.yaml'])).toBe(anchor);
    await page.locator('[data-testid="roster-mark"][data-roster="anchored"]').waitFor();
    expect(await mark(host).innerText()).toBe(`Anchor ${anchor.slice(0, 12)}`);
    expect(await mark(host).getAttribute('title')).toBe(`Trust anchor: the roster's first commit ${anchor}`);
    expect(await mark(host).getAttribute('aria-label')).toContain(anchor);
    await screenshot(page, 'create-roster-created');

    const verify = await ws.cli(['verify', '--json', '--anchor', anchor]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const roster = await ws.cli(['--json', 'roster', 'show']);
    expect((JSON.parse(roster.stdout) as { anchor: string; roster: { people: Array<{ id: string; accounts: string[]; roles: string[] }> } })).toMatchObject({
      anchor,
      roster: { people: [{ id: 'ada', accounts: [account], roles: ['operator', 'roster-admin'] }] },
    });
  });

  it('with no key in the agent, explains how to make and add one, and "Check again" finds it', async () => {
    let agent: TestAgent | null = null;
    const { host } = await consoleOn(async (w) => {
      people ??= await startPeople(w.dir);
      agent = await startAgent(mkdirSync(path.join(w.dir, 'empty-agent'), { recursive: true })!);
      agents.push(agent);
      return agent.socket;
    });
    const { page } = host;
    const none = page.getByTestId('roster-no-key');
    await unfold(host);
    await none.waitFor();
    const text = await none.innerText();
    expect(text).toContain('Your ssh-agent holds no ed25519, ECDSA or security key.');
    expect(text).toContain('ssh-keygen -t ed25519-sk');
    expect(text).toContain('ssh-keygen -t ed25519.');
    expect(text).toContain('ssh-add');
    // Nothing to sign with: no "Create the roster" button until a key is there.
    expect(await page.getByRole('button', { name: 'Create the roster' }).count()).toBe(0);
    expect(await mark(host).getAttribute('data-roster')).toBe('none');
    await screenshot(page, 'create-roster-no-key');

    agent!.add(people.grace.key.privatePath);
    await page.getByRole('button', { name: 'Check again' }).click();
    await page.getByRole('radio', { name: /ecdsa-sha2-nistp256/ }).waitFor();
    expect(await none.count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create the roster' }).isEnabled()).toBe(true);

    // The key leaves the agent before "Create": refused in words, and every typed field stays.
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('E-mail').fill('grace@example.com');
    await page.getByLabel('Roster id').fill('grace');
    spawnSync('ssh-add', ['-D'], { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: agent!.socket }, stdio: 'ignore' });
    await page.getByRole('button', { name: 'Create the roster' }).click();
    await page.getByRole('alert').filter({ hasText: `The ssh-agent does not hold key ${people.grace.key.publicKey.fingerprint}. Add it with ssh-add.` }).waitFor();
    expect([await page.getByLabel('Full name').inputValue(), await page.getByLabel('E-mail').inputValue(), await page.getByLabel('Roster id').inputValue()]).toEqual(['Grace Hopper', 'grace@example.com', 'grace']);
    expect(await mark(host).getAttribute('data-roster')).toBe('none');
    await screenshot(page, 'create-roster-refused');

    agent!.add(people.grace.key.privatePath);
    await page.getByRole('button', { name: 'Create the roster' }).click();
    await page.getByTestId('roster-created').waitFor();
    await page.locator('[data-testid="roster-mark"][data-roster="anchored"]').waitFor();
  });
});
