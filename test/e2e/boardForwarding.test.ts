import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardDestinationStatus } from '../../app/forwarding/status';
import { ConsoleBackend } from '../../main/console/backend';
import { assertRendererBuilt, launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { cleanup, cliEnv, declaration, git, jsonFile, runCli, tempDir } from '../support/cli';
import { createEvidenceRepo } from '../support/evidenceRepo';
import { startWebhookReceiver, type WebhookReceiver } from '../support/httpsReceivers';
import { assertCliBuilt } from '../support/lifecycleKit';
import { makeTestCa, type TestCa } from '../support/testCa';
import { waitFor } from '../support/waitFor';

/**
 * The commander's board shows each host whose forwarding is behind (issue 19), in Debian's
 * Chromium through the browser test host, with a signed HTTPS webhook on 127.0.0.1 that answers
 * 503 and a bare shared remote: this host's own forwarding is behind (live, from its forwarder),
 * and another host (its own clone and console) recorded in its journal that its forwarding is
 * behind, which this console fetched. The board names both, says which is live and which is that
 * host's claim, and flags both hosts' rows.
 */

const SECRET = 'whsec-e2e-board-forwarding';
let dir: string;
let ca: TestCa;
let webhook: WebhookReceiver;
const hosts: ConsoleHost[] = [];

beforeAll(async () => {
  assertCliBuilt();
  assertRendererBuilt();
  dir = tempDir('bg-e2e-board-fwd-');
  ca = makeTestCa(path.join(dir, 'ca'));
  webhook = await startWebhookReceiver(ca, SECRET);
});

afterAll(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  await webhook?.stop();
  cleanup(dir);
});

describe('the board and forwarding (issue 19)', () => {
  it('shows this host\'s forwarding behind (live) and another host\'s (as it recorded it), and flags their rows', async () => {
    // The organisation's remote, whose policy forwards to the webhook; each host is a clone of it.
    const shared = path.join(dir, 'org.git');
    await createEvidenceRepo(shared, path.join(dir, 'data-org'), {
      forwarding: { checkpointMinutes: 60, destinations: [{ id: 'alerts', kind: 'webhook', url: `${webhook.url}/hook`, secret: { env: 'BG_E2E_SECRET' }, caFile: ca.caCert, timeoutSeconds: 2 }] },
    });
    webhook.answer(503);
    const mineRepo = path.join(dir, 'test-host.git');
    git(dir, ['clone', '--quiet', '--bare', shared, mineRepo]);
    const mineEnv = cliEnv(path.join(dir, 'data-a'), { BG_E2E_SECRET: SECRET });
    const cli = (args: string[]) => runCli(['--repo', mineRepo, ...args], { env: mineEnv });
    expect((await cli(['remote', 'set', shared])).code).toBe(0);
    expect((await cli(['declare', '--file', jsonFile(dir, 'a.json', declaration({ incidentId: 'INC-61001' }))])).code).toBe(0);
    expect((await cli(['push'])).code).toBe(0);

    // Another host: its own clone and console, whose forwarding fails long enough to be recorded.
    const other = path.join(dir, 'host-b.git');
    git(dir, ['clone', '--quiet', '--bare', shared, other]);
    const otherEnv = cliEnv(path.join(dir, 'data-b'), { BREAKGLASS_HOST_ID: 'host-b', BREAKGLASS_HOST_NAME: 'admin-b.example.net', BG_E2E_SECRET: SECRET });
    expect((await runCli(['--repo', other, 'remote', 'set', shared], { env: otherEnv })).code).toBe(0);
    const b = await ConsoleBackend.create({ repo: other, env: otherEnv, forwardingLag: { behindAfterMs: 500, checkEveryMs: 200 } });
    try {
      await b.start();
      const declared = await b.dispatch('session.declare', { declaration: declaration({ incidentId: 'INC-61002' }) });
      expect(declared.ok ? null : declared.error.message).toBeNull();
      await waitFor('host-b records its forwarding behind', async () => {
        const log = await runCli(['--repo', other, '--json', 'log', '--session', 'journal-host-b'], { env: otherEnv });
        return log.code === 0 && log.stdout.includes('"forwarding-state"') ? true : null;
      }, { timeoutMs: 15_000 });
      expect((await runCli(['--repo', other, 'push'], { env: otherEnv })).code).toBe(0);
    } finally {
      b.stop();
    }

    const host = await launchConsole({ repo: mineRepo, env: mineEnv });
    hosts.push(host);
    const { page } = host;
    await waitFor('this host failing', async () => {
      const s = await host.backend.dispatch('forward.status', {});
      return s.ok && (s.value as ForwardDestinationStatus[])[0]?.failing ? true : null;
    }, { timeoutMs: 15_000 });
    await page.locator('main[aria-busy="false"]').waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/board';
    });
    await page.getByRole('heading', { name: 'Sessions board' }).waitFor();
    const panel = page.getByTestId('board-forwarding');
    // The board fetches when it opens: host-b's record arrives with that fetch.
    await expect.poll(() => panel.textContent(), { timeout: 20_000 }).toContain('Forwarding behind on 2 hosts');
    const mine = (await page.getByTestId('forwarding-test-host').textContent()) ?? '';
    expect(mine).toMatch(/^.+ \(this host\): alerts failing since \d{1,2}:\d{2}.* \(error answer\), 1 record pending, nothing delivered yet\. Live, from this host's forwarder\.$/);
    const theirs = (await page.getByTestId('forwarding-host-b').textContent()) ?? '';
    expect(theirs).toMatch(/^admin-b\.example\.net: alerts failing since .* \(error answer\), \d+ records? pending, nothing delivered yet\. As admin-b\.example\.net recorded it .*: its own claim, as of the last fetch\.$/);
    expect(await panel.textContent()).toContain('a host not named here has recorded neither');
    expect(await panel.textContent()).not.toContain(SECRET);

    // Both hosts' rows say so.
    const rowOf = (incident: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: incident }) });
    await expect.poll(() => rowOf('INC-61002').textContent(), { timeout: 10_000 }).toContain('SIEM behind');
    expect(await rowOf('INC-61001').textContent()).toContain('SIEM behind');
    expect(await rowOf('INC-61001').getByRole('cell').nth(5).getAttribute('title')).toContain('forwarding to the SIEM is behind');

    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.evaluate('window.scrollTo(0, 0)');
    const file = await screenshot(page, 'board-forwarding-behind');
    expect(file).toMatch(/board-forwarding-behind\.png$/);

    // The receiver answers again: this host's line leaves the warning, live (forward.changed), without a reload.
    webhook.answer(null);
    await expect.poll(() => panel.textContent(), { timeout: 20_000 }).toContain('Forwarding behind on 1 host');
    expect(await rowOf('INC-61001').textContent()).not.toContain('SIEM behind');
    expect(await rowOf('INC-61002').textContent()).toContain('SIEM behind');
    expect(await panel.textContent()).toMatch(/\(this host\): every destination delivered or delivering \(live\)\./);
  });
});
