import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAsciicast } from '../../../app/recording/asciicast';
import { indexCommands } from '../../../app/recording/commandIndex';
import { renderTranscript } from '../../../app/recording/transcript';
import { driveShell, terminalEchoes, type ShellDriver } from '../../support/shellDriver';
import { waitFor } from '../../support/waitFor';
import { testSecret } from '../../support/testDoubleRedactor';

// Issue 17, "How it is checked": real shells on real PTYs inside their PID namespace, recorded,
// played back through @xterm/headless.
const shells = [
  { name: 'bash', path: '/bin/bash' },
  // zsh comes from .ci/run's apt list; where it is missing the zsh cases say so and skip.
  { name: 'zsh', path: '/usr/bin/zsh' },
];

let open: ShellDriver | null = null;
afterEach(async () => {
  if (open) await open.shell.end('close');
  open = null;
});

describe.each(shells)('governed $name', ({ path: shellPath }) => {
  const present = existsSync(shellPath);

  it.skipIf(!present)('runs what the operator types, and the recording plays back to the same text', async () => {
    open = await driveShell({ shell: shellPath });
    const driver = open;
    expect(driver.shell.containment.kind).toBe('pid-namespace');
    const after = await driver.run('echo $((6 * 7)) "$$"');
    // Inside its own PID namespace the shell is PID 1.
    expect(after).toContain('42 1');
    expect(await driver.run('whoareyou')).toContain('operator-alias-works');
    await driver.run('printf "\\033[1;32mgreen\\033[0m and plain\\n"');
    driver.type('exit\r');
    const ended = await driver.shell.ended;
    expect(ended).toMatchObject({ how: 'exit', exit: { exitCode: 0 } });
    const live = await driver.screen();
    expect(live).toContain('green and plain');
    const recording = driver.recording();
    expect(parseAsciicast(recording).events.at(-1)![1]).toBe('x');
    expect(await renderTranscript(recording, { cols: 100, rows: 30 })).toBe(live.replace(/\n+$/, ''));
    expect(driver.chunks.at(-1)!.ended).toBe('exit');
    open = null;
  });

  it.skipIf(!present)('indexes each command of a scripted session with its exit status', async () => {
    open = await driveShell({ shell: shellPath });
    const driver = open;
    const lines = ['true', 'false', 'ls /nonexistent-dir', 'echo "semi;colon" \\\\back', 'sh -c "exit 7"', 'sleep 1; echo after'];
    for (const line of lines) await driver.run(line);
    driver.type('exit\r');
    await driver.shell.ended;
    open = null;
    const index = await indexCommands(driver.recording(), { nonce: driver.shell.nonce });
    expect(index.ignoredMarks).toBe(0);
    const listed = index.commands.map((c) => ({ line: c.commandLine, status: c.exitStatus, problems: c.problems }));
    expect(listed.slice(0, lines.length)).toEqual([
      { line: 'true', status: 0, problems: [] },
      { line: 'false', status: 1, problems: [] },
      { line: 'ls /nonexistent-dir', status: 2, problems: [] },
      { line: 'echo "semi;colon" \\\\back', status: 0, problems: [] },
      { line: 'sh -c "exit 7"', status: 7, problems: [] },
      { line: 'sleep 1; echo after', status: 0, problems: [] },
    ]);
    const sleepy = index.commands[5]!;
    // Times are when the PTY was read, so a busy machine blurs them by some milliseconds.
    expect(sleepy.endedAt! - sleepy.startedAt!).toBeGreaterThan(0.8);
    // `exit` itself never comes back to a prompt: the index says so rather than inventing a status.
    expect(listed[lines.length]).toEqual({ line: 'exit', status: null, problems: ['never-finished'] });
  });

  it.skipIf(!present)('never records a password typed at a no-echo prompt, nor a secret printed by cat', async () => {
    open = await driveShell({ shell: shellPath });
    const driver = open;
    const password = `pw-${Math.random().toString(36).slice(2)}-typed`;
    const secret = testSecret();
    const readLine = shellPath.endsWith('zsh') ? 'read -s "pw?Password: "; echo; echo "length ${#pw}"' : 'read -s -p "Password: " pw; echo; echo "length ${#pw}"';
    driver.type(`${readLine}\r`);
    await driver.waitForScreen('the password prompt', (s) => s.includes('Password:'));
    // What makes the password safe: the program turned the terminal's echo off before reading.
    await waitFor('echo turned off by read -s', () => !terminalEchoes(driver.shell));
    driver.type(`${password}\r`);
    await driver.waitForScreen('the length line', (s) => s.includes(`length ${password.length}`));
    await driver.run(`printf 'deploy token: %s\\n' ${secret.slice(0, 7)}${secret.slice(7)}`);
    await driver.run('echo done');
    driver.type('exit\r');
    await driver.shell.ended;
    open = null;
    const recording = driver.recording();
    expect(recording).toContain(`length ${password.length}`);
    expect(recording).not.toContain(password);
    expect(recording).not.toContain(secret);
    expect(recording).toContain('[REDACTED:test-secret]');
    // The operator's own screen showed the secret; the evidence does not.
    expect(await driver.screen()).toContain(`deploy token: ${secret}`);
    expect(await renderTranscript(recording)).not.toContain(password);
  });
});
