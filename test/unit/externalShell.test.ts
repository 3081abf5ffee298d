import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { breakglassCli, governedShellCommand, terminalRunning, withCommandFile } from '../../main/process/externalShell';

// Issue 17: the external terminal runs a recorded `breakglass shell`, never a bare shell.

const CMD = ['/usr/bin/node', '/opt/bg/bin/breakglass.js', '--repo', '/r', 'shell', '--session', 'S-1'];

describe('the terminal running the governed shell', () => {
  it('puts the command where {command} stands in a configured terminal', () => {
    expect(terminalRunning(['myterm', '--title', 'bg', '{command}', '--hold'], CMD, 'linux')).toEqual(['myterm', '--title', 'bg', ...CMD, '--hold']);
  });

  it('follows each terminal family’s convention', () => {
    expect(terminalRunning(['x-terminal-emulator'], CMD, 'linux')).toEqual(['x-terminal-emulator', '-e', ...CMD]);
    expect(terminalRunning(['xterm', '-fa', 'Mono'], CMD, 'linux')).toEqual(['xterm', '-fa', 'Mono', '-e', ...CMD]);
    for (const t of ['gnome-terminal', '/usr/bin/tilix', 'xfce4-terminal', 'mate-terminal', 'kgx', 'ptyxis']) {
      expect(terminalRunning([t], CMD, 'linux')).toEqual([t, '--', ...CMD]);
    }
    expect(terminalRunning(['wezterm'], CMD, 'linux')).toEqual(['wezterm', 'start', '--', ...CMD]);
    expect(terminalRunning(['kitty'], CMD, 'linux')).toEqual(['kitty', ...CMD]);
    expect(terminalRunning(['foot'], CMD, 'linux')).toEqual(['foot', ...CMD]);
    expect(terminalRunning(['cmd.exe', '/c', 'start', 'cmd.exe'], CMD, 'win32')).toEqual(['cmd.exe', '/c', 'start', 'cmd.exe', '/k', ...CMD]);
  });

  it('on macOS opens a private .command file that execs the governed shell', () => {
    const argv = terminalRunning(['open', '-n', '-a', 'Terminal'], [...CMD.slice(0, 4), "/it's here", ...CMD.slice(4)], 'darwin');
    expect(argv.slice(0, 4)).toEqual(['open', '-n', '-a', 'Terminal']);
    const file = argv[4]!;
    expect(file).toMatch(/governed-shell\.command$/);
    expect(statSync(file).mode & 0o777).toBe(0o700);
    expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(`#!/bin/sh\nexec '/usr/bin/node' '/opt/bg/bin/breakglass.js' '--repo' '/r' '/it'\\''s here' 'shell' '--session' 'S-1'\n`);
    expect(withCommandFile(['a'])).not.toBe(file);
  });

  it('names the repository and the session', () => {
    expect(governedShellCommand(['breakglass'], 'S-9', '/data/evidence')).toEqual(['breakglass', '--repo', '/data/evidence', 'shell', '--session', 'S-9']);
  });
});

describe('finding the CLI', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bg-cli-'));
  const dist = path.join(root, 'app', 'dist');
  mkdirSync(dist, { recursive: true });
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  const onPath = path.join(bin, 'breakglass');
  writeFileSync(onPath, '#!/bin/sh\n', { mode: 0o755 });

  it('prefers an absolute $BREAKGLASS_CLI and ignores a relative one', () => {
    expect(breakglassCli({ BREAKGLASS_CLI: onPath, PATH: '' }, dist)).toEqual([onPath]);
    expect(breakglassCli({ BREAKGLASS_CLI: 'breakglass', PATH: '' }, dist)).toBeNull();
  });

  it('runs bin/breakglass.js beside the bundle under this (plain) Node', () => {
    mkdirSync(path.join(root, 'app', 'bin'), { recursive: true });
    const script = path.join(root, 'app', 'bin', 'breakglass.js');
    writeFileSync(script, '');
    expect(breakglassCli({ PATH: bin }, dist)).toEqual([process.execPath, script]);
  });

  it('falls back to breakglass on the PATH, and to nothing', () => {
    const elsewhere = path.join(root, 'nowhere', 'dist');
    expect(breakglassCli({ PATH: `relative${path.delimiter}${bin}` }, elsewhere)).toEqual([onPath]);
    expect(breakglassCli({ PATH: '' }, elsewhere)).toBeNull();
  });
});
