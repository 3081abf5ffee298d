import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { declaration, jsonFile } from '../support/cli';
import { setForwarding } from '../support/forwardHarness';
import type { WebhookReceiver } from '../support/httpsReceivers';
import { receiverDestinations, startForwardReceivers, type ForwardReceivers } from '../support/forwardReceivers';
import { assertCliBuilt } from '../support/lifecycleKit';
import type { Rsyslog } from '../support/rsyslog';
import { removeWorkspaces, workspace, type Workspace } from '../support/workspace';

/**
 * Forwarding in the console (issue 19) in Debian's Chromium through the browser test host, with
 * Debian's rsyslogd over TLS and a signed HTTPS webhook on 127.0.0.1: the header says forwarded,
 * then failing since T with the reason and what is queued while the webhook is down, then
 * forwarded again; Settings lists each destination and "Send test event" says what happened.
 */

const SECRET = 'whsec-e2e-forwarding';
const hosts: ConsoleHost[] = [];
let receivers: ForwardReceivers | undefined;
let syslog: Rsyslog;
let webhook: WebhookReceiver;

async function forwardingWorkspace(): Promise<Workspace> {
  const ws = await workspace({ env: { BG_E2E_SECRET: SECRET } });
  setForwarding(ws.repo, receiverDestinations(receivers!, 'BG_E2E_SECRET', { webhook: { timeoutSeconds: 2 } }));
  return ws;
}

const indicator = (host: ConsoleHost) => host.page.getByTestId('forward-indicator');

beforeAll(async () => {
  assertCliBuilt();
  assertRendererBuilt();
  receivers = await startForwardReceivers('bg-e2e-forwarding-', SECRET);
  ({ syslog, webhook } = receivers);
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  removeWorkspaces();
});

afterAll(() => receivers?.stop());

describe('forwarding in the header and Settings (issue 19)', () => {
  it('the header says forwarded, then failing since T with the reason and N queued, then forwarded again; Settings tests each destination', async () => {
    const ws = await forwardingWorkspace();
    expect((await ws.cli(['declare', '--file', jsonFile(ws.dir, 'd.json', declaration())])).code).toBe(0);
    const host = await launchConsole({ repo: ws.repo, env: ws.env });
    hosts.push(host);
    const { page } = host;
    await page.locator('main[aria-busy="false"]').waitFor();
    await expect.poll(() => indicator(host).textContent(), { timeout: 15_000 }).toMatch(/^Forwarded.*Every record reached 2 destinations · last delivery/);

    await webhook.stop();
    try {
      // A record another process writes while the webhook is down: the console polls the ledger and tries it.
      expect((await ws.cli(['note', 'while the webhook is down'])).code).toBe(0);
      await expect.poll(() => indicator(host).textContent(), { timeout: 20_000 }).toMatch(/^Forwarding failing/);
      const text = (await indicator(host).textContent()) ?? '';
      expect(text).toMatch(/alerts since \d{1,2}:\d{2}/);
      expect(text).toContain('1 record queued, safe in the evidence');
      expect(text).toMatch(/Reason: Cannot reach the webhook https:\/\/127\.0\.0\.1:\d+\/hook/);
      expect(text).not.toContain(SECRET);

      await page.getByRole('link', { name: 'Settings' }).click();
      const siem = page.getByTestId('forward-destination-siem');
      const alerts = page.getByTestId('forward-destination-alerts');
      await expect.poll(() => siem.textContent(), { timeout: 20_000 }).toMatch(/siem · Syslog over TLS · tls:\/\/127\.0\.0\.1:\d+Delivered up to record 2 .*Nothing queued\./);
      await expect.poll(() => alerts.textContent(), { timeout: 20_000 }).toMatch(/Delivered up to record 1 .*1 record queued\..*Failing since .*Cannot reach the webhook/);

      await siem.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => page.getByTestId('forward-test-siem').textContent(), { timeout: 15_000 }).toMatch(/^Test event delivered in \d+ ms\..*Nothing else was changed by the test\./);
      await alerts.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => page.getByTestId('forward-test-alerts').textContent(), { timeout: 15_000 }).toMatch(/^Test event failed \(unreachable\)\.Cannot reach the webhook/);
      expect(syslog.events().filter((e) => e.metadata.event_code === 'test')).toHaveLength(1);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, 'settings-forwarding');
    } finally {
      await webhook.restart();
    }
    await expect.poll(() => indicator(host).textContent(), { timeout: 90_000 }).toMatch(/^Forwarded/);
    await expect.poll(() => page.getByTestId('forward-destination-alerts').textContent(), { timeout: 20_000 }).toMatch(/Delivered up to record 2 .*Nothing queued\./);
    expect(host.cspViolations()).toEqual([]);
    expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
  });
});
