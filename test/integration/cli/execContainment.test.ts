import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, cleanup } from '../../support/cli';
import { assertCliBuilt, declaredAgo, sessionLog, spawnCli, workspace, type Workspace } from '../../support/lifecycleKit';
import { escapees, processesWith, sleepMarkers, sleepsWith } from '../../support/shellDriver';
import { waitFor } from '../../support/waitFor';

// Issue 17, "Containment for everything a session starts": `breakglass exec` runs its command in
// the session's container, so what it leaves behind — `setsid`, a double fork, `nohup` — is gone
// within 2 s of the expiry, and killing the exec wrapper with SIGKILL ends it all too.

const marker = sleepMarkers();
let ws: Workspace;

beforeAll(async () => {
  assertCliBuilt();
  ws = await workspace();
});
afterAll(() => cleanup(ws?.dir));
describe.skipIf(process.platform !== 'linux')('exec contains what its command starts', () => {
  it('setsid, double-forked and nohup children are gone within 2 s of the expiry', async () => {
    const state = await declaredAgo(ws.repo, 55_000, { durationMinutes: 1, environment: 'production' });
    const m = marker();
    const live = spawnCli(['--repo', ws.repo, 'exec', '--', 'bash', '-c', `${escapees(m)} echo started; sleep ${m}`], { env: ws.env });
    await live.waitForStdout(/started/);
    await waitFor('the four sleeps', () => sleepsWith(m).length === 4, { timeoutMs: 10_000 });
    const done = await live.done;
    const expiry = Date.parse(state.expiresAt);
    await waitFor(`every "sleep ${m}" gone`, () => processesWith(`sleep ${m}`).length === 0, { timeoutMs: 10_000 });
    expect(Date.now() - expiry).toBeLessThan(2_000 + 1_000 /* the CLI's own poll of the clock */);
    expect(done.stderr).toMatch(/stopped at the session expiry/);
    const action = (await sessionLog(ws, state.sessionId)).find((e) => e.type === 'action')!;
    expect(action.record.payload).toMatchObject({ stoppedBy: 'expiry' });
  });

  it('kill -9 of the exec wrapper ends the command and everything it started', async () => {
    await declaredAgo(ws.repo, 0, { durationMinutes: 1, environment: 'pre-production' });
    const m = marker();
    const child = spawn(process.execPath, [CLI, '--repo', ws.repo, 'exec', '--', 'bash', '-c', `${escapees(m)} sleep ${m}`], { env: ws.env, cwd: ROOT, stdio: 'ignore' });
    await waitFor('the four sleeps', () => sleepsWith(m).length === 4, { timeoutMs: 10_000 });
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor(`every "sleep ${m}" gone`, () => processesWith(`sleep ${m}`).length === 0, { timeoutMs: 5_000 });
    expect(Date.now() - killedAt).toBeLessThan(2_000);
  });
});
