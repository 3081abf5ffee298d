import { describe, expect, it } from 'vitest';
import type { Committed } from '../../app/contract';
import type { EvidenceRecord } from '../../app/records';
import { launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot } from '../browser/inPage';
import { declaration } from '../support/cli';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { waitFor } from '../support/waitFor';
import { workspace } from '../support/workspace';

/**
 * The console's terminal tab (issue 17) in Debian's Chromium through the browser host: a real
 * governed bash in main (PTY, PID namespace, recorded), its screen drawn by @xterm/xterm in the
 * page, the countdown beside it. Typing goes through the contract; the output comes back as events.
 */

const hosts = consoleHostsPerTest();


async function records(host: ConsoleHost, sessionId: string): Promise<EvidenceRecord[]> {
  const view = await host.backend.ctx.service.read();
  return (view.sessions.get(sessionId) ?? []).map((e) => e.record);
}

describe.skipIf(process.platform !== 'linux')('terminal tab', () => {
  it('opens a recorded governed shell beside the countdown: type a command, see its output, end it', async () => {
    const ws = await workspace();
    const host = await launchConsole({ repo: ws.repo, env: { ...ws.env, SHELL: '/bin/bash' }, viewport: { width: 1400, height: 900 } });
    hosts.push(host);
    const { page } = host;
    await page.locator('main[aria-busy="false"]').waitFor();
    const r = await host.backend.dispatch('session.declare', { declaration: declaration() });
    if (!r.ok) throw new Error(r.error.message);
    const sessionId = (r.value as Committed).record.sessionId;
    await page.getByRole('timer').waitFor();

    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('button', { name: 'Open governed shell' }).click();
    const screen = page.locator('.sv-terminal-screen .xterm-rows');
    await screen.waitFor();
    await waitFor('a prompt', async () => ((await screen.textContent()) ?? '').trim().length > 0, { timeoutMs: 20_000 });
    await page.locator('.sv-terminal-screen .xterm-helper-textarea').focus();
    await page.keyboard.type('echo "from the tab $((6 * 7))"');
    await page.keyboard.press('Enter');
    await waitFor('the output', async () => ((await screen.textContent()) ?? '').includes('from the tab 42'), { timeoutMs: 20_000 });
    // The shell has the tab's size, not a fixed 100×24, and follows the window when it narrows.
    const sttySize = async (tag: string) => {
      await page.keyboard.type(`echo ${tag}=$(stty size | tr ' ' x)`);
      await page.keyboard.press('Enter');
      const found = await waitFor(`the size ${tag}`, async () => new RegExp(`${tag}=(\\d+)x(\\d+)`).exec((await screen.textContent()) ?? ''), { timeoutMs: 20_000 });
      return { rows: Number(found[1]), cols: Number(found[2]) };
    };
    const wide = await sttySize('wide');
    expect(wide.cols).toBeGreaterThan(100);
    expect(wide.rows).toBeGreaterThanOrEqual(5);
    await page.setViewportSize({ width: 1000, height: 900 });
    await waitFor('the narrower size', async () => {
      const narrow = await sttySize(`narrow${Date.now() % 100_000}`);
      return narrow.cols < wide.cols ? narrow : null;
    }, { timeoutMs: 20_000 });
    await page.keyboard.type('clear');
    await page.keyboard.press('Enter');
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.keyboard.type('echo "from the tab $((6 * 7))"');
    await page.keyboard.press('Enter');
    // The countdown stays beside the terminal.
    expect(await page.getByRole('timer').isVisible()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Terminal' }).getAttribute('aria-selected')).toBe('true');
    await screenshot(page, 'terminal-tab');
    expect(host.cspViolations().map((v) => v.text)).toEqual([]);

    const started = (await records(host, sessionId)).find((x) => x.type === 'recording-started');
    expect(started?.payload).toMatchObject({ via: 'console', containment: { kind: 'pid-namespace' } });

    await page.getByRole('button', { name: 'End shell' }).click();
    await page.getByRole('status').filter({ hasText: 'The shell ended' }).waitFor({ timeout: 20_000 });
    const all = await records(host, sessionId);
    const ended = all.find((x) => x.type === 'recording-ended');
    expect(ended?.payload).toMatchObject({ how: 'close' });
    const text = all.filter((x) => x.type === 'recording-chunk').map((x) => (x.payload as { text: string }).text).join('');
    expect(text).toContain('from the tab 42');
  });
});
