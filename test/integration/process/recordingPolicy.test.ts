import { afterEach, describe, expect, it } from 'vitest';
import { parseAsciicast } from '../../../app/recording/asciicast';
import type { RecordingChunk } from '../../../app/recording/model';
import { driveShell, type ShellDriver } from '../../support/shellDriver';
import { waitFor } from '../../support/waitFor';

// Issue 17, "Fail closed, by policy": a governed bash whose chunks cannot be committed for a while,
// with the recorder in its worker thread as the product runs it.

let open: ShellDriver | null = null;
afterEach(async () => {
  if (open) await open.shell.end('close');
  open = null;
});

function flakyCommitter() {
  const committed: RecordingChunk[] = [];
  const state = { failing: false, refused: 0 };
  return {
    committed,
    state,
    onChunk: async (chunk: RecordingChunk) => {
      if (state.failing) {
        state.refused++;
        throw new Error('the evidence repository refused the write');
      }
      committed.push(chunk);
    },
  };
}

describe('recording policy', () => {
  it('strict: pauses the shell while chunks cannot be committed, holds what is typed, and resumes in order', async () => {
    const commits = flakyCommitter();
    const states: string[] = [];
    open = await driveShell({ shell: '/bin/bash', mode: 'strict', maxChunkMs: 300, onChunk: commits.onChunk, onStatus: (s) => states.push(s.state) });
    const driver = open;
    await driver.run('echo before');
    commits.state.failing = true;
    driver.type('echo while-failing\r');
    await waitFor('the shell paused', () => driver.shell.status().state === 'paused');
    driver.type('echo typed-while-paused-$((40 + 2))\r');
    await waitFor('two refused retries', () => commits.state.refused >= 3);
    // Nothing typed while paused has run: its output is not on the operator's screen.
    expect(await driver.screen()).not.toContain('typed-while-paused-42');
    commits.state.failing = false;
    await driver.waitForScreen('the held command ran', (s) => s.includes('typed-while-paused-42'));
    expect(states).toEqual(['paused', 'recording']);
    driver.type('exit\r');
    await driver.shell.ended;
    open = null;
    const seqs = commits.committed.map((c) => c.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const output = parseAsciicast(commits.committed.map((c) => c.text).join('')).events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    expect(output.indexOf('while-failing')).toBeLessThan(output.indexOf('typed-while-paused-42'));
  });

  it('best-effort: keeps the shell running while degraded, and commits the backlog once it can', async () => {
    const commits = flakyCommitter();
    const states: string[] = [];
    open = await driveShell({ shell: '/bin/bash', mode: 'best-effort', maxChunkMs: 300, onChunk: commits.onChunk, onStatus: (s) => states.push(s.state) });
    const driver = open;
    commits.state.failing = true;
    await driver.run('echo first');
    await waitFor('degraded', () => driver.shell.status().state === 'degraded');
    expect(await driver.run('echo still-running-$((6 * 7))')).toContain('still-running-42');
    commits.state.failing = false;
    driver.type('exit\r');
    await driver.shell.ended;
    open = null;
    expect(states[0]).toBe('degraded');
    const text = commits.committed.map((c) => c.text).join('');
    expect(parseAsciicast(text).events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toContain('still-running-42');
    expect(commits.committed.at(-1)!.ended).toBe('exit');
  });

  it('does not start the shell when the recording cannot be committed at all', async () => {
    await expect(driveShell({ shell: '/bin/bash', onChunk: async () => { throw new Error('read-only'); } })).rejects.toThrow('could not be committed');
  });
});
