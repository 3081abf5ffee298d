import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import xtermHeadless from '@xterm/headless';
import type { RecordingChunk } from '../../app/recording/model';
import { bufferText } from '../../app/recording/replay';
import { namespaceInit } from '../../main/process/containment';
import { startRecordedShell, type RecordedShell, type RecordedShellOptions } from '../../main/process/recordedShell';
import { TEST_DOUBLE_REDACTOR_MODULE } from './testDoubleRedactor';
import { afterEach } from 'vitest';
import { waitFor } from './waitFor';

const { Terminal } = xtermHeadless;

/** The prompt the test home's dotfiles set, so a test can tell when the shell waits for input. */
export const TEST_PROMPT = 'bg-test$ ';

/**
 * A temporary HOME with the operator's own dotfiles: a prompt and an alias, so tests also see that
 * the integration sources ~/.bashrc and ~/.zshrc unchanged.
 */
export function testHome(): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'bg-shell-home-'));
  // A PROMPT_COMMAND ending in ';', as pyenv's does, must not break the integration's own.
  writeFileSync(path.join(home, '.bashrc'), `PS1='${TEST_PROMPT}'\nalias whoareyou='echo operator-alias-works'\nHISTFILE=/dev/null\nPROMPT_COMMAND='true;'\n`);
  writeFileSync(path.join(home, '.zshrc'), `PROMPT='${TEST_PROMPT}'\nalias whoareyou='echo operator-alias-works'\nHISTFILE=/dev/null\n`);
  return home;
}

/** A governed shell driven like a person at the console's terminal tab: a live screen, typing, chunks. */
export interface ShellDriver {
  shell: RecordedShell;
  chunks: RecordingChunk[];
  /** Everything the live terminal shows (scrollback included). */
  screen(): Promise<string>;
  type(text: string): void;
  waitForScreen(what: string, test: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Types a command line and waits for the next prompt after it. */
  run(line: string): Promise<string>;
  recording(): string;
}

/** Starts a recorded shell in a test home, with a live headless terminal as the operator's screen. */
export async function driveShell(options: Partial<RecordedShellOptions> & { shell: string }): Promise<ShellDriver> {
  const live = new Terminal({ cols: options.cols ?? 100, rows: options.rows ?? 30, scrollback: 10_000, allowProposedApi: true });
  let pendingWrites = Promise.resolve();
  const chunks: RecordingChunk[] = [];
  const home = options.env?.HOME ?? testHome();
  const shell = await startRecordedShell({
    cwd: home, cols: 100, rows: 30, mode: 'strict',
    // By default in a worker, as the product runs it; a test may pass a redactor object instead.
    redactor: options.redactor ?? TEST_DOUBLE_REDACTOR_MODULE,
    onChunk: async (c) => void chunks.push(c),
    ...options,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...options.env, HOME: home, SHELL: options.shell },
    onOutput: (data) => {
      options.onOutput?.(data);
      pendingWrites = pendingWrites.then(() => new Promise<void>((r) => live.write(data, r)));
    },
  });
  const screen = async () => {
    await pendingWrites;
    return bufferText(live);
  };
  const waitForScreen = (what: string, test: (s: string) => boolean, timeoutMs = 10_000) =>
    waitFor(what, async () => {
      const s = await screen();
      return test(s) ? s : null;
    }, { timeoutMs });
  const prompts = async () => (await screen()).split(TEST_PROMPT).length - 1;
  await waitForScreen('the first prompt', (s) => s.includes(TEST_PROMPT));
  return {
    shell, chunks, screen, waitForScreen,
    type: (text) => shell.input(text),
    async run(line) {
      const before = await prompts();
      shell.input(`${line}\r`);
      await waitFor(`the prompt after ${JSON.stringify(line)}`, async () => (await prompts()) > before);
      return screen();
    },
    recording: () => chunks.map((c) => c.text).join(''),
  };
}

/**
 * Whether the shell's terminal echoes input now (the ECHO flag of its PTY, read with stty from
 * outside the namespace). A no-echo prompt clears it before it reads: tests wait for that state,
 * as a person waits for the prompt, instead of racing the program.
 */
export function terminalEchoes(shell: RecordedShell): boolean {
  const init = namespaceInit(shell.pid);
  if (init === null) throw new Error('no namespace init');
  const tty = readlinkSync(`/proc/${init}/fd/0`);
  const flags = execFileSync('stty', ['-a', '-F', tty], { encoding: 'utf8' });
  return /(^|\s)echo(\s|$)/.test(flags);
}

/** Live processes whose command line contains `marker` (seen from outside any namespace). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(marker) && state !== 'Z') found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/** A number no other test uses, to find this test's processes by their command line. */
/** The `sleep MARKER` processes themselves (wrappers' and shells' command lines name the marker too). */
export function sleepsWith(marker: number): number[] {
  return processesWith(`sleep ${marker}`).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  });
}

export function uniqueSeconds(): number {
  return 600_000 + Math.floor(Math.random() * 300_000);
}

/** A command line leaving `sleep m` behind three ways: `setsid`, a double fork and `nohup`. */
export const escapees = (m: number) => `setsid sleep ${m} & (sleep ${m} &) ; nohup sleep ${m} >/dev/null 2>&1 &`;

/**
 * Fresh `sleep N` markers for a test file's escape attempts (`setsid sleep N &` and the like);
 * whatever a failed test left running with them is killed after each test. Call at module level.
 */
export function sleepMarkers(): () => number {
  const markers: number[] = [];
  afterEach(() => {
    for (const m of markers.splice(0)) for (const pid of processesWith(`sleep ${m}`)) process.kill(pid, 'SIGKILL');
  });
  return () => {
    const m = uniqueSeconds();
    markers.push(m);
    return m;
  };
}
