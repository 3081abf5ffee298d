import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../../main/application/context';
import { systemBootClock } from '../../../main/host/bootClock';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { sealRecord } from '../../../app/ledger';
import { declaration, jsonFile, runCli, type CliResult } from '../../support/cli';
import type { SessionJson } from '../../support/cliJson';
import { assertCliBuilt, gitx, sessionLog, workspace, type Workspace } from '../../support/lifecycleKit';
import { removeWorkspaces } from '../../support/workspace';

// Issue 16, "a clock the operator cannot move alone", through the real CLI and real git under
// libfaketime (Debian's faketime): the shim moves the CLI's wall clock and git's, not the boot
// clock the CLI reads from /proc. Tried first: `faketime -f -10m node -e 'Date.now()'` and a git
// commit under it are both shifted; /proc/uptime and /proc/sys/kernel/random/boot_id are not.

const FAKETIME = '/usr/bin/faketime';
const linux = existsSync('/proc/uptime') && existsSync('/proc/sys/kernel/random/boot_id');
const can = linux && existsSync(FAKETIME);

/** The real CLI under `faketime -f OFFSET` (the monotonic clocks left alone, so timers keep their pace). */
function faked(ws: Workspace, offset: string, args: string[]): Promise<CliResult> {
  return runCli(['--repo', ws.repo, ...args], { env: { ...ws.env, FAKETIME_DONT_FAKE_MONOTONIC: '1' }, via: [FAKETIME, '-f', offset] });
}

/**
 * Declares in-process as if `agoMs` ago, both clocks together (the boot clock read `agoMs` less):
 * a session that really started then, so it can really have expired without the test waiting.
 */
async function declaredAgo(ws: Workspace, agoMs: number, overrides: Record<string, unknown> = {}) {
  const ctx = await openContext({
    repo: ws.repo,
    clock: { now: () => Date.now() - agoMs, monotonicMs: () => performance.now() - agoMs },
    boot: { read: () => { const b = systemBootClock.read(); return b && { id: b.id, sinceBootMs: b.sinceBootMs - agoMs }; } },
    host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'test-host' }),
  });
  return (await ctx.service.declare(declaration(overrides))).state;
}

const hostRef = (ws: Workspace) => gitx(ws.repo, ['rev-parse', 'refs/heads/hosts/test-host']).trim();

beforeAll(() => assertCliBuilt());
afterAll(() => removeWorkspaces());

describe.skipIf(!can)('a clock the operator cannot move alone (issue 16)', () => {
  it('refuses `faketime +365 days declare` after a real record on the host, and writes nothing', async () => {
    const ws = await workspace();
    const file = jsonFile(ws.dir, 'declaration.json', declaration({ environment: 'pre-production' }));
    const real = await ws.cli(['--json', 'declare', '--file', file]);
    expect(real.code, real.stderr).toBe(0);
    const first = JSON.parse(real.stdout) as SessionJson;
    const log = await sessionLog(ws, first.sessionId);
    // The record carries the boot clock beside the wall time.
    expect(log[0]!.record.boot).toEqual({ id: systemBootClock.read()!.id, sinceBootMs: expect.any(Number) });
    const tip = hostRef(ws);

    const future = await faked(ws, '+365d', ['declare', '--file', jsonFile(ws.dir, 'production.json', declaration())]);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/^breakglass: The host clock is ahead: it reads 20\d\d-.* but since this host's last record \(bg-[0-9a-f-]+ #1, .*\) the boot clock counted .* \(36[45] days .*ahead; the policy allows 2 min\)\. Nothing was recorded\. Set the clock right/);
    expect(hostRef(ws)).toBe(tip);
    const sessions = JSON.parse((await ws.cli(['--json', 'log'])).stdout) as SessionJson[];
    expect(sessions.map((s) => s.sessionId)).toEqual([first.sessionId]);
    // Within the tolerance the same host declares as ever.
    expect((await faked(ws, '+30s', ['declare', '--file', jsonFile(ws.dir, 'production.json', declaration())])).code).toBe(0);
  });

  it('after a real expiry, refuses `faketime -f -10m` exec and extend: no record dated before the declaration is written', async () => {
    const ws = await workspace();
    // A 1-minute session declared 90 s ago: expired 30 s ago by both clocks.
    const state = await declaredAgo(ws, 90_000, { durationMinutes: 1 });
    const tip = hostRef(ws);
    const marker = path.join(ws.dir, 'marker');

    const exec = await faked(ws, '-10m', ['exec', '--', 'touch', marker]);
    expect(exec.code).toBe(125);
    expect(exec.stderr).toMatch(/^breakglass: The host clock moved back: it reads .*, 8 min \d+ s before session bg-[0-9a-f-]+'s last record \(#1, .*\)\. Nothing was recorded\./);
    expect(existsSync(marker)).toBe(false);
    const extend = await faked(ws, '-10m', ['extend', '--minutes', '30', '--reason', 'the apply is still running']);
    expect(extend.code).toBe(1);
    expect(extend.stderr).toMatch(/The host clock moved back/);
    const env = await faked(ws, '-10m', ['env']);
    expect([env.code, env.stdout]).toEqual([3, '']);

    expect(hostRef(ws)).toBe(tip);
    const log = await sessionLog(ws, state.sessionId);
    expect(log.map((e) => e.type)).toEqual(['declared']);
    // On the real clock it is simply expired.
    const now = await ws.cli(['exec', '--', 'touch', marker]);
    expect([now.code, existsSync(marker)]).toEqual([125, false]);
    expect(now.stderr).toMatch(/expired/);
    expect((await ws.cli(['verify'])).code).toBe(0);
  });

  it('a wall clock set back but still after the last record: the boot clock\u2019s deadline is the earlier, and exec and extend are refused', async () => {
    const ws = await workspace({ policy: { clockSkewToleranceSeconds: 10 } });
    // A 1-minute session declared 75 s ago. Set back 40 s, the wall clock reads 35 s into it, after
    // its last record, with 25 s left; the boot clock counted 75 s: it expired 15 s ago.
    const state = await declaredAgo(ws, 75_000, { durationMinutes: 1 });
    const status = await faked(ws, '-40s', ['--json', 'status']);
    expect(status.code).toBe(3);
    const [s] = (JSON.parse(status.stdout) as { sessions: Array<SessionJson & { wallExpiresAt?: string }> }).sessions;
    expect(s).toMatchObject({ phase: 'expired', wallExpiresAt: state.expiresAt });
    expect(Date.parse(s!.expiresAt)).toBeCloseTo(Date.parse(state.expiresAt) - 40_000, -3);
    const exec = await faked(ws, '-40s', ['exec', '--', 'true']);
    expect(exec.code).toBe(125);
    expect(exec.stderr).toMatch(/expired at/);
    expect((await faked(ws, '-40s', ['extend', '--minutes', '5', '--reason', 'more time'])).code).toBe(3);
    expect((await faked(ws, '-40s', ['env'])).stdout).toBe('');
    expect((await sessionLog(ws, state.sessionId)).map((e) => e.type)).toEqual(['declared']);
  });

  it('a clock shifted mid-session: `faketime +2h note` commits clock-skew with both elapsed times, and the earlier deadline', async () => {
    const ws = await workspace();
    const file = jsonFile(ws.dir, 'declaration.json', declaration());
    const declared = JSON.parse((await ws.cli(['--json', 'declare', '--file', file])).stdout) as SessionJson;
    expect((await ws.cli(['note', 'lock released, apply running'])).code).toBe(0);

    const note = await faked(ws, '+2h', ['note', 'apply finished']);
    expect(note.code, note.stderr).toBe(0);
    const log = await sessionLog(ws, declared.sessionId);
    expect(log.map((e) => e.type)).toEqual(['declared', 'note', 'clock-skew', 'expired', 'note']);
    const skew = log[2]!.record.payload as { skewMs: number; wallClockAt: string; expectedAt: string; elapsed: { sinceSeq: number; wallMs: number; bootMs: number } };
    expect(skew.elapsed.sinceSeq).toBe(1);
    expect(skew.elapsed.wallMs - skew.elapsed.bootMs).toBe(skew.skewMs);
    expect(Math.abs(skew.skewMs - 2 * 3600_000)).toBeLessThan(5_000);
    expect(skew.elapsed.bootMs).toBeLessThan(60_000);
    // The wall clock ran ahead: its deadline, passed on it, is the earlier one, so the session expired.
    expect((log[3]!.record.payload as { expiresAt: string }).expiresAt).toBe(declared.expiresAt);
    expect(log[3]!.at).toBe(log[2]!.at);
    // Back on the real clock, nothing can be dated before the +2h records, and nothing is exported.
    const back = await ws.cli(['note', 'clock fixed']);
    expect(back.code).toBe(1);
    expect(back.stderr).toMatch(/The host clock moved back: .* 1 h 59 min/);
    expect((await ws.cli(['env'])).code).toBe(3);
    expect((await ws.cli(['verify'])).code).toBe(0);
    const human = await ws.cli(['log', '--session', declared.sessionId]);
    expect(human.stdout).toMatch(/#3 clock-skew/);
  });

  it('a wall clock set back mid-session makes the session end by the boot clock', async () => {
    const ws = await workspace({ policy: { clockSkewToleranceSeconds: 10 } });
    // Declared 55 s ago for a minute: 5 s are left by both clocks.
    const state = await declaredAgo(ws, 55_000, { durationMinutes: 1 });
    const note = await faked(ws, '-30s', ['--json', 'note', 'checking the lock']);
    expect(note.code, note.stderr).toBe(0);
    const log = await sessionLog(ws, state.sessionId);
    expect(log.map((e) => e.type)).toEqual(['declared', 'clock-skew', 'note']);
    expect(Math.round((log[1]!.record.payload as { skewMs: number }).skewMs / 1000)).toBe(-30);
    // By the wall clock set back, 35 s would be left; the boot clock's deadline comes first.
    const status = JSON.parse((await faked(ws, '-30s', ['--json', 'status'])).stdout) as { sessions: Array<SessionJson & { wallExpiresAt?: string }> };
    expect(status.sessions[0]!.wallExpiresAt).toBe(state.expiresAt);
    expect(Date.parse(status.sessions[0]!.expiresAt)).toBeCloseTo(Date.parse(state.expiresAt) - 30_000, -3);
    // Once the boot clock's deadline has passed (the wall clock set back would still give 30 s):
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(state.declaredAt) + 60_000 + 300 - Date.now())));
    const late = await faked(ws, '-30s', ['exec', '--', 'true']);
    expect(late.code).toBe(125);
    expect(late.stderr).toMatch(/expired at/);
  });

  it('verify flags a record dated before the previous one (written by a client that did not check)', async () => {
    const ws = await workspace();
    const file = jsonFile(ws.dir, 'declaration.json', declaration());
    const declared = JSON.parse((await ws.cli(['--json', 'declare', '--file', file])).stdout) as SessionJson;
    const ctx = await openContext({ repo: ws.repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'test-host' }) });
    await ctx.store.write(async (view, append) => {
      const entries = view.sessions.get(declared.sessionId)!;
      const first = entries[0]!.record;
      const backdated = sealRecord(entries, { sessionId: first.sessionId, type: 'note', at: new Date(Date.parse(first.at) - 60_000).toISOString(), host: first.host, actor: first.actor, redactions: 0, payload: { text: 'backdated' } });
      await append(backdated, declared.incidentId);
    });
    const verify = await ws.cli(['--json', 'verify']);
    expect(verify.code).toBe(1);
    const problems = (JSON.parse(verify.stdout) as { problems: Array<{ seq: number; message: string }> }).problems;
    expect(problems).toContainEqual(expect.objectContaining({ seq: 2, message: expect.stringMatching(/^Dated .*, before the previous record \(#1, .*\): the host clock moved back\.$/) }));
  });
});
