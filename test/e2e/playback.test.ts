import { describe, expect, it } from 'vitest';
import type { Committed } from '../../app/contract';
import { launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot, seriousAxeViolations, tabTo, withRealTimers } from '../browser/inPage';
import { declaration } from '../support/cli';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { waitFor } from '../support/waitFor';
import { workspace } from '../support/workspace';

/**
 * Playback of a governed shell (issue 17, "Playback") in Debian's Chromium through the browser
 * host: a real bash recorded through the console's terminal tab (PTY, PID namespace, chunks
 * committed to git, OSC 133 command index), then played on the session page and the review form by
 * @xterm/xterm. Playback timing runs on the page's clock, frozen and moved by the test.
 */

const hosts = consoleHostsPerTest();


const FIRST = 'echo "first $((6 * 7))"; sleep 2';
const SECOND = 'echo "second $((7 * 8))"; sleep 2';
const FAILING = 'sh -c "exit 3"';

/** Records a bash session through the console's terminal tab: three commands, then "End shell". */
async function recordShell(host: ConsoleHost): Promise<string> {
  const { page } = host;
  const r = await host.backend.dispatch('session.declare', { declaration: declaration() });
  if (!r.ok) throw new Error(r.error.message);
  const sessionId = (r.value as Committed).record.sessionId;
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.getByRole('button', { name: 'Open governed shell' }).click();
  const live = page.locator('.sv-terminal-screen .xterm-rows');
  const text = async () => ((await live.textContent()) ?? '').trim();
  // The operator's own prompt, whatever their dotfiles make it: counted to know a command finished.
  await waitFor('the first prompt', async () => (await text()).length > 0, { timeoutMs: 20_000 });
  const prompt = await text();
  const prompts = async () => (await text()).split(prompt).length - 1;
  await page.locator('.sv-terminal-screen .xterm-helper-textarea').focus();
  for (const [i, line] of [FIRST, SECOND, FAILING].entries()) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    await waitFor(`the prompt after command ${i + 1}`, async () => (await prompts()) >= i + 2, { timeoutMs: 20_000 });
  }
  await page.getByRole('button', { name: 'End shell' }).click();
  await page.getByRole('status').filter({ hasText: 'The shell ended' }).waitFor({ timeout: 20_000 });
  return sessionId;
}

/** The player's screen and controls on the current page. */
function player(host: ConsoleHost) {
  const { page } = host;
  const screen = page.locator('.rp-screen .xterm-rows');
  const shown = async () => (await screen.textContent()) ?? '';
  const position = async () => Number(await page.getByRole('slider', { name: 'Position' }).inputValue());
  /** Runs the page's clock on (every timer on the way) in small steps until `test` holds. */
  const advanceUntil = async (what: string, test: () => Promise<boolean>, stepMs = 100, maxMs = 60_000) => {
    for (let t = 0; t <= maxMs; t += stepMs) {
      if (await test()) return;
      await host.advance(stepMs, 'run');
    }
    throw new Error(`${what}: not after ${maxMs} ms of page time`);
  };
  return { screen, shown, position, advanceUntil };
}

describe.skipIf(process.platform !== 'linux')('recording playback', () => {
  it('plays a recorded shell on the session page: play, pause, speed, seek by command, search; and on the review form', async () => {
    const ws = await workspace();
    const host = await launchConsole({ repo: ws.repo, env: { ...ws.env, SHELL: '/bin/bash' }, clockStart: Date.now(),
      // The product's stream redactor holds output back until an interval of silence; a short one
      // releases each command's output at the time it was shown (see the final report: with the
      // default 10 s a burst of commands is stamped with the time it was released).
      shells: { maxChunkMs: 500 },
    });
    hosts.push(host);
    const { page } = host;
    await page.locator('main[aria-busy="false"]').waitFor();
    const sessionId = await recordShell(host);

    // From here on the page's clock moves only when the test moves it.
    await host.pauseAt();
    await page.evaluate(`location.hash = ${JSON.stringify(`#/sessions/${sessionId}`)}`);
    await page.getByRole('heading', { name: 'Shell recordings' }).waitFor();
    const p = player(host);
    await p.screen.waitFor();
    const commands = page.getByRole('region', { name: /Commands \(the shell's own claim\)/ });
    await commands.waitFor();
    // The index: each command with its exit status, as the shell claimed them.
    expect(await commands.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/echo "first \$\(\(6 \* 7\)\)"; sleep 2 exit 0$/),
      expect.stringMatching(/echo "second \$\(\(7 \* 8\)\)"; sleep 2 exit 0$/),
      expect.stringMatching(/sh -c "exit 3" exit 3$/),
    ]);
    await host.advance(200, 'run');
    expect(await p.shown()).not.toContain('first 42');
    expect(await p.position()).toBe(0);

    // Play at 1×: the output appears as the clock moves on, at the recording's pace.
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await p.advanceUntil('"first 42" on the screen', async () => (await p.shown()).includes('first 42'));
    expect(await p.shown()).not.toContain('second 56');
    const before = await p.position();
    await host.advance(1_000, 'run');
    expect(await p.position() - before).toBeCloseTo(1, 1);

    // Pause: the clock moves, the recording does not.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const paused = await p.position();
    await host.advance(3_000, 'run');
    expect(await p.position()).toBe(paused);
    expect(await p.shown()).not.toContain('second 56');

    // 4×: half a second of page time is two seconds of recording.
    await page.getByRole('combobox', { name: 'Speed' }).selectOption('4');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await host.advance(500, 'run');
    expect(await p.position() - paused).toBeCloseTo(2, 1);
    await p.advanceUntil('the end of the recording', async () => (await page.getByRole('button', { name: 'Play', exact: true }).count()) === 1);
    expect(await p.shown()).toContain('second 56');
    await screenshot(page, 'playback-session-page-end');

    // Seek by the index: the screen restarts at the first command (the second's output is gone), then plays on.
    await commands.getByRole('button', { name: /echo "first/ }).click();
    await host.advance(100, 'run');
    expect(await p.shown()).not.toContain('second 56');
    await p.advanceUntil('"first 42" after the seek', async () => (await p.shown()).includes('first 42'));
    expect(await p.shown()).not.toContain('second 56');

    // Search the rendered text: found, and the screen is put where it first appeared.
    await page.getByRole('searchbox', { name: 'Text to find in the recording' }).fill('SECOND 56');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('status').filter({ hasText: '“SECOND 56”: in 1 line of the rendered text; first shown at' }).waitFor();
    await host.advance(100, 'run');
    expect(await p.shown()).toContain('second 56');
    expect(await p.shown()).not.toContain('exit 3');
    expect(await page.getByRole('button', { name: 'Play', exact: true }).count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Text to find in the recording' }).fill('never printed');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('status').filter({ hasText: '“never printed” is not in the recording.' }).waitFor();
    await screenshot(page, 'playback-session-page-search');

    // Every control is reached with Tab and works from the keyboard.
    await page.getByRole('heading', { name: 'Shell recordings' }).click();
    await tabTo(page, page.getByRole('button', { name: 'Play', exact: true }), 60);
    await tabTo(page, page.getByRole('combobox', { name: 'Speed' }));
    await tabTo(page, page.getByRole('slider', { name: 'Position' }));
    await page.keyboard.press('Home');
    await host.advance(100, 'run');
    expect(await p.position()).toBe(0);
    await tabTo(page, page.getByRole('searchbox', { name: 'Text to find in the recording' }));
    await tabTo(page, page.getByRole('button', { name: 'Find' }));
    await tabTo(page, commands.getByRole('button', { name: /sh -c "exit 3"/ }));
    await page.keyboard.press('Enter');
    await p.advanceUntil('the failing command replayed', async () => (await p.shown()).includes('sh -c "exit 3"'));
    expect(await withRealTimers(page, () => seriousAxeViolations(page))).toEqual([]);

    // The review form plays the same recording with the same component.
    await page.evaluate(`location.hash = ${JSON.stringify(`#/reviews/${sessionId}`)}`);
    await page.getByRole('heading', { name: 'Shell recordings' }).waitFor();
    const r = player(host);
    await r.screen.waitFor();
    await page.getByRole('region', { name: /Commands \(the shell's own claim\)/ }).getByRole('button', { name: /echo "second/ }).click();
    await r.advanceUntil('"second 56" on the review form', async () => (await r.shown()).includes('second 56'));
    await screenshot(page, 'playback-review-form');
    expect(await withRealTimers(page, () => seriousAxeViolations(page))).toEqual([]);

    expect(host.cspViolations().map((v) => v.text)).toEqual([]);
    expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
  });
});
