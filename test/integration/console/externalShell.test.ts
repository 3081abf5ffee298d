import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playbackOf } from '../../../app/recording/playback';
import { Application } from '../../../main/application/application';
import { openContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { breakglassCli } from '../../../main/process/externalShell';
import { allowRoot, declaration } from '../../support/cli';
import { assertCliBuilt } from '../../support/lifecycleKit';
import { scratchFolder } from '../../support/scratch';
import { waitFor } from '../../support/waitFor';

// Issue 17: "Open governed shell" with an external terminal runs `breakglass shell` inside it, so
// what is typed and shown there is recorded like the Terminal tab. The "terminal" here is a small
// program taking `-e` like xterm: it runs the command under a real PTY, types into it, and keeps
// what the screen showed.

const { fresh } = scratchFolder('bg-external-shell-');
const HOST = 'host-external';

const FAKE_TERMINAL = `#!/usr/bin/env python3
import os, pty, sys, time
assert sys.argv[1] == '-e', sys.argv
log = os.environ['FAKE_TERMINAL_LOG']
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b''
def read(deadline):
    global seen
    while time.time() < deadline:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        if b'recorded governed shell' in seen:
            return True
    return True
read(time.time() + 60)
time.sleep(1.0)
os.write(fd, b'echo governed-$((6*7))\\r')
time.sleep(1.0)
os.write(fd, b'exit 3\\r')
while read(time.time() + 60):
    pass
_, status = os.waitpid(pid, 0)
with open(log, 'wb') as f:
    f.write(seen + b'\\n@@exit=' + str(os.waitstatus_to_exitcode(status)).encode())
`;

const saved = { ...process.env };
beforeAll(() => assertCliBuilt());
afterAll(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

async function application() {
  const repo = fresh('evidence');
  await GitEvidenceStore.open(repo, { create: true });
  allowRoot(repo);
  const data = fresh('data');
  // The terminal inherits the console's environment: the CLI inside must find the same host and data.
  Object.assign(process.env, { BREAKGLASS_DATA_DIR: data, BREAKGLASS_HOST_ID: HOST, SHELL: '/bin/bash' });
  const ctx = await openContext({ repo, env: process.env, host: nodeHostInfo(process.env) });
  const app = new Application(ctx, { sessionEnvPath: path.join(data, 'session.env'), observer: false });
  return { app, ctx, repo };
}

describe('the external terminal', () => {
  it('runs a recorded breakglass shell: what was typed and shown is in the session, with its exit status', async () => {
    const { app, ctx, repo } = await application();
    const d = await app.declare(declaration());
    const terminal = fresh('fake-terminal');
    writeFileSync(terminal, FAKE_TERMINAL);
    chmodSync(terminal, 0o755);
    const log = fresh('terminal-log');
    process.env.FAKE_TERMINAL_LOG = log;
    const cli = breakglassCli();
    expect(cli).not.toBeNull();

    const opened = await app.commands.openShell(d.state.sessionId, async () => [terminal]);
    expect(opened.record).toMatchObject({ type: 'action', payload: { kind: 'shell-opened', argv: [terminal, '-e', ...cli!, '--repo', repo, 'shell', '--session', d.state.sessionId] } });

    await waitFor('the terminal to close', () => existsSync(log), { timeoutMs: 60_000 });
    const screen = readFileSync(log, 'utf8');
    expect(screen).toContain('governed-42');
    expect(screen).toMatch(/@@exit=3$/);

    const records = (await ctx.service.read()).sessions.get(d.state.sessionId)!.map((e) => e.record);
    const [recording] = await playbackOf(records);
    expect(recording).toMatchObject({ via: 'cli-shell', ended: { how: 'exit', exitCode: 3 } });
    expect(recording!.transcript).toContain('governed-42');
    // The index is the shell's own claim: `exit` never reaches its next prompt, so it has no status there.
    expect(recording!.commands?.commands.map((c) => [c.commandLine, c.exitStatus, c.problems])).toEqual([['echo governed-$((6*7))', 0, []], ['exit 3', null, ['never-finished']]]);
  }, 120_000);

  it('opens nothing when no breakglass CLI can be found: a bare terminal would record nothing', async () => {
    const { app, ctx } = await application();
    const d = await app.declare(declaration());
    const marker = fresh('opened');
    let asked = false;
    await expect(app.commands.openShell(d.state.sessionId, async () => {
      asked = true;
      return ['sh', '-c', `touch ${marker}`];
    }, null)).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/Terminal tab/) });
    expect(asked).toBe(false);
    expect(existsSync(marker)).toBe(false);
    const types = (await ctx.service.read()).sessions.get(d.state.sessionId)!.map((e) => e.record.type);
    expect(types).toEqual(['declared']);
  });
});
