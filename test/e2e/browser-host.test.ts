import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, CDP_PORT_WARNING, chromiumLaunchOptions, launchConsole, ROOT } from '../browser/host';
import { freePort, portAccepts } from '../support/gitDaemon';
import { waitFor } from '../support/waitFor';
import { removeWorkspaces, workspace } from '../support/workspace';

// Issue 12 item 16: the browser host's Chromium is driven over a pipe, never a TCP DevTools port
// unless asked for (with a warning that every local account can connect), and runs without its
// sandbox only as root.

/** The command lines of this process's child processes (Playwright starts Chromium as one). */
function childCommandLines(): string[][] {
  const out: string[][] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean));
    } catch {
      /* the process ended while we looked */
    }
  }
  return out;
}

beforeAll(() => assertRendererBuilt());
afterAll(() => removeWorkspaces());

describe('the browser test host', () => {
  it('drives Chromium over a pipe: no DevTools TCP port is opened', async () => {
    const ws = await workspace();
    const host = await launchConsole({ repo: ws.repo, env: ws.env });
    try {
      const chromium = childCommandLines().find((argv) => argv.some((a) => a.startsWith('--user-data-dir')));
      expect(chromium, 'the Chromium child process').toBeDefined();
      expect(chromium).toContain('--remote-debugging-pipe');
      expect(chromium!.filter((a) => a.startsWith('--remote-debugging-port'))).toEqual([]);
      expect(chromium!.includes('--no-sandbox')).toBe(process.getuid?.() === 0);
    } finally {
      await host.close();
    }
  });

  it('keeps Chromium\'s sandbox for every account but root', () => {
    expect(chromiumLaunchOptions({ headless: true, uid: 1000 }).chromiumSandbox).toBe(true);
    expect(chromiumLaunchOptions({ headless: true, uid: 0 }).chromiumSandbox).toBe(false);
    expect(chromiumLaunchOptions({ headless: true, uid: 1000 }).args).not.toContain('--no-sandbox');
  });

  it('dev:browser opens a TCP port only when asked, and warns that any local account can connect', async () => {
    const ws = await workspace();
    const port = await freePort();
    // `npm run dev:browser` is `npm run build && node build/start.mjs --chromium` (issue 20).
    const child = spawn(process.execPath, [path.join(ROOT, 'build/start.mjs'), '--chromium', '--repo', ws.repo, '--headless', '--cdp-port', String(port)], { cwd: ROOT, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await waitFor('the console to start', () => stdout.includes('Press Ctrl-C to stop.') || child.exitCode !== null, { timeoutMs: 60_000 });
      expect(child.exitCode, stderr).toBeNull();
      expect(stderr).toContain(CDP_PORT_WARNING);
      expect(await portAccepts(port)).toBe(true);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
