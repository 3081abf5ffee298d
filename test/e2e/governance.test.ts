import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { launchConsole } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { editPolicy } from '../support/cli';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { gitx } from '../support/lifecycleKit';
import { startPeople, type People } from '../support/signingKit';
import { workspace, type Workspace } from '../support/workspace';

/**
 * Issue 15, "a pending change is visible in the console, and nothing under it takes effect until
 * approved", in Chromium through the browser test host: a policy change proposed by one roster
 * admin with the real CLI and their real ssh-agent is shown on the home screen as pending, with
 * its approvals and the command that approves it, while the policy in force stays the old one;
 * a second admin's approval adopts it. A plain git commit to policy.yaml is said not to be in force.
 */

const everyone: People[] = [];
const hosts = consoleHostsPerTest({ stopShared: () => everyone.splice(0).forEach((p) => p.stop()) });

async function rosterWithTwoAdmins(): Promise<{ ws: Workspace; people: People }> {
  const ws = await workspace();
  const people = await startPeople(ws.dir);
  everyone.push(people);
  const asAda = { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } };
  const init = await ws.cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--account', 'root'], asAda);
  expect(init.code, init.stderr).toBe(0);
  // One admin so far: adding Grace as the second is adopted with Ada's signature alone.
  const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer,roster-admin', '--public-key', people.grace.key.line], asAda);
  expect(add.code, add.stderr).toBe(0);
  return { ws, people };
}

/** The console on the workspace's repository, at its home screen once the governance notice is shown. */
async function homeWithNotice(ws: Workspace) {
  const host = await launchConsole({ repo: ws.repo, env: ws.env });
  hosts.push(host);
  const { page } = host;
  await page.locator('main[aria-busy="false"]').waitFor();
  const notice = page.getByTestId('governance-notice');
  await notice.waitFor();
  return { host, page, notice };
}

async function reviewWindowInForce(host: { backend: { dispatch(name: 'policy.get', input: Record<string, never>): Promise<unknown> } }): Promise<unknown> {
  const r = (await host.backend.dispatch('policy.get', {})) as { ok: boolean; value?: { policy: { reviewWindowDays: number } | null } };
  return r.ok ? r.value?.policy?.reviewWindowDays : null;
}

describe('governed changes in the console (issue 15)', () => {
  it('shows a proposed policy change as pending, with its approvals and how to approve it, until a second admin approves', async () => {
    const { ws, people: p } = await rosterWithTwoAdmins();
    const policy = parse(gitx(ws.repo, ['show', 'main:policy.yaml'])) as Record<string, unknown>;
    const before = policy.reviewWindowDays;
    expect(before).not.toBe(3);
    const file = path.join(ws.dir, 'proposed-policy.yaml');
    writeFileSync(file, stringify({ ...policy, reviewWindowDays: 3 }));
    const proposed = await ws.cli(['--json', 'policy', 'propose', '--file', file], { env: { ...ws.env, SSH_AUTH_SOCK: p.ada.agent.socket } });
    expect(proposed.code, proposed.stderr).toBe(0);
    const { id } = JSON.parse(proposed.stdout) as { id: string };

    const { host, page, notice } = await homeWithNotice(ws);
    expect(await notice.getByRole('heading').innerText()).toBe('Governed changes');
    expect((await notice.locator('li').allInnerTexts()).map((t) => t.trim())).toEqual([
      `A change of policy.yaml is pending (1 of 2 roster admin approvals: ada). Nothing in it is in force until approved: breakglass policy approve ${id}`,
    ]);
    // Nothing under the proposal is in force: the console still applies the governed policy.
    expect(await reviewWindowInForce(host)).toBe(before);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'governance-pending');

    const approved = await ws.cli(['policy', 'approve', id], { env: { ...ws.env, SSH_AUTH_SOCK: p.grace.agent.socket } });
    expect(approved.code, approved.stderr).toBe(0);
    await page.reload();
    await page.locator('main[aria-busy="false"]').waitFor();
    await expect.poll(() => reviewWindowInForce(host)).toBe(3);
    await expect.poll(() => notice.count()).toBe(0);
  });

  it('says a policy.yaml committed with plain git is not in force, and why', async () => {
    const { ws } = await rosterWithTwoAdmins();
    const governed = (parse(gitx(ws.repo, ['show', 'main:policy.yaml'])) as { justificationMinLength: number }).justificationMinLength;
    editPolicy(ws.repo, (pol) => ({ ...pol, justificationMinLength: 1 }));
    const { host, page, notice } = await homeWithNotice(ws);
    const [item] = await notice.locator('li').allInnerTexts();
    expect(item).toMatch(/^policy\.yaml on the organisation branch is not in force\. policy\.yaml changed with no signature, not by a roster admin \(commit [0-9a-f]{12}\).* The governed policy\.yaml still applies\.$/);
    const r = (await host.backend.dispatch('policy.get', {})) as { ok: boolean; value?: { policy: { justificationMinLength: number } | null } };
    expect(r.ok && r.value?.policy?.justificationMinLength).toBe(governed);
    await screenshot(page, 'governance-not-in-force');
  });
});
