import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../app/contract';
import { assertRendererBuilt, launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { git } from '../support/cli';
import { freePort, portAccepts } from '../support/gitDaemon';
import { assertCliBuilt } from '../support/lifecycleKit';
import { waitFor } from '../support/waitFor';
import { removeWorkspaces, workspace, type Workspace } from '../support/workspace';

/**
 * The settings view (issue 6) in Debian's Chromium through the browser test host: "Test
 * connection" against real remotes (a port nothing listens on, an empty folder, a read-only
 * `git daemon`, a writable bare repository), saving a remote, and the console's own settings.
 */

const hosts: ConsoleHost[] = [];
const daemons: ChildProcess[] = [];

async function launch(ws: Workspace): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env });
  hosts.push(host);
  await host.page.locator('main[aria-busy="false"]').waitFor();
  await host.page.goto(`${host.url}#/settings`);
  await host.page.getByRole('heading', { level: 2, name: 'Settings' }).waitFor();
  return host;
}

/**
 * A `git daemon` on 127.0.0.1 serving `baseDir` read-only: upload-pack (fetch) only, no
 * `--enable=receive-pack`, so a push is refused. test/support/gitDaemon.ts always enables pushing.
 */
async function readOnlyDaemon(baseDir: string): Promise<number> {
  const port = await freePort();
  const child = spawn('git', ['daemon', '--reuseaddr', `--base-path=${baseDir}`, '--export-all', '--listen=127.0.0.1', `--port=${port}`, baseDir], { stdio: 'ignore', detached: true });
  daemons.push(child);
  await waitFor(`git daemon on ${port}`, () => portAccepts(port), { timeoutMs: 10_000 });
  return port;
}

/** A bare repository holding the evidence repository's history (what a shared remote looks like). */
function bareCopy(ws: Workspace, at: string): string {
  git(path.dirname(at), ['clone', '--quiet', '--bare', ws.repo, at]);
  return at;
}

function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}

const pushRegion = (host: ConsoleHost) => host.page.getByRole('region', { name: /^Evidence push:/ });

/** Types `url`, presses "Test connection" and returns the result box once it names this URL. */
async function testConnection(host: ConsoleHost, url: string) {
  const { page } = host;
  await page.getByLabel('Remote URL').fill(url);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByTestId('remote-test-result').filter({ hasText: `Tested ${url.replace(/:[^/@:]*@/, ':•••@')} at` });
  await result.waitFor({ timeout: 20_000 });
  return { stage: await result.getAttribute('data-stage'), text: (await result.textContent()) ?? '', title: (await result.locator('.st-test-title').textContent()) ?? '' };
}

beforeAll(() => {
  assertCliBuilt();
  assertRendererBuilt();
});

afterEach(async () => {
  for (const h of hosts.splice(0)) {
    // Let a push the saved remote started finish before its repository is removed: the outbox
    // writes its status file at the end of an attempt, and closing does not wait for it.
    await h.backend.ctx.outbox.syncOnce().catch(() => {});
    await h.close();
  }
  for (const d of daemons.splice(0)) {
    try {
      if (d.pid !== undefined) process.kill(-d.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  removeWorkspaces();
});

describe('settings: the shared remote', () => {
  it('"Test connection" names what failed without changing anything; "Save remote" sets it and the header follows', async () => {
    const ws = await workspace();
    const remotes = path.join(ws.dir, 'remotes');
    mkdirSync(remotes);
    const shared = bareCopy(ws, path.join(remotes, 'shared.git'));
    const empty = path.join(ws.dir, 'empty');
    mkdirSync(empty);
    const good = path.join(ws.dir, 'good.git');
    git(ws.dir, ['init', '--quiet', '--bare', good]);
    const deadPort = await freePort();
    const readOnlyPort = await readOnlyDaemon(remotes);

    const host = await launch(ws);
    const { page } = host;
    await expect.poll(() => pushRegion(host).textContent()).toContain('Local only');
    await expect.poll(() => page.getByTestId('current-remote').textContent()).toContain('No remote: local only.');
    expect(await page.getByLabel('Remote branch').inputValue()).toBe('main');
    expect(await page.getByText('Credentials stay with git’s credential helper and your ssh agent; the console never stores a password or key.').isVisible()).toBe(true);
    const remotesBefore = git(ws.repo, ['remote', '-v']);
    const configBefore = git(ws.repo, ['config', '--list', '--local']);

    // (a) Nothing listens on the port.
    const unreachable = await testConnection(host, `git://127.0.0.1:${deadPort}/evidence.git`);
    expect(unreachable.stage).toBe('unreachable');
    expect(unreachable.title).toBe('Unreachable: the connection test failed.');
    expect(unreachable.text).toMatch(/Connection refused/i);
    expect(unreachable.text).toContain('check the host name, port and path, the network or VPN');

    // (b) A folder that is not a repository.
    const notRepo = await testConnection(host, empty);
    expect(notRepo.stage).toBe('not-a-repository');
    expect(notRepo.title).toBe('Not a repository: the connection test failed.');
    expect(notRepo.text).toContain('does not appear to be a git repository');

    // (c) A remote that can be read but not written.
    const readOnly = await testConnection(host, `git://127.0.0.1:${readOnlyPort}/shared.git`);
    expect(readOnly.stage).toBe('no-write-access');
    expect(readOnly.title).toBe('No write access: the connection test failed.');
    expect(readOnly.text).toContain('Readable, but a push would be refused');
    expect(readOnly.text).toContain('ask for write access');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'settings-remote-test');

    // (d) A writable bare repository.
    const ok = await testConnection(host, good);
    expect(ok.stage).toBe('reachable');
    expect(ok.title).toBe('Reachable');
    expect(ok.text).toContain('Reachable and writable.');
    expect(ok.text).toContain('Nothing was changed by the test.');

    // Testing changed nothing: no remote, no config, nothing pushed anywhere, the header as it was.
    expect(git(ws.repo, ['remote', '-v'])).toBe(remotesBefore);
    expect(git(ws.repo, ['config', '--list', '--local'])).toBe(configBefore);
    expect(git(good, ['for-each-ref'])).toBe('');
    expect(git(shared, ['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
    expect(await pushRegion(host).textContent()).toContain('Local only');

    // Save: the remote is set, the evidence is pushed, and the header's push indicator says so.
    await page.getByRole('button', { name: 'Save remote' }).click();
    await page.getByText(/^Saved: evidence is pushed to/).waitFor();
    expect(git(ws.repo, ['remote', 'get-url', 'origin'])).toBe(good);
    await expect.poll(() => pushRegion(host).textContent(), { timeout: 15_000 }).toContain('Synced');
    // The header says "Synced" as soon as no record is pending (a new repository has none); the
    // background push of its first commits lands just after.
    const remoteHead = () => {
      try {
        return git(good, ['rev-parse', 'refs/heads/main']);
      } catch {
        return null;
      }
    };
    await expect.poll(remoteHead, { timeout: 15_000 }).toBe(git(ws.repo, ['rev-parse', 'refs/heads/main']));
    expect(await page.getByTestId('current-remote').textContent()).toContain(`Evidence is pushed to ${good}, branch main`);
    expectCleanConsole(host);
  });

  it('refuses a URL with a password and keeps what was typed; names a bad branch by its field', async () => {
    const ws = await workspace();
    const host = await launch(ws);
    const { page } = host;
    const url = page.getByLabel('Remote URL');
    const withPassword = 'https://ada:hunter2@git.example.com/sec/evidence.git';

    const tested = await testConnection(host, withPassword);
    expect(tested.stage).toBe('invalid-url');
    expect(tested.title).toBe('Invalid URL: the connection test failed.');
    expect(tested.text).toContain('The URL contains a password');
    // The password is not repeated on screen.
    expect(tested.text).not.toContain('hunter2');

    await page.getByRole('button', { name: 'Save remote' }).click();
    const error = page.locator('#st-remote-url-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('The URL contains a password. Leave credentials to git\'s credential helper or the ssh agent, and give the URL without them.');
    expect(await url.inputValue()).toBe(withPassword);
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    expect(await url.getAttribute('aria-describedby')).toContain('st-remote-url-error');
    expect(git(ws.repo, ['remote', '-v'])).toBe('');
    expect(git(ws.repo, ['config', '--list', '--local'])).not.toContain('hunter2');

    // A branch name git would refuse is named by the branch field, and the URL's text stays.
    await url.fill('git@git.example.com:sec/evidence.git');
    await page.getByLabel('Remote branch').fill('bad..branch');
    await page.getByRole('button', { name: 'Save remote' }).click();
    const branchError = page.locator('#st-remote-branch-error');
    await branchError.waitFor();
    expect(await branchError.textContent()).toContain('A branch name');
    expect(await page.locator('#st-remote-url-error').count()).toBe(0);
    expect(await url.inputValue()).toBe('git@git.example.com:sec/evidence.git');
    expect(await page.getByLabel('Remote branch').inputValue()).toBe('bad..branch');
    expect(git(ws.repo, ['remote', '-v'])).toBe('');
    expectCleanConsole(host);
  });
});

describe('settings: this console', () => {
  it('validates and saves the fetch interval, the governed-shell terminal and observer mode', async () => {
    const ws = await workspace();
    const host = await launch(ws);
    const { page } = host;
    const settings = async () => {
      const r = await host.backend.dispatch('settings.get', {});
      if (!r.ok) throw new Error(r.error.message);
      return r.value as Settings;
    };

    const interval = page.getByLabel(/Fetch other hosts’ records every/);
    expect(await interval.inputValue()).toBe('30');
    const saveInterval = page.getByRole('button', { name: 'Save interval' });
    await interval.fill('soon');
    await saveInterval.click();
    expect(await page.locator('#st-fetch-error').textContent()).toBe('Give a whole number of seconds, like 30.');
    await interval.fill('2');
    await saveInterval.click();
    await expect.poll(() => page.locator('#st-fetch-error').textContent()).toBe('Fetch at most every 5 seconds.');
    expect(await interval.inputValue()).toBe('2');
    expect((await settings()).fetchIntervalSeconds).toBe(30);
    await interval.fill('60');
    await saveInterval.click();
    await page.getByText('Saved: fetching every 60 seconds from the next scheduled fetch.').waitFor();
    expect(await page.locator('#st-fetch-error').count()).toBe(0);
    expect((await settings()).fetchIntervalSeconds).toBe(60);

    await page.getByLabel('Terminal command, one argument per line').fill('xterm\n-e\n\nbash');
    await page.getByRole('button', { name: 'Save terminal' }).click();
    await page.getByText('Saved: the governed shell opens with xterm.').waitFor();
    expect((await settings()).terminal).toEqual(['xterm', '-e', 'bash']);

    const observer = page.getByLabel('Start this console as a read-only observer');
    expect(await observer.isChecked()).toBe(false);
    await observer.check();
    await page.getByText('Saved: the console starts as an observer at the next start.').waitFor();
    expect((await settings()).observer).toBe(true);
    // It takes effect at the next start: this console still has full access.
    expect(await page.getByText('Observer (read-only)').count()).toBe(0);

    expect(await seriousAxeViolations(page)).toEqual([]);
    expectCleanConsole(host);
  });
});
