import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as nodePty from '@lydell/node-pty';
import xtermHeadless from '@xterm/headless';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bufferText } from '../../../app/recording/replay';
import { CLI, ROOT, cleanup, jsonFile, CLOSURE } from '../../support/cli';
import { allObjectsText, assertCliBuilt, declaredAgo, sessionLog, workspace, type Workspace } from '../../support/lifecycleKit';
import { sleepMarkers, sleepsWith, TEST_PROMPT, testHome } from '../../support/shellDriver';
import { waitFor } from '../../support/waitFor';

// Issue 17: `breakglass shell` on a real PTY (node-pty drives the CLI as a terminal would), real
// bash, recorded into the session's chain through the normal commit path with the real stream
// redactor; verify checks the recording; `log --transcript` prints what it showed.

const { Terminal } = xtermHeadless;
const marker = sleepMarkers();
const ptys: nodePty.IPty[] = [];
let ws: Workspace;

beforeAll(async () => {
  assertCliBuilt();
  ws = await workspace();
});
afterAll(() => cleanup(ws?.dir));
afterEach(() => {
  for (const p of ptys.splice(0)) {
    try {
      p.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** `breakglass shell` on a PTY, its screen in a headless terminal. */
function cliShell(sessionId: string) {
  const screen = new Terminal({ cols: 100, rows: 30, scrollback: 5_000, allowProposedApi: true });
  const home = testHome();
  const pty = nodePty.spawn(process.execPath, [CLI, '--repo', ws.repo, 'shell', '--session', sessionId], {
    cols: 100, rows: 30, cwd: ROOT, name: 'xterm-256color',
    env: { ...(ws.env as Record<string, string>), HOME: home, SHELL: '/bin/bash', LANG: 'C.UTF-8' },
  });
  ptys.push(pty);
  let writes = Promise.resolve();
  pty.onData((d) => {
    writes = writes.then(() => new Promise<void>((r) => screen.write(d, r)));
  });
  const exited = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  const text = async () => {
    await writes;
    return bufferText(screen);
  };
  const waitForText = (what: string, test: (s: string) => boolean, timeoutMs = 20_000) => waitFor(what, async () => test(await text()), { timeoutMs });
  return { pty, home, exited, text, waitForText };
}

/** `breakglass shell` at its first prompt, with a `setsid` and a double-forked `sleep m` started in it. */
async function shellWithEscapees(sessionId: string) {
  const m = marker();
  const sh = cliShell(sessionId);
  await sh.waitForText('the first prompt', (s) => s.includes(TEST_PROMPT));
  sh.pty.write(`setsid sleep ${m} & (sleep ${m} &) ; echo spawned\r`);
  await waitFor('the two sleeps', () => sleepsWith(m).length === 2, { timeoutMs: 10_000 });
  return { sh, m };
}

const prompts = (s: string) => s.split(TEST_PROMPT).length - 1;

describe.skipIf(process.platform !== 'linux')('breakglass shell', () => {
  it('runs the operator\'s bash recorded; verify checks it, log --transcript prints it, no secret or no-echo password reaches git', async () => {
    const state = await declaredAgo(ws.repo, 0, { durationMinutes: 30, environment: 'production' });
    const secretFile = path.join(ws.dir, 'token.txt');
    // A GitHub token shape, made at run time (no secret-shaped literal in the repository).
    const token = `ghp_${randomBytes(27).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36)}`;
    writeFileSync(secretFile, `token: ${token}\n`);
    const password = `pw-${randomBytes(6).toString('hex')}-typed`;
    const sh = cliShell(state.sessionId);
    await sh.waitForText('the first prompt', (s) => s.includes(TEST_PROMPT));
    sh.pty.write('echo $((6 * 7)) "$$"\r');
    await sh.waitForText('42 1', (s) => s.includes('42 1'));
    sh.pty.write(`cat ${secretFile}\r`);
    await sh.waitForText('the token printed', (s) => s.includes(token));
    sh.pty.write('read -s -p "Password: " pw; echo; echo "length ${#pw}"\r');
    await sh.waitForText('the password prompt', (s) => s.includes('Password: '));
    sh.pty.write(`${password}\r`);
    await sh.waitForText('the length', (s) => s.includes(`length ${password.length}`));
    sh.pty.write('sh -c "exit 7"\r');
    await sh.waitForText('a prompt after exit 7', (s) => prompts(s) >= 5);
    // `exit` without a status exits with the last command's: 7.
    sh.pty.write('exit\r');
    expect(await sh.exited).toBe(7);

    const log = await sessionLog(ws, state.sessionId);
    const types = log.map((e) => e.type);
    expect(types[0]).toBe('declared');
    expect(types[1]).toBe('recording-started');
    expect(types.at(-1)).toBe('recording-ended');
    expect(types.filter((t) => t === 'recording-chunk').length).toBeGreaterThanOrEqual(2);
    const ended = log.at(-1)!.record.payload as { how: string; exitCode: number };
    expect(ended).toMatchObject({ how: 'exit', exitCode: 7 });
    const started = log[1]!.record.payload as { containment: { kind: string }; via: string };
    expect(started).toMatchObject({ via: 'cli-shell', containment: { kind: 'pid-namespace' } });
    // The token was redacted before it was committed, and counted on its chunk.
    expect(log.some((e) => e.type === 'recording-chunk' && e.record.redactions > 0)).toBe(true);
    const objects = allObjectsText(ws.repo);
    expect(objects).not.toContain(token);
    expect(objects).not.toContain(password);

    expect((await ws.cli(['verify'])).code).toBe(0);
    const transcript = await ws.cli(['log', '--session', state.sessionId, '--transcript']);
    expect(transcript.code, transcript.stderr).toBe(0);
    expect(transcript.stdout).toContain('42 1');
    expect(transcript.stdout).toContain('[REDACTED:');
    expect(transcript.stdout).toContain('[0] echo $((6 * 7)) "$$"');
    expect(transcript.stdout).toContain('[7] sh -c "exit 7"');
    expect(transcript.stdout).not.toContain(token);
    const close = await ws.cli(['close', '--session', state.sessionId, '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)]);
    expect(close.code, close.stderr).toBe(0);
  });

  it('is ended at the expiry with a last line, setsid and double-forked children gone within 2 s', async () => {
    const state = await declaredAgo(ws.repo, 50_000, { durationMinutes: 1, environment: 'pre-production' });
    const { sh, m } = await shellWithEscapees(state.sessionId);
    await sh.exited;
    const expiry = Date.parse(state.expiresAt);
    await waitFor(`every "sleep ${m}" gone`, () => sleepsWith(m).length === 0, { timeoutMs: 5_000 });
    expect(Date.now() - expiry).toBeLessThan(2_000 + 1_000 /* the CLI's exit and this poll */);
    expect(await sh.text()).toContain('[break-glass] The session expired');
    const log = await sessionLog(ws, state.sessionId);
    expect(log.at(-1)!.record.payload).toMatchObject({ how: 'expiry' });
    expect(log.map((e) => e.type)).toContain('expired');
    // A shell cannot be opened after expiry.
    const again = cliShell(state.sessionId);
    expect(await again.exited).toBe(3);
  });

  it('kill -9 of the recording CLI ends the shell\'s namespace; closing the session records the crash recovery', async () => {
    const state = await declaredAgo(ws.repo, 0, { durationMinutes: 30, environment: 'production' });
    const { sh, m } = await shellWithEscapees(state.sessionId);
    process.kill(sh.pty.pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(`every "sleep ${m}" gone`, () => sleepsWith(m).length === 0, { timeoutMs: 5_000 });
    expect(Date.now() - killedAt).toBeLessThan(2_000);
    const close = await ws.cli(['close', '--session', state.sessionId, '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)]);
    expect(close.code, close.stderr).toBe(0);
    const log = await sessionLog(ws, state.sessionId);
    const types = log.map((e) => e.type);
    expect(types.slice(-3)).toEqual(['recording-chunk', 'recording-ended', 'closed']);
    expect(log.at(-2)!.record.payload).toMatchObject({ how: 'crash-recovered', markNonce: null });
    expect(log.at(-3)!.record.payload).toMatchObject({ ended: 'crash-recovered' });
    expect((await ws.cli(['verify'])).code).toBe(0);
  });
});
