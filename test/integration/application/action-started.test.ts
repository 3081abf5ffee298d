import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../app/ports';
import { Application } from '../../../main/application/application';
import { CommandRanUnrecorded, SessionCommands } from '../../../main/application/commands';
import { openContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { allowRoot, declaration, jsonFile } from '../../support/cli';
import { assertCliBuilt } from '../../support/lifecycleKit';
import { IS_ROOT, operatorRepo, type NamedUser, type OperatorRepo } from '../../support/namedUser';
import { scratchFolder } from '../../support/scratch';

// Issue 12 item 7: a command's evidence exists before it runs. An `action-started` record is
// committed first (if it cannot be, nothing runs); the ending is always recorded, even after the
// session expired while the command ran; `exec` exits 125 only when nothing ran.

const { dir: tmp, fresh } = scratchFolder('bg-action-started-');
const MIN = 60_000;

async function application(clock?: Clock) {
  const repo = fresh('evidence');
  await GitEvidenceStore.open(repo, { create: true });
  allowRoot(repo);
  const ctx = await openContext({ repo, env: { ...process.env, BREAKGLASS_DATA_DIR: fresh('data') }, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'host-started' }), ...(clock ? { clock } : {}) });
  const app = new Application(ctx, { sessionEnvPath: path.join(fresh('data'), 'session.env'), observer: false });
  return { app, ctx, repo };
}

describe('action-started, in process', () => {
  it('is committed before the command runs: the command itself finds it at the head of the repository', async () => {
    const { app, ctx, repo } = await application();
    const d = await app.declare(declaration());
    // This host's records are on its own ref (issue 14).
    const started = await app.commands.start({ argv: ['git', '-C', repo, 'log', '-1', '--format=%s', 'refs/heads/hosts/host-started'], shell: false, cwd: tmp, via: 'console' });
    const done = await started.done;
    expect(done.action.output).toContain(`breakglass(${d.state.sessionId}): action-started`);
    const records = (await ctx.service.read()).sessions.get(d.state.sessionId)!.map((e) => e.record);
    const start = records.find((r) => r.type === 'action-started')!;
    expect(start).toMatchObject({ payload: { kind: 'command', argv: ['git', '-C', repo, 'log', '-1', '--format=%s', 'refs/heads/hosts/host-started'], via: 'console' } });
    expect(done.record).toMatchObject({ type: 'action', payload: { started: { seq: start.seq, hash: start.hash } } });
  });

  it('the ending is recorded even when the session expired while the command ran', async () => {
    const c = { wall: Date.now(), mono: 0, now: () => c.wall, monotonicMs: () => c.mono };
    const { app, ctx } = await application(c);
    const d = await app.declare(declaration({ durationMinutes: 30 }));
    const started = await app.commands.start({ argv: ['sh', '-c', 'sleep 1; echo done'], shell: false, cwd: tmp, via: 'cli-exec' });
    // The clock passes the expiry while the command runs; nothing stops it first (the runner's next look at the clock is a minute away).
    c.wall += 31 * MIN;
    c.mono += 31 * MIN;
    const done = await started.done;
    expect(done.action.output).toBe('done\n');
    const types = (await ctx.service.read()).sessions.get(d.state.sessionId)!.map((e) => e.record.type);
    expect(types).toEqual(['declared', 'action-started', 'expired', 'action']);
    // A new command is refused now: finishing is allowed only for what started in time.
    await expect(app.commands.start({ argv: ['true'], shell: false, cwd: tmp, via: 'cli-exec' })).rejects.toMatchObject({ code: 'no-active-session' });
  });

  it('when the ending can never be committed, says the command ran (not "nothing changed")', async () => {
    const { app, ctx } = await application();
    await app.declare(declaration());
    // The store fails for the ending only: the command itself puts a file where the repository's objects were.
    const commands = new SessionCommands(ctx, async () => {}, [10, 10]);
    const objects = path.join(ctx.repoDir, 'objects');
    const started = await commands.start({ argv: ['sh', '-c', 'mv objects objects.away && : > objects'], shell: false, cwd: ctx.repoDir, via: 'cli-exec' });
    const error = await started.done.then(() => null, (e: unknown) => e);
    spawnSync('sh', ['-c', 'rm objects && mv objects.away objects'], { cwd: ctx.repoDir });
    expect(existsSync(path.join(objects, 'info'))).toBe(true);
    expect(error).toBeInstanceOf(CommandRanUnrecorded);
    expect((error as CommandRanUnrecorded).code).toBe('evidence-not-committed');
    expect((error as Error).message).toMatch(/The command ran \(recorded as started, bg-[0-9a-f-]+ #2\)/);
  });
});

describe('exec as a named operator whose object store is read-only' + (IS_ROOT ? '' : ' [skipped: needs root to create a user]'), () => {
  let op: OperatorRepo | undefined;
  let named: NamedUser | undefined;
  let dir = '';
  let repo = '';
  const asUser = (args: string[]) => op!.asUser(args);

  beforeAll(async () => {
    if (!IS_ROOT) return;
    assertCliBuilt();
    op = await operatorRepo('bgstart');
    ({ named, dir, repo } = op);
  });
  afterAll(() => op?.remove());

  it.skipIf(!IS_ROOT)('refuses with 125 and runs nothing', async () => {
    const decl = jsonFile(dir, 'decl.json', declaration());
    spawnSync('chown', [`${named!.uid}:${named!.gid}`, decl]);
    const declared = await asUser(['declare', '--file', decl]);
    expect(declared.code, declared.stderr).toBe(0);
    spawnSync('chmod', ['-R', 'a-w', path.join(repo, 'objects')]);
    const marker = path.join(dir, 'ran');
    const r = await asUser(['exec', '--', 'sh', '-c', `echo ran > ${JSON.stringify(marker)}`]);
    spawnSync('chmod', ['-R', 'u+w', path.join(repo, 'objects')]);
    expect(r.code, r.stderr).toBe(125);
    expect(existsSync(marker)).toBe(false);
  });
});
