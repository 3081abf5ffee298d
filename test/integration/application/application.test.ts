import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BootClock, Clock } from '../../../app/ports';
import { Application } from '../../../main/application/application';
import { openContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { CLOSURE, allowRoot, declaration } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';
import { waitFor } from '../../support/waitFor';

/**
 * The one application layer (main/application/, issue 11) that the console and the CLI both
 * call: the after-write work, commands run for a session, and the expiry tick. Real repository,
 * real child processes; only the clock is controlled, where time must move.
 */

const { dir: tmp, fresh } = scratchFolder('bg-application-');
const MIN = 60_000;

/** A clock the test moves: wall time and the monotonic reading separately (a jump moves only one). */
function testClock(start = Date.now()): Clock & { wall: number; mono: number } {
  const c = { wall: start, mono: 0, now: () => c.wall, monotonicMs: () => c.mono };
  return c;
}

async function application(options: { clock?: Clock; boot?: BootClock; observer?: boolean } = {}) {
  const repo = fresh('evidence');
  await GitEvidenceStore.open(repo, { create: true });
  allowRoot(repo);
  const ctx = await openContext({ repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'host-app' }), ...(options.clock ? { clock: options.clock } : {}), ...(options.boot ? { boot: options.boot } : {}) });
  const sessionEnvPath = path.join(fresh('data'), 'session.env');
  const app = new Application(ctx, { sessionEnvPath, observer: options.observer ?? false });
  return { app, ctx, repo, sessionEnvPath };
}

describe('after every write', () => {
  it('session.env follows the ledger (0600), listeners hear of each commit, and the outbox is asked to push', async () => {
    const { app, ctx, sessionEnvPath } = await application();
    const remote = fresh('remote.git');
    spawnSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    await ctx.remote.set(remote);
    let heard = 0;
    app.onCommitted(async () => {
      heard += 1;
    });

    const d = await app.declare(declaration());
    expect(heard).toBe(1);
    const active = readFileSync(sessionEnvPath, 'utf8');
    expect(active).toContain('GOVERNED_BREAK_GLASS');
    expect(active).toContain(d.state.sessionId);
    expect(active).toContain(d.commit);
    expect(statSync(sessionEnvPath).mode & 0o777).toBe(0o600);
    // The kick: the record reaches the remote without anyone pushing.
    await waitFor('the pushed declaration', () => spawnSync('git', ['rev-parse', 'refs/heads/hosts/host-app'], { cwd: remote, encoding: 'utf8' }).stdout.trim() === d.commit, { timeoutMs: 15_000 });
    ctx.outbox.stop();

    await app.note({ sessionId: d.state.sessionId }, 'lock released');
    await app.extend({ sessionId: d.state.sessionId }, { minutes: 15, reason: 'apply still running' });
    expect(heard).toBe(3);
    await app.close({ sessionId: d.state.sessionId }, CLOSURE);
    expect(heard).toBe(4);
    expect(readFileSync(sessionEnvPath, 'utf8')).toBe('export GOVERNED_BREAK_GLASS=false\n');
    await app.review(d.state.sessionId, { reviewer: { name: 'Grace Hopper', email: 'grace@example.com' }, outcome: 'justified', drill: false, findings: '', followUps: [] });
    expect(heard).toBe(5);
  });

  it('a refused write commits nothing and does no after-write work', async () => {
    const { app, ctx, sessionEnvPath } = await application();
    let heard = 0;
    app.onCommitted(async () => {
      heard += 1;
    });
    const head = (await ctx.service.read()).head;
    await expect(app.declare(declaration({ justification: 'too short' }))).rejects.toMatchObject({ code: 'invalid-input', field: 'justification' });
    expect(heard).toBe(0);
    expect(existsSync(sessionEnvPath)).toBe(false);
    expect((await ctx.service.read()).head).toBe(head);
  });
});

describe('commands run for a session', () => {
  it('runs with the session\'s environment, streams the output, and records the action before the after-write work', async () => {
    const { app, ctx } = await application();
    const d = await app.declare(declaration());
    const order: string[] = [];
    app.onCommitted(async () => {
      order.push('after-write');
    });
    let output = '';
    const started = await app.commands.start({
      argv: ['sh', '-c', 'echo "session $BREAK_GLASS_SESSION_ID"; echo oops >&2; exit 3'], shell: false, cwd: tmp, via: 'console',
      onOutput: (chunk) => {
        output += chunk.toString('utf8');
      },
      onRecorded: (o) => order.push(o.ok ? `recorded ${o.record.type}` : 'failed'),
    });
    expect(started.sessionId).toBe(d.state.sessionId);
    const done = await started.done;
    expect(order).toEqual(['recorded action', 'after-write']);
    expect(output).toContain(`session ${d.state.sessionId}`);
    expect(output).toContain('oops');
    expect(done.action).toMatchObject({ kind: 'command', exitCode: 3, stoppedBy: null, via: 'console' });
    expect(done.record).toMatchObject({ type: 'action', payload: { exitCode: 3 } });
    const entries = (await ctx.service.read()).sessions.get(d.state.sessionId)!;
    expect(entries.at(-1)?.commit).toBe(done.commit);
  });

  it('refuses before anything runs when no session is active (fail closed)', async () => {
    const { app } = await application();
    const marker = path.join(tmp, `ran-${Date.now()}`);
    await expect(app.commands.start({ argv: ['touch', marker], shell: false, cwd: tmp, via: 'cli-exec' })).rejects.toMatchObject({ code: 'no-active-session' });
    expect(existsSync(marker)).toBe(false);
  });

  it('stops a run on request, and says so in the record', async () => {
    const { app } = await application();
    await app.declare(declaration());
    const started = await app.commands.start({ argv: ['sleep', '30'], shell: false, cwd: tmp, via: 'console' });
    expect(app.commands.stop(started.runId)).toBe(true);
    const done = await started.done;
    expect(done.action.stoppedBy).toBe('operator');
    expect(app.commands.stop(started.runId)).toBe(false);
  });
});

describe('the expiry tick', () => {
  it('warns once at each threshold, then at the expiry instant records `expired`, stops the session\'s commands and updates session.env', async () => {
    const clock = testClock();
    const { app, ctx, sessionEnvPath } = await application({ clock });
    const d = await app.declare(declaration({ durationMinutes: 30 }));
    const expiresAt = Date.parse(d.state.expiresAt);
    const tick = async () => app.tick.run(await ctx.service.read(), clock.now());

    expect(await tick()).toEqual({ changed: false, warnings: [] });
    clock.wall = expiresAt - 4 * MIN;
    clock.mono += clock.wall - (expiresAt - 30 * MIN);
    expect(await tick()).toEqual({ changed: false, warnings: [{ sessionId: d.state.sessionId, minutesLeft: 5, expiresAt: d.state.expiresAt }] });
    expect((await tick()).warnings).toEqual([]);

    const running = await app.commands.start({ argv: ['sleep', '30'], shell: false, cwd: tmp, via: 'console' });
    clock.mono += 4 * MIN + 1_000;
    clock.wall = expiresAt + 1_000;
    const ticked = await tick();
    expect(ticked.changed).toBe(true);
    // The run was stopped at the expiry, and its action says so.
    const done = await running.done;
    expect(done.action).toMatchObject({ stoppedBy: 'expiry', exitCode: null, signal: 'SIGTERM' });
    const types = (await ctx.service.read()).sessions.get(d.state.sessionId)!.map((e) => e.record.type);
    expect(types).toEqual(['declared', 'action-started', 'expired', 'action']);
    expect(readFileSync(sessionEnvPath, 'utf8')).toBe('export GOVERNED_BREAK_GLASS=false\n');
    expect(await tick()).toEqual({ changed: false, warnings: [] });
  });

  it('records a wall-clock jump as clock-skew in this host\'s open sessions; the expiry does not move', async () => {
    const clock = testClock();
    const { app, ctx } = await application({ clock });
    const d = await app.declare(declaration());
    const tick = async () => app.tick.run(await ctx.service.read(), clock.now());
    await tick();
    clock.wall += 10 * MIN; // the wall clock jumps; the monotonic clock did not move
    expect((await tick()).changed).toBe(true);
    const entries = (await ctx.service.read()).sessions.get(d.state.sessionId)!;
    expect(entries.at(-1)?.record.type).toBe('clock-skew');
    expect((await ctx.service.sessions()).find((s) => s.sessionId === d.state.sessionId)?.expiresAt).toBe(d.state.expiresAt);
    // After a resume from sleep the baseline is taken afresh: no jump is read into the sleep.
    app.tick.resetClockBaseline();
    clock.wall += 5 * MIN;
    expect((await tick()).changed).toBe(false);
  });

  it('with a boot clock (issue 16), a wall clock set back is checked against it: clock-skew, and the session ends by the boot clock', async () => {
    const clock = testClock();
    // The test clock's monotonic reading is the boot clock here: what /proc/uptime gives on Linux.
    const boot: BootClock = { read: () => ({ id: '93afa914-24e7-4bcf-ad50-529614aa08b5', sinceBootMs: 3_600_000 + clock.mono }) };
    const { app, ctx } = await application({ clock, boot });
    const d = await app.declare(declaration({ durationMinutes: 30 }));
    const tick = async () => app.tick.run(await ctx.service.read(), clock.now());
    expect(await tick()).toEqual({ changed: false, warnings: [] });
    clock.wall += 10 * MIN;
    clock.mono += 10 * MIN;
    // Within the tolerance (120 s) nothing is written.
    clock.wall -= 90_000;
    expect((await tick()).changed).toBe(false);
    clock.wall -= 5 * MIN;
    expect((await tick()).changed).toBe(true);
    const skew = (await ctx.service.read()).sessions.get(d.state.sessionId)!.at(-1)!.record;
    expect(skew).toMatchObject({ type: 'clock-skew', payload: { skewMs: -(6 * MIN + 30_000), elapsed: { sinceSeq: 1, wallMs: 3 * MIN + 30_000, bootMs: 10 * MIN } } });
    const expiresAt = Date.parse(d.state.expiresAt) - (6 * MIN + 30_000);
    expect((await ctx.service.sessions()).find((s) => s.sessionId === d.state.sessionId)).toMatchObject({ expiresAt: new Date(expiresAt).toISOString(), wallExpiresAt: d.state.expiresAt });
    // The countdown follows the earlier deadline: warned at 5 minutes left by it, expired at it.
    clock.wall = expiresAt - 4 * MIN;
    clock.mono = 26 * MIN;
    expect((await tick()).warnings).toEqual([{ sessionId: d.state.sessionId, minutesLeft: 5, expiresAt: new Date(expiresAt).toISOString() }]);
    clock.wall = expiresAt + 1_000;
    clock.mono = 30 * MIN + 1_000;
    expect((await tick()).changed).toBe(true);
    const expired = (await ctx.service.read()).sessions.get(d.state.sessionId)!.at(-1)!.record;
    expect(expired).toMatchObject({ type: 'expired', at: new Date(expiresAt).toISOString(), payload: { expiresAt: new Date(expiresAt).toISOString() } });
  });

  it('an observer\'s tick writes nothing and warns of nothing', async () => {
    const clock = testClock();
    const { app: writer } = await application({ clock });
    const d = await writer.declare(declaration());
    const observer = new Application(writer.ctx, { sessionEnvPath: path.join(fresh('observer'), 'session.env'), observer: true });
    clock.wall = Date.parse(d.state.expiresAt) + 1_000;
    expect(await observer.tick.run(await writer.ctx.service.read(), clock.now())).toEqual({ changed: false, warnings: [] });
    await observer.tick.recordMissedExpiries();
    expect((await writer.ctx.service.read()).sessions.get(d.state.sessionId)!.map((e) => e.record.type)).toEqual(['declared']);
  });
});
