import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchConsole } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { cliEnv, declaration, jsonFile, runCli } from '../support/cli';
import { gitx } from '../support/lifecycleKit';
import { startPeople, type People } from '../support/signingKit';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { workspace } from '../support/workspace';

/**
 * Issue 16, witnesses on the session page, in Chromium through the browser test host: Ada's
 * session is pushed to a bare remote; Grace, on her own clone, signs what she saw with
 * `breakglass witness`; Ada's session page names her and says the history still holds it. Ada
 * then rewrites her history (and moves the tracking ref): the page says the history no longer
 * holds what Grace saw. Screenshots: test-artifacts/screenshots/witnesses-session.png,
 * witnesses-rewritten.png.
 */

let people: People;
const hosts = consoleHostsPerTest({ stopShared: () => people?.stop() });

describe('witnesses on the session page (issue 16)', () => {
  it("names who saw the session's host history, and says when it no longer holds what they saw", async () => {
    const ws = await workspace();
    people = await startPeople(ws.dir);
    const env = { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket };
    const cli = async (args: string[]) => {
      const r = await ws.cli(args, { env });
      if (r.code !== 0) throw new Error(`breakglass ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com']);
    await cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'commander', '--public-key', people.grace.key.line]);
    const remote = path.join(ws.dir, 'remote.git');
    gitx(ws.dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    await cli(['remote', 'set', remote]);
    const d = JSON.parse(await cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'd.json', declaration({ incidentId: 'INC-4801' }))])) as { sessionId: string };
    await cli(['note', 'Failed over the primary database.']);
    await cli(['push']);
    const seen = gitx(ws.repo, ['rev-parse', 'refs/heads/hosts/test-host']).trim();

    const graceRepo = path.join(ws.dir, 'grace.git');
    gitx(ws.dir, ['clone', '--quiet', '--bare', remote, graceRepo]);
    const graceEnv = { ...cliEnv(path.join(ws.dir, 'grace-data'), { BREAKGLASS_HOST_ID: 'commander-host' }), SSH_AUTH_SOCK: people.grace.agent.socket };
    const w = await runCli(['--repo', graceRepo, 'witness'], { env: graceEnv });
    expect(w.code, w.stderr).toBe(0);
    await cli(['push']); // brings Grace's statement

    const host = await launchConsole({ repo: ws.repo, env });
    hosts.push(host);
    const { page } = host;
    await page.locator('main[aria-busy="false"]').waitFor();
    await page.goto(`${host.url}#/sessions/${d.sessionId}`);
    const section = page.getByRole('region', { name: /Witnesses of .*'s history/ });
    await section.waitFor({ timeout: 30_000 });
    const item = section.getByTestId('witnesses').locator('li');
    expect(await item.count()).toBe(1);
    expect(await item.innerText()).toContain(`Grace Hopper (host commander-host) saw commit ${seen.slice(0, 12)} with 2 records`);
    expect(await item.innerText()).toContain('the history still contains it.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'witnesses-session');

    // The rewrite: the note dropped, the tracking ref moved to match. The page is read again.
    gitx(ws.repo, ['update-ref', 'refs/heads/hosts/test-host', `${seen}^`]);
    gitx(ws.repo, ['update-ref', 'refs/remotes/origin/hosts/test-host', `${seen}^`]);
    await page.reload();
    await page.locator('main[aria-busy="false"]').waitFor();
    const after = page.getByRole('region', { name: /Witnesses of .*'s history/ }).getByTestId('witnesses').locator('li');
    await after.getByText('NO LONGER contains it', { exact: false }).waitFor({ timeout: 30_000 });
    expect(await after.innerText()).toContain('it was rewritten after it was witnessed');
    await screenshot(page, 'witnesses-rewritten');
  }, 180_000);
});
