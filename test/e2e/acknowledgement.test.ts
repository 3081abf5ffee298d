import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { launchConsole } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { cliEnv, declaration, jsonFile, runCli } from '../support/cli';
import { gitx } from '../support/lifecycleKit';
import { startPeople, type People } from '../support/signingKit';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { workspace, type Workspace } from '../support/workspace';

/**
 * Issue 16, the commander's acknowledgement on both consoles, in Chromium through the browser test
 * host, on repositories written by the real CLI with real ssh-agents: the operator's session page
 * shows the code to read aloud; the commander's observer console, on its own clone, acknowledges
 * it and shows the response code; the operator types the response into the session page
 * (provisional); the board marks the sessions awaiting acknowledgement. Screenshots:
 * test-artifacts/screenshots/ack-countdown.png, ack-operator-code.png, ack-commander.png, ack-operator-provisional.png,
 * board-awaiting-ack.png.
 */

let people: People;
const hosts = consoleHostsPerTest({ stopShared: () => people?.stop() });

async function cli(ws: Workspace, args: string[], socket: string): Promise<string> {
  const r = await ws.cli(args, { env: { ...ws.env, SSH_AUTH_SOCK: socket } });
  if (r.code !== 0) throw new Error(`breakglass ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function open(repo: string, env: NodeJS.ProcessEnv, hash: string, observer = false): Promise<Page> {
  const host = await launchConsole({ repo, env, observer });
  hosts.push(host);
  const { page } = host;
  await page.locator('main[aria-busy="false"]').waitFor();
  await page.goto(`${host.url}#${hash}`);
  return page;
}

describe('the acknowledgement on both consoles (issue 16)', () => {
  it('operator reads the code, the commander acknowledges it on their console, the operator records the response; the board shows who awaits', async () => {
    const ws = await workspace();
    people = await startPeople(ws.dir);
    const ada = people.ada.agent.socket;
    await cli(ws, ['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com'], ada);
    await cli(ws, ['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer,commander', '--public-key', people.grace.key.line], ada);
    const d = JSON.parse(await cli(ws, ['--json', 'declare', '--file', jsonFile(ws.dir, 'd1.json', declaration({ incidentId: 'INC-4711' }))], ada)) as { sessionId: string; acknowledgement: { challenge: string } };
    await cli(ws, ['declare', '--file', jsonFile(ws.dir, 'd2.json', declaration({ incidentId: 'INC-4712', environment: 'pre-production' }))], ada);
    const code = d.acknowledgement.challenge;

    // Home, beside the countdown: the code to read aloud, and when the acknowledgement is due.
    const opEnv0 = { ...ws.env, SSH_AUTH_SOCK: ada };
    const home = await open(ws.repo, opEnv0, '/');
    const notice = home.getByTestId('ack-notice').first();
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.innerText()).toContain("Awaiting the incident commander's acknowledgement.");
    expect(await home.getByTestId('ack-notice').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining(code)]));
    await screenshot(home, 'ack-countdown');

    // The operator's session page: the code to read aloud, and the field for the response.
    const opEnv = { ...ws.env, SSH_AUTH_SOCK: ada };
    const op = await open(ws.repo, opEnv, `/sessions/${d.sessionId}`);
    const section = op.getByRole('region', { name: "Incident commander's acknowledgement" });
    await section.waitFor();
    expect(await section.getByTestId('ack-declared').innerText()).toContain(code);
    expect(await section.getByTestId('ack-declared').innerText()).toContain('Not acknowledged');
    await screenshot(op, 'ack-operator-code');

    // The commander's console: its own clone, its own host, Grace's agent, observer mode. The two
    // consoles never talk: the code goes over as a string.
    const cmdRepo = path.join(ws.dir, 'commander.git');
    gitx(ws.dir, ['clone', '--quiet', '--bare', ws.repo, cmdRepo]);
    // Offline: no remote to push the commander's record to (the console would push after each write).
    gitx(cmdRepo, ['remote', 'remove', 'origin']);
    const cmdEnv = { ...cliEnv(path.join(ws.dir, 'commander-data'), { BREAKGLASS_HOST_ID: 'commander-host' }), SSH_AUTH_SOCK: people.grace.agent.socket };
    expect((await runCli(['--repo', cmdRepo, 'status'], { env: cmdEnv })).code).toBe(3);
    const cmd = await open(cmdRepo, cmdEnv, '/board', true);
    await cmd.getByRole('heading', { name: 'Acknowledge a declaration' }).waitFor();
    await cmd.getByLabel('Code read to you').fill(code.toLowerCase().replace('-', ' '));
    await cmd.getByRole('button', { name: 'Acknowledge and sign' }).click();
    const answer = cmd.getByTestId('ack-response');
    await answer.waitFor({ timeout: 30_000 });
    const response = /([0-9A-Z]{5}-[0-9A-Z]{5})\s*$/.exec(await answer.innerText())![1]!;
    expect(await answer.innerText()).toContain(`Acknowledged the declaration ${code} as Grace Hopper`);
    expect(await seriousAxeViolations(cmd)).toEqual([]);
    await screenshot(cmd, 'ack-commander');

    // Back on the operator's page: the response typed as heard.
    await section.getByLabel("Commander's response code").fill(response);
    await section.getByRole('button', { name: 'Record response' }).click();
    await section.getByText('Provisional', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await section.getByTestId('ack-declared').innerText()).toContain("the commander's signed acknowledgement is not in this history yet");
    expect(await seriousAxeViolations(op)).toEqual([]);
    await screenshot(op, 'ack-operator-provisional');

    // The operator's board: INC-4712 awaits acknowledgement, INC-4711 is provisional.
    const board = await open(ws.repo, opEnv, '/board');
    const banner = board.getByTestId('board-awaiting-ack');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.innerText()).toContain('1 session awaits');
    const rows = board.getByTestId('board-scroll').locator('[role="row"][data-session]');
    await rows.first().waitFor();
    const row = (incident: string) => rows.filter({ has: board.getByRole('link', { name: incident, exact: true }) });
    expect(await row('INC-4712').locator('[data-ackmark="awaiting"]').textContent()).toContain('awaiting acknowledgement');
    expect(await row('INC-4711').locator('[data-ackmark="provisional"]').textContent()).toContain('acknowledgement provisional');
    await screenshot(board, 'board-awaiting-ack');
  }, 180_000);
});
