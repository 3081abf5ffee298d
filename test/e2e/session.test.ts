import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Committed, EventPayloads } from '../../app/contract';
import type { EvidenceRecord } from '../../app/records';
import type { StatusSnapshot } from '../../app/views';
import { WriterLock } from '../../main/evidence/writerLock';
import { launchConsole, type ConsoleHost, type LaunchOptions } from '../browser/host';
import { screenshot, seriousAxeViolations, withRealTimers } from '../browser/inPage';
import { declaration, git, runCli } from '../support/cli';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { waitFor } from '../support/waitFor';
import { workspace, type Workspace } from '../support/workspace';

/**
 * The active session view (issue 5) in Debian's Chromium through the browser test host, on real
 * temporary evidence repositories. Time is controlled on both sides: Playwright's clock in the
 * page and the injected clock in the service, moved together by the host (`pauseAt`, `advance`,
 * `jumpWallClock`). Every wait is on a selector or on state, never a fixed sleep.
 */

const hosts = consoleHostsPerTest();
const MIN = 60_000;

async function launch(ws: Workspace, options: Omit<LaunchOptions, 'repo' | 'env'> = {}): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env, ...options });
  hosts.push(host);
  await host.page.locator('main[aria-busy="false"]').waitFor();
  return host;
}

interface Started {
  host: ConsoleHost;
  sessionId: string;
  expiresAt: number;
  /** Every countdown.warning the service sent (what main turns into an OS notification). */
  warnings: Array<EventPayloads['countdown.warning']>;
}

/**
 * Launches the console with both clocks paused at a whole second, declares through the console's
 * own dispatch at that instant, and waits for the countdown.
 */
async function startSession(ws: Workspace, overrides: Record<string, unknown> = {}): Promise<Started> {
  const host = await launch(ws, { clockStart: Date.now() });
  const warnings: Array<EventPayloads['countdown.warning']> = [];
  host.backend.subscribe((event, payload) => {
    if (event === 'countdown.warning') warnings.push(payload as EventPayloads['countdown.warning']);
  });
  await host.pauseAt();
  const r = await host.backend.dispatch('session.declare', { declaration: declaration(overrides) });
  if (!r.ok) throw new Error(`declare failed: ${r.error.message}`);
  const record = (r.value as Committed).record;
  if (record.type !== 'declared') throw new Error('not a declared record');
  await host.page.getByRole('timer').waitFor();
  return { host, sessionId: record.sessionId, expiresAt: Date.parse(record.payload.expiresAt), warnings };
}

/** Moves both clocks so that exactly `ms` is left before the expiry. */
async function leaveRemaining(s: Started, ms: number, how: 'fast-forward' | 'run' = 'fast-forward'): Promise<void> {
  const delta = s.expiresAt - ms - s.host.now();
  if (delta < 0) throw new Error(`cannot go back ${-delta} ms`);
  await s.host.advance(delta, how);
}

const timer = (host: ConsoleHost) => host.page.getByRole('timer');
const timerText = async (host: ConsoleHost) => (await timer(host).textContent()) ?? '';

/** The countdown as the service sees it: ceil((expiry − service now) / 1 s) as MM:SS. */
function serviceRemaining(s: Started): string {
  const secs = Math.max(0, Math.ceil((s.expiresAt - s.host.now()) / 1000));
  return `${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
}

/** This session's records, in order, as the service reads them from git. */
async function records(host: ConsoleHost, sessionId: string): Promise<EvidenceRecord[]> {
  const view = await host.backend.ctx.service.read();
  return (view.sessions.get(sessionId) ?? []).map((e) => e.record);
}

/** Calls the contract from inside the page, as the renderer would (a string: the Node tsconfig has no DOM lib). */
function callFromPage(host: ConsoleHost, group: string, method: string, input: unknown): Promise<{ ok: boolean; error?: { code: string; message: string; field?: string }; value?: unknown }> {
  return host.page.evaluate(`window.breakglass.${group}.${method}(${JSON.stringify(input)})`);
}

/** Starts recording every text the assertive warning announcer shows. */
async function recordAnnouncements(host: ConsoleHost): Promise<() => Promise<string[]>> {
  await host.page.evaluate(`(() => {
    const el = document.querySelector('[data-testid="warning-announcer"]');
    window.__announced = [];
    new MutationObserver(() => { const t = el.textContent; if (t) window.__announced.push(t); })
      .observe(el, { childList: true, subtree: true, characterData: true });
  })()`);
  return () => host.page.evaluate('window.__announced') as Promise<string[]>;
}

/** A full-page screenshot from the top (the sticky header would otherwise cover what was scrolled to). */
async function shot(host: ConsoleHost, name: string): Promise<void> {
  await host.page.evaluate('window.scrollTo(0, 0)');
  await screenshot(host.page, name);
}

/** Serious axe violations, with real timers for axe while the page's clock is paused. */
const axe = (host: ConsoleHost) => withRealTimers(host.page, () => seriousAxeViolations(host.page));

/** No CSP violation and no error of any kind in the page's console. */
function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}


describe('countdown', () => {
  it('shows 29:59 from the absolute expiry, warns once at each threshold, and at 00:00 turns to "Expired — awaiting closure" with actions refused', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    const announced = await recordAnnouncements(host);

    await host.advance(1000);
    expect(await timerText(host)).toBe('29:59');
    expect(serviceRemaining(s)).toBe('29:59');
    expect(await page.title()).toBe('29:59 — INC-12345 — Break-Glass Console');
    expect(await page.locator('[data-level="calm"]').count()).toBe(1);

    await leaveRemaining(s, 25 * MIN);
    expect(await timerText(host)).toBe('25:00');
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-active-25min');

    const levels = [
      { minutes: 10, level: 'warning', text: '10 minutes or less left. Finish the work, or extend with a new justification.' },
      { minutes: 5, level: 'urgent', text: '5 minutes or less left. Expiry is near. Extending needs a new justification.' },
      { minutes: 1, level: 'critical', text: '1 minute or less left: finish now or record a note. Running commands are stopped at expiry.' },
    ];
    for (const [i, l] of levels.entries()) {
      // A second before the threshold: still the previous emphasis, no warning yet.
      await leaveRemaining(s, l.minutes * MIN + 1000);
      expect(await page.locator(`[data-level="${i === 0 ? 'calm' : levels[i - 1]!.level}"]`).count()).toBe(1);
      await leaveRemaining(s, l.minutes * MIN);
      expect(await timerText(host)).toBe(`${String(l.minutes).padStart(2, '0')}:00`);
      expect(await page.locator(`[data-level="${l.level}"]`).count()).toBe(1);
      expect(await page.getByText(l.text).isVisible()).toBe(true);
      // The service warns (main shows the OS notification from this event) and the page announces it.
      await waitFor(`the ${l.minutes}-minute warning`, () => s.warnings.some((w) => w.minutesLeft === l.minutes));
      const sentence = `${l.minutes} ${l.minutes === 1 ? 'minute' : 'minutes'} left on INC-12345.`;
      await waitFor(`the ${l.minutes}-minute announcement`, async () => (await announced()).includes(sentence));
      expect(await page.getByTestId('warning-announcer').getAttribute('aria-live')).toBe('assertive');
      expect(await axe(host)).toEqual([]);
      await shot(host, `session-warning-${l.minutes}min`);
    }

    // Later ticks inside the last minute warn no more: a note makes the service tick at 00:30 for sure.
    await leaveRemaining(s, 30_000, 'run');
    expect(await timerText(host)).toBe('00:30');
    expect((await host.backend.dispatch('session.note', { text: 'Finishing the lock repair now.' })).ok).toBe(true);
    expect(s.warnings.map((w) => w.minutesLeft)).toEqual([10, 5, 1]);
    expect(await announced()).toEqual(['10 minutes left on INC-12345.', '5 minutes left on INC-12345.', '1 minute left on INC-12345.']);
    // Where Electron is absent the console's page shows them as OS notifications (issue 20).
    expect(host.notifications.map((n) => n.title)).toEqual(['Break-glass: 10 minutes left', 'Break-glass: 5 minutes left', 'Break-glass: 1 minute left']);

    // 00:00: the view turns at once, by the page's own clock; the service writes `expired` at the declared instant.
    await leaveRemaining(s, 0);
    expect(await page.getByText('Expired — awaiting closure').first().isVisible()).toBe(true);
    expect(await timer(host).count()).toBe(0);
    const expired = await waitFor('the expired record', async () => (await records(host, s.sessionId)).find((r) => r.type === 'expired'));
    expect(expired.at).toBe(new Date(s.expiresAt).toISOString());
    await page.getByText('Break-glass access has ended').waitFor();
    await expect.poll(() => page.title()).toBe('Expired — INC-12345 — Break-Glass Console');

    // Actions are gone from the view, and refused at the contract with a clear error.
    for (const name of ['Run', 'Extend…', 'Copy environment', 'Open governed shell']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    const run = await callFromPage(host, 'session', 'runCommand', { commandLine: 'true', shell: false });
    expect(run).toMatchObject({ ok: false, error: { code: 'no-active-session' } });
    expect(run.error?.message).toMatch(/expired at .*Close it/);
    const extend = await callFromPage(host, 'session', 'extend', { minutes: 10, reason: 'More time, please.' });
    expect(extend).toMatchObject({ ok: false, error: { code: 'no-active-session' } });
    expect(extend.error?.message).toMatch(/expired session cannot be extended/);
    expect(await callFromPage(host, 'session', 'copyEnvironment', {})).toMatchObject({ ok: false, error: { code: 'no-active-session' } });
    expect(await callFromPage(host, 'session', 'openShell', {})).toMatchObject({ ok: false, error: { code: 'no-active-session' } });
    // A note is still allowed until closing (procedure.md §6).
    expect(await page.getByRole('button', { name: 'Commit note' }).isVisible()).toBe(true);
    expect(readFileSync(path.join(ws.data, 'session.env'), 'utf8')).toBe('export GOVERNED_BREAK_GLASS=false\n');

    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-expired');
    expectCleanConsole(host);
  });
});

describe('time', () => {
  it('is right at once after a 20-minute sleep and after the window was hidden, and agrees with the service to the second', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    await host.advance(1000);
    expect(await timerText(host)).toBe('29:59');

    // The lid closes for 20 minutes: on resume each due timer fires once, and the display is right at once.
    await host.advance(20 * MIN, 'fast-forward');
    expect(await timerText(host)).toBe('09:59');
    expect(serviceRemaining(s)).toBe('09:59');
    expect(await page.locator('[data-level="warning"]').count()).toBe(1);
    expect(await page.title()).toBe('09:59 — INC-12345 — Break-Glass Console');

    // A hidden window: time passes and no timer of the page fires; becoming visible again is enough.
    host.advanceService(3 * MIN + 250);
    await page.clock.setSystemTime((await host.pageNow()) + 3 * MIN + 250);
    await page.evaluate(`document.dispatchEvent(new Event('visibilitychange'))`);
    expect(await timerText(host)).toBe('06:59');
    expect(serviceRemaining(s)).toBe('06:59');

    // Steps of odd lengths land anywhere within a second: the display always equals the service's figure.
    for (const step of [1, 999, 1000, 1001, 250, 750, 4321, 17, 60_000, 983]) {
      await host.advance(step, 'run');
      expect(await timerText(host), `after ${step} ms`).toBe(serviceRemaining(s));
    }
    expectCleanConsole(host);
  });

  it('records a wall-clock jump backwards and forwards as clock-skew with both readings, shows it, and never moves the expiry', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    await leaveRemaining(s, 20 * MIN);
    expect(await timerText(host)).toBe('20:00');
    const expiresIso = new Date(s.expiresAt).toISOString();

    const before = host.now();
    await host.jumpWallClock(-5 * MIN);
    const back = await waitFor('a clock-skew record', async () => (await records(host, s.sessionId)).find((r) => r.type === 'clock-skew'));
    if (back.type !== 'clock-skew') throw new Error('unreachable');
    expect(back.payload).toEqual({ wallClockAt: new Date(before - 5 * MIN).toISOString(), expectedAt: new Date(before).toISOString(), skewMs: -5 * MIN });
    const notice = page.getByRole('status').filter({ hasText: 'The system clock jumped' });
    await notice.getByText(/jumped back by 5 min at/).waitFor();
    expect(await notice.getByText('The expiry has not moved').isVisible()).toBe(true);
    expect(await notice.locator(`time[datetime="${expiresIso}"]`).count()).toBe(1);
    // The service counts from the wall clock, and so does the view: they agree; the expiry itself is unchanged.
    await expect.poll(() => timerText(host)).toBe('25:00');
    expect(serviceRemaining(s)).toBe('25:00');
    expect(((await host.backend.snapshot()) as StatusSnapshot).open.map((o) => o.expiresAt)).toEqual([expiresIso]);
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-clock-skew');

    await host.jumpWallClock(5 * MIN + 30_000);
    await waitFor('a second clock-skew record', async () => (await records(host, s.sessionId)).filter((r) => r.type === 'clock-skew').length === 2);
    await notice.getByText(/jumped forward by 5 min 30 s at/).waitFor();
    await expect.poll(() => timerText(host)).toBe('19:30');
    expect(serviceRemaining(s)).toBe('19:30');
    const recs = await records(host, s.sessionId);
    expect(recs.filter((r) => r.type === 'extended')).toEqual([]);
    const skews = recs.filter((r) => r.type === 'clock-skew').map((r) => (r.type === 'clock-skew' ? r.payload.skewMs : 0));
    expect(skews).toEqual([-5 * MIN, 5 * MIN + 30_000]);
    expect(((await host.backend.snapshot()) as StatusSnapshot).open.map((o) => o.expiresAt)).toEqual([expiresIso]);
    await expect.poll(() => page.getByRole('cell', { name: 'Clock skew' }).count()).toBe(2);
    expectCleanConsole(host);
  });

  it('lets the service decide: a late renderer\u2019s action at the expiry is refused, and the view follows the expired record', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    await leaveRemaining(s, 30_000);
    expect(await timerText(host)).toBe('00:30');
    // The service reaches the expiry; the page's clock is 30 s behind and still shows the actions.
    host.advanceService(30_000);
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isVisible()).toBe(true);
    const refused = await callFromPage(host, 'session', 'runCommand', { commandLine: 'true', shell: false });
    expect(refused).toMatchObject({ ok: false, error: { code: 'no-active-session' } });
    expect(refused.error?.message).toMatch(/expired at/);
    // The expired record reaches the view as a snapshot, whatever the page's clock says.
    await page.getByRole('article', { name: /Expired session/ }).waitFor();
    expect(await timer(host).count()).toBe(0);
    expect((await records(host, s.sessionId)).map((r) => r.type)).toEqual(['declared', 'expired']);
    expectCleanConsole(host);
  });

  it('started after its session expired, writes expired with the original expiry time before anything else, and shows it', async () => {
    const ws = await workspace();
    const file = path.join(ws.dir, 'declaration.json');
    writeFileSync(file, JSON.stringify(declaration()));
    const r = await runCli(['--repo', ws.repo, '--json', 'declare', '--file', file], { env: ws.env });
    expect(r.code, r.stderr).toBe(0);
    const declared = JSON.parse(r.stdout) as { sessionId: string; expiresAt: string };

    const startAt = Date.parse(declared.expiresAt) + 10 * MIN + 123;
    const host = await launch(ws, { clockStart: startAt });
    const recs = await records(host, declared.sessionId);
    expect(recs.map((x) => x.type)).toEqual(['declared', 'expired']);
    const expired = recs[1]!;
    if (expired.type !== 'expired') throw new Error('unreachable');
    expect(expired.at).toBe(declared.expiresAt);
    expect(expired.payload.expiresAt).toBe(declared.expiresAt);
    expect(Date.parse(expired.payload.recordedAt)).toBeGreaterThanOrEqual(startAt);

    const panel = host.page.getByRole('article', { name: /Expired session/ });
    await panel.getByText('Expired — awaiting closure').waitFor();
    expect(await panel.locator(`time[datetime="${declared.expiresAt}"]`).count()).toBe(1);
    const row = host.page.getByRole('row').filter({ hasText: `Expired at ${declared.expiresAt}` });
    await row.waitFor();
    expect(await row.getByRole('cell').first().locator(`time[datetime="${declared.expiresAt}"]`).count()).toBe(1);
    expect(await host.page.getByRole('button', { name: 'Close session…' }).isVisible()).toBe(true);
    expectCleanConsole(host);
  });
});

describe('extension', () => {
  it('extends within the caps, refuses beyond each with the reason, and moves the countdown only after the commit', async () => {
    const ws = await workspace({ policy: { extension: { stepMinutes: 20, maxCount: 2, maxTotalMinutes: 65 } } });
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    await leaveRemaining(s, 6 * MIN);
    expect(await timerText(host)).toBe('06:00');

    await page.getByRole('button', { name: 'Extend…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Extend INC-12345' });
    await dialog.waitFor();
    // The policy's step, the count left, the total cap, and the new expiry, before confirming.
    await dialog.getByText('up to 20 min').waitFor();
    expect(await dialog.getByText('2 of 2').isVisible()).toBe(true);
    expect(await dialog.getByText('1 h 5 min (now 30 min; 35 min more possible)').isVisible()).toBe(true);
    const minutes = dialog.getByLabel('Minutes to add');
    expect(await minutes.inputValue()).toBe('20');
    expect(await dialog.locator(`.sv-new-expiry time[datetime="${new Date(s.expiresAt + 20 * MIN).toISOString()}"]`).count()).toBe(1);
    const reason = dialog.getByLabel(/New justification/);
    await reason.fill('The state refresh needs a second governed apply before the lock can be released.');
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-extend-dialog');

    // Beyond the step: refused by the service with its reason; the countdown does not move.
    await minutes.fill('25');
    expect(await dialog.locator(`.sv-new-expiry time[datetime="${new Date(s.expiresAt + 25 * MIN).toISOString()}"]`).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Extend by 25 min' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'An extension may add at most 20 minutes' }).waitFor();
    expect(await timerText(host)).toBe('06:00');

    // Within the caps, with the commit held back by another writer: nothing moves until it is committed.
    await minutes.fill('20');
    const lock = await new WriterLock(host.backend.ctx.store.gitDir).acquire();
    try {
      await dialog.getByRole('button', { name: 'Extend by 20 min' }).click();
      await dialog.getByRole('button', { name: 'Committing the extension…' }).waitFor();
      expect(await timerText(host)).toBe('06:00');
      expect((await records(host, s.sessionId)).some((r) => r.type === 'extended')).toBe(false);
    } finally {
      await lock.release();
    }
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => timerText(host)).toBe('26:00');
    const first = (await records(host, s.sessionId)).find((r) => r.type === 'extended');
    if (first?.type !== 'extended') throw new Error('no extended record');
    expect(first.payload).toMatchObject({ minutes: 20, previousExpiresAt: new Date(s.expiresAt).toISOString(), newExpiresAt: new Date(s.expiresAt + 20 * MIN).toISOString() });
    expect(await page.getByRole('article', { name: /Active break-glass session/ }).getByText(`Expires at`).locator(`time[datetime="${first.payload.newExpiresAt}"]`).count()).toBe(1);

    // Beyond the total cap: 50 of 65 minutes used, so 20 is refused and 15 is not.
    await page.getByRole('button', { name: 'Extend…' }).click();
    await dialog.getByText('1 of 2').waitFor();
    expect(await dialog.getByText('1 h 5 min (now 50 min; 15 min more possible)').isVisible()).toBe(true);
    expect(await minutes.inputValue()).toBe('15');
    await minutes.fill('20');
    await reason.fill('A second region needs the same repair.');
    await dialog.getByRole('button', { name: 'Extend by 20 min' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'the policy caps a session at 65. At most 15 more minute(s) can be added.' }).waitFor();
    await minutes.fill('15');
    await dialog.getByRole('button', { name: 'Extend by 15 min' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => timerText(host)).toBe('41:00');

    // Beyond the count: the dialog says so before asking for anything, and the contract refuses.
    await page.getByRole('button', { name: 'Extend…' }).click();
    await dialog.getByText('0 of 2').waitFor();
    expect(await dialog.getByRole('alert').textContent()).toContain('No extension left: the policy allows 2 per session.');
    expect(await dialog.getByLabel('Minutes to add').count()).toBe(0);
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-extend-refused');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const refused = await callFromPage(host, 'session', 'extend', { minutes: 1, reason: 'Just one more minute.' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'refused', field: 'minutes' } });
    expect(refused.error?.message).toMatch(/has been extended 2 time\(s\); the policy allows 2/);
    expect(await timerText(host)).toBe('41:00');
    expect((await records(host, s.sessionId)).filter((r) => r.type === 'extended')).toHaveLength(2);
    expectCleanConsole(host);
  });
});

describe('closing early', () => {
  it('closes while active: access ends at once, no expiry is recorded, and the session awaits review', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    await leaveRemaining(s, 20 * MIN);
    await page.getByRole('button', { name: 'Close session early…' }).click();
    const form = page.getByRole('region', { name: 'Close INC-12345 with its reversal record' });
    await form.getByText(/Closing ends the session now, before its expiry/).waitFor();
    await form.getByLabel('Summary of what was changed').fill('Released the stale state lock; nothing else was changed.');
    await form.getByLabel('Reversal step 1').fill('Re-enabled the pipeline lock.');
    for (const name of ['Signing keys restored or rotated', 'Backend locks re-established', 'Break-glass credentials rotated']) {
      await form.getByRole('group', { name }).getByLabel('Yes', { exact: true }).check();
    }
    await form.getByRole('button', { name: 'End the session and commit closure' }).click();
    await page.getByRole('region', { name: 'Closed — awaiting review' }).waitFor();
    expect((await records(host, s.sessionId)).map((r) => r.type)).toEqual(['declared', 'closed']);
    expect(await page.getByRole('article').count()).toBe(0);
    expect(await page.title()).toBe('Break-Glass Console');
    expect(await callFromPage(host, 'session', 'runCommand', { commandLine: 'true', shell: false })).toMatchObject({ ok: false, error: { code: 'no-active-session' } });
    await waitFor('session.env turned off', () => readFileSync(path.join(ws.data, 'session.env'), 'utf8') === 'export GOVERNED_BREAK_GLASS=false\n');
    expectCleanConsole(host);
  });
});

describe('commands', () => {
  it('streams output live, shows a secret to the operator but commits it redacted, records a stop, and needs "Run in a shell" for pipes', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    const region = page.getByRole('region', { name: 'Run a command' });
    const commandLine = region.getByLabel('Command line');
    const runButton = region.getByRole('button', { name: 'Run', exact: true });
    const item = (cmd: string) => region.getByRole('listitem', { name: cmd });

    // A fake AWS key printed by a script (so the argv itself holds no secret).
    const script = path.join(ws.dir, 'print-secret.sh');
    writeFileSync(script, 'echo "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"\necho "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n');
    const secretCmd = `sh ${script}`;
    await commandLine.fill(secretCmd);
    await runButton.click();
    await item(secretCmd).getByText('Exit 0', { exact: true }).waitFor();
    const shown = (await item(secretCmd).getByLabel(`Output of ${secretCmd}`).textContent()) ?? '';
    expect(shown).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(shown).toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    await item(secretCmd).getByText(/2 secrets redacted before writing/).waitFor();
    const action = (await records(host, s.sessionId)).find((r) => r.type === 'action');
    if (action?.type !== 'action') throw new Error('no action record');
    expect(action.payload.output).toContain('[REDACTED:aws-access-key]');
    expect(action.payload.output).toContain('[REDACTED:aws-secret-key]');
    expect(action.payload.output).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(action.redactions).toBe(2);
    expect(action.payload).toMatchObject({ argv: ['sh', script], shell: false, exitCode: 0, stoppedBy: null, via: 'console' });
    const history = git(ws.repo, ['log', '--all', '-p']);
    expect(history).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(history).not.toContain('wJalrXUtnFEMI');

    // Output arrives while the command still runs; Stop ends it and the stop is recorded.
    const slowCmd = 'sh -c "echo first-line; exec sleep 60"';
    await commandLine.fill(slowCmd);
    await runButton.click();
    const slow = item(slowCmd);
    await expect.poll(() => slow.getByLabel(`Output of ${slowCmd}`).textContent()).toContain('first-line');
    expect(await slow.getByText('Running', { exact: true }).isVisible()).toBe(true);
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-command-running');
    await slow.getByRole('button', { name: 'Stop' }).click();
    await slow.getByText('Stopped by you').waitFor();
    const stopped = (await records(host, s.sessionId)).filter((r) => r.type === 'action').at(-1);
    if (stopped?.type !== 'action') throw new Error('no action record');
    expect(stopped.payload).toMatchObject({ argv: ['sh', '-c', 'echo first-line; exec sleep 60'], stoppedBy: 'operator' });
    expect(stopped.payload.output).toBe('first-line\n');
    await page.getByRole('cell', { name: /stopped by operator/ }).waitFor();

    // A pipe needs a shell: refused next to the field until "Run in a shell" is chosen, which is recorded.
    const pipeCmd = 'echo piped | tr a-z A-Z';
    await commandLine.fill(pipeCmd);
    await runButton.click();
    await region.getByRole('alert').filter({ hasText: '"|" needs a shell' }).waitFor();
    expect(await commandLine.getAttribute('aria-invalid')).toBe('true');
    await region.getByLabel('Run in a shell (pipes, redirects, variables)').check();
    await region.getByLabel(/Working directory/).fill(ws.dir);
    await runButton.click();
    await item(pipeCmd).getByText('Exit 0', { exact: true }).waitFor();
    expect(await item(pipeCmd).getByText('in shell').isVisible()).toBe(true);
    expect(await item(pipeCmd).getByLabel(`Output of ${pipeCmd}`).textContent()).toBe('PIPED\n');
    const piped = (await records(host, s.sessionId)).filter((r) => r.type === 'action').at(-1);
    if (piped?.type !== 'action') throw new Error('no action record');
    expect(piped.payload).toMatchObject({ shell: true, cwd: ws.dir, exitCode: 0 });
    expect(piped.payload.argv.at(-1)).toBe(pipeCmd);
    expectCleanConsole(host);
  });

  it('stops a command still running at the expiry and records it as stopped by expiry', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    // Real time from 4 s before the expiry: the runner's own expiry timer must fire.
    await leaveRemaining(s, 4_000);
    await host.resumeClock();
    const region = page.getByRole('region', { name: 'Run a command' });
    await region.getByLabel('Command line').fill('sleep 60');
    await region.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = page.getByRole('article', { name: /Expired session/ });
    await panel.waitFor({ timeout: 15_000 });
    const run = page.getByRole('listitem', { name: 'sleep 60' });
    await run.getByText('Stopped at expiry').waitFor({ timeout: 15_000 });
    const recs = await records(host, s.sessionId);
    const action = recs.find((r) => r.type === 'action');
    if (action?.type !== 'action') throw new Error('no action record');
    expect(action.payload).toMatchObject({ argv: ['sleep', '60'], stoppedBy: 'expiry' });
    expect(Date.parse(action.payload.endedAt)).toBeGreaterThanOrEqual(s.expiresAt);
    // The expiry is evidenced before the action that ended with it.
    expect(recs.map((r) => r.type)).toEqual(['declared', 'action-started', 'expired', 'action']);
    await page.getByRole('cell', { name: /stopped by expiry/ }).waitFor();
    expectCleanConsole(host);
  });

  // When the machine sleeps through the expiry, the tick (not the runner's own timer) stops the run:
  // it must still be recorded as stopped by expiry.
  it('records a command as stopped by expiry when the machine slept through the expiry', async () => {
    const ws = await workspace();
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    await leaveRemaining(s, 10 * MIN);
    const region = page.getByRole('region', { name: 'Run a command' });
    await region.getByLabel('Command line').fill('sleep 600');
    await region.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('listitem', { name: 'sleep 600' }).getByText('Running', { exact: true }).waitFor();
    await host.advance(11 * MIN, 'fast-forward');
    const run = page.getByRole('listitem', { name: 'sleep 600' });
    await run.locator('.sv-run-status--done, .sv-run-status--failed').waitFor({ timeout: 15_000 });
    expect(await run.getByText('Stopped at expiry').count()).toBe(1);
  });
});

describe('the whole path', () => {
  it('declare, note, run, copy, open a shell, extend, let expire, close: verify accepts the ledger and session.env says false', async () => {
    const ws = await workspace();
    const remote = path.join(ws.dir, 'remote.git');
    git(ws.dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const opened = path.join(ws.dir, 'shell-opened.txt');
    const s = await startSession(ws);
    const { host } = s;
    const { page } = host;
    expect((await host.backend.dispatch('remote.set', { url: remote })).ok).toBe(true);
    expect(readFileSync(path.join(ws.data, 'session.env'), 'utf8')).toContain('export GOVERNED_BREAK_GLASS=true\n');

    // A note.
    const notes = page.getByRole('region', { name: 'Add a note' });
    await notes.getByLabel('Note').fill('Stale lock held by job 7f3c confirmed in the state bucket; the job ran as AKIAIOSFODNN7EXAMPLE.');
    await notes.getByRole('button', { name: 'Commit note' }).click();
    await notes.getByText(/Note committed as evidence \(commit [0-9a-f]{10}\) · 1 secret redacted before writing\./).waitFor();
    const note = (await records(host, s.sessionId)).find((r) => r.type === 'note');
    if (note?.type !== 'note') throw new Error('no note record');
    expect(note.payload.text).toBe('Stale lock held by job 7f3c confirmed in the state bucket; the job ran as [REDACTED:aws-access-key].');
    expect(await notes.getByLabel('Note').inputValue()).toBe('');

    // A command.
    const region = page.getByRole('region', { name: 'Run a command' });
    await region.getByLabel('Command line').fill('sh -c "echo $BREAK_GLASS_INCIDENT_ID $GOVERNED_BREAK_GLASS"');
    await region.getByRole('button', { name: 'Run', exact: true }).click();
    const run = region.getByRole('listitem', { name: 'sh -c "echo $BREAK_GLASS_INCIDENT_ID $GOVERNED_BREAK_GLASS"' });
    await run.getByText('Exit 0', { exact: true }).waitFor();
    expect(await run.getByLabel(/^Output of/).textContent()).toBe('INC-12345 true\n');

    // The environment, copied and in a governed shell.
    const envRegion = page.getByRole('region', { name: 'Session environment' });
    await envRegion.getByRole('button', { name: 'Copy environment' }).click();
    await envRegion.getByText(/Export block copied to the clipboard/).waitFor();
    expect(host.clipboard).toHaveLength(1);
    expect(host.clipboard[0]).toContain('export GOVERNED_BREAK_GLASS=true\n');
    expect(host.clipboard[0]).toContain(`export BREAK_GLASS_SESSION_ID='${s.sessionId}'\n`);
    // The terminal it opens is a local setting (a harmless command here, typed as in a shell).
    await envRegion.locator('summary').filter({ hasText: 'Terminal: the platform\u2019s default' }).click();
    await envRegion.getByLabel('Terminal command').fill(`sh -c 'echo "$GOVERNED_BREAK_GLASS $BREAK_GLASS_INCIDENT_ID" > ${opened}'`);
    await envRegion.getByRole('button', { name: 'Save terminal' }).click();
    await envRegion.getByText('Saved.').waitFor();
    expect(await host.backend.dispatch('settings.get', {})).toEqual({ ok: true, value: { terminal: ['sh', '-c', `echo "$GOVERNED_BREAK_GLASS $BREAK_GLASS_INCIDENT_ID" > ${opened}`], observer: false, fetchIntervalSeconds: 30 } });
    await envRegion.getByRole('button', { name: 'Open governed shell' }).click();
    await envRegion.getByText(/the opening was committed as evidence/).waitFor();
    await waitFor('the governed shell', () => existsSync(opened) && readFileSync(opened, 'utf8') === 'true INC-12345\n');

    // An extension.
    await leaveRemaining(s, 3 * MIN);
    await page.getByRole('button', { name: 'Extend…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Extend INC-12345' });
    await dialog.getByLabel(/New justification/).fill('The governed apply is running again; keep access until it has finished.');
    await dialog.getByLabel('Minutes to add').fill('10');
    await dialog.getByRole('button', { name: 'Extend by 10 min' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => timerText(host)).toBe('13:00');
    s.expiresAt += 10 * MIN;

    // The timeline: every record with its commit, pushed to the remote.
    const rows = page.getByRole('region', { name: /^Timeline/ }).getByRole('row');
    // The command's start is its own record, committed before it ran (issue 12 item 7).
    const types = ['Declared', 'Note', 'Command started', 'Action', 'Action', 'Extended'];
    await expect.poll(() => rows.count()).toBe(types.length + 1);
    await expect.poll(() => page.getByRole('cell', { name: 'Pushed', exact: true }).count(), { timeout: 20_000 }).toBe(types.length);
    for (const [i, t] of types.entries()) {
      const row = rows.nth(i + 1);
      expect(await row.getByRole('cell').nth(1).textContent()).toBe(t);
      expect(await row.getByRole('cell').nth(3).textContent()).toMatch(/^[0-9a-f]{10}$/);
    }
    expect(await rows.nth(5).textContent()).toContain('Opened governed shell');

    // Let it expire.
    await leaveRemaining(s, 0);
    await page.getByRole('article', { name: /Expired session/ }).waitFor();
    await waitFor('the expired record', async () => (await records(host, s.sessionId)).some((r) => r.type === 'expired'));
    await waitFor('session.env turned off', () => readFileSync(path.join(ws.data, 'session.env'), 'utf8') === 'export GOVERNED_BREAK_GLASS=false\n');

    // Close: one click from the expired view. An empty form is refused with each problem at its field.
    await page.getByRole('button', { name: 'Close session…' }).click();
    const form = page.getByRole('region', { name: 'Close INC-12345 with its reversal record' });
    await form.waitFor();
    await form.getByRole('button', { name: 'Commit closure' }).click();
    const problems = form.getByRole('alert');
    await problems.getByText(/Not closed: the closing record has \d+ problems/).waitFor();
    expect(await form.getByLabel('Summary of what was changed').getAttribute('aria-invalid')).toBe('true');
    expect(await problems.textContent()).toContain('Answer yes, no or not-applicable.');
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-close-form-problems');

    await form.getByLabel('Summary of what was changed').fill('Released the stale state lock left by job 7f3c and re-ran the governed apply.');
    await form.getByLabel('Reversal step 1').fill('Re-enabled the pipeline lock and its alerting.');
    await form.getByRole('button', { name: 'Add a step' }).click();
    await form.getByLabel('Reversal step 2').fill('Removed the break-glass role binding.');
    const control = (name: string) => form.getByRole('group', { name });
    await control('Signing keys restored or rotated').getByLabel('Not applicable').check();
    await control('Backend locks re-established').getByLabel('Yes', { exact: true }).check();
    await control('Break-glass credentials rotated').getByLabel('No', { exact: true }).check();
    await form.getByLabel(/Note on the controls/).fill('Rotation is scheduled with the identity team for the next change window.');
    await form.getByRole('button', { name: 'Add a follow-up' }).click();
    await form.getByLabel('Action 1').fill('Rotate the break-glass credentials');
    await form.getByLabel('Owner').fill('Grace Hopper');
    await form.getByLabel(/^Due/).fill('2026-12-05');
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-close-form');
    await form.getByRole('button', { name: 'Commit closure' }).click();

    // Awaiting review, with the review due date.
    const awaiting = page.getByRole('region', { name: 'Closed — awaiting review' });
    await awaiting.waitFor();
    const closed = (await records(host, s.sessionId)).at(-1)!;
    if (closed.type !== 'closed') throw new Error(`last record is ${closed.type}`);
    expect(closed.payload.closure).toEqual({
      summary: 'Released the stale state lock left by job 7f3c and re-ran the governed apply.',
      reversalSteps: ['Re-enabled the pipeline lock and its alerting.', 'Removed the break-glass role binding.'],
      controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'no' },
      controlsNote: 'Rotation is scheduled with the identity team for the next change window.',
      followUps: [{ action: 'Rotate the break-glass credentials', owner: 'Grace Hopper', due: '2026-12-05' }],
    });
    expect(Date.parse(closed.payload.reviewDueAt) - Date.parse(closed.at)).toBe(5 * 24 * 60 * MIN);
    expect(await awaiting.getByText('Review due by').isVisible()).toBe(true);
    expect(await awaiting.locator(`time[datetime="${closed.payload.reviewDueAt}"]`).count()).toBe(1);
    expect(await awaiting.getByText('in 5 days').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Closed — awaiting review' }).evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);
    expect(await page.getByRole('article').count()).toBe(0);
    expect(await axe(host)).toEqual([]);
    await shot(host, 'session-awaiting-review');

    // The ledger verifies, and the environment file says the session is over.
    const verify = await runCli(['--repo', ws.repo, '--json', 'verify'], { env: ws.env });
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    expect(readFileSync(path.join(ws.data, 'session.env'), 'utf8')).toBe('export GOVERNED_BREAK_GLASS=false\n');
    expect((await records(host, s.sessionId)).map((r) => r.type)).toEqual(['declared', 'note', 'action-started', 'action', 'action', 'extended', 'expired', 'closed']);
    expectCleanConsole(host);
  });
});
