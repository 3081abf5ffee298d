import { constants } from 'node:os';
import { createRequire } from 'node:module';
import type * as NodePty from '@lydell/node-pty';

/**
 * The PTY under a governed shell (issue 17), through @lydell/node-pty (node-pty with its prebuilt
 * binaries inside the npm package, the pair Teleport Connect uses with xterm.js). This file knows
 * nothing about containment: container.ts puts the container's wrapper in front of the argv.
 * Like Teleport Connect's PtyProcess, the executable is checked before spawning (container.ts),
 * because node-pty reports a missing one differently per platform.
 */

/** The PTY handle a session uses: output, input, size and flow control (pause stops reading). */
export interface PtyHandle {
  readonly pid: number;
  onData(listener: (data: string) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Stops reading the PTY: the kernel's buffer fills and the programs writing to it block. */
  pause(): void;
  resume(): void;
}

/** How the process on a PTY ended: its exit code, or the name of the signal that killed it. */
export interface PtyExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Size and terminal type of a new PTY. */
export interface PtySize {
  cols: number;
  rows: number;
  /** TERM for the programs inside; xterm-256color matches what @xterm/xterm implements. */
  term?: string;
}

// Loaded on the first PTY: a native module every CLI command would otherwise load at start-up.
let nodePtyModule: typeof NodePty | null = null;
const nodePty = (): typeof NodePty => (nodePtyModule ??= createRequire(import.meta.url)('@lydell/node-pty') as typeof NodePty);

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** Spawns `file args` on a new PTY; `exited` resolves once the process has ended. */
export function spawnPty(file: string, args: string[], options: PtySize & { cwd: string; env: Record<string, string> }): { pty: PtyHandle; exited: Promise<PtyExit> } {
  const term = options.term ?? 'xterm-256color';
  const pty = nodePty().spawn(file, args, {
    name: term,
    cols: options.cols,
    rows: options.rows,
    cwd: options.cwd,
    env: { ...options.env, TERM: term },
    encoding: 'utf8',
  });
  const exited = new Promise<PtyExit>((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      const name = signal ? (signalNames.get(signal) ?? null) : null;
      resolve({ exitCode: name ? null : exitCode, signal: name });
    });
  });
  return {
    pty: {
      pid: pty.pid,
      onData: (listener) => pty.onData(listener),
      write: (data) => pty.write(data),
      resize: (cols, rows) => pty.resize(cols, rows),
      pause: () => pty.pause(),
      resume: () => pty.resume(),
    },
    exited,
  };
}
