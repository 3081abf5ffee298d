import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, declaration, jsonFile, runCli } from '../support/cli';
import { assertCliBuilt, gitx, workspace, type Workspace } from '../support/lifecycleKit';

/**
 * Issue 12 item 15: a repository's own configuration never makes git run a program on the machine
 * that reads it. Each planted program would create a marker file; none may appear.
 */

beforeAll(() => assertCliBuilt());

let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
  expect((await ws.cli(['declare', '--file', jsonFile(ws.dir, 'd.json', declaration())])).code).toBe(0);
  expect((await ws.cli(['note', 'one record more'])).code).toBe(0);
});
afterAll(() => cleanup(ws?.dir));

/** A program that leaves `marker` behind when run. */
function plantedProgram(name: string): { program: string; marker: string } {
  const marker = path.join(ws.dir, `${name}.ran`);
  const program = path.join(ws.dir, `${name}.sh`);
  writeFileSync(program, `#!/bin/sh\ntouch '${marker}'\nexit 0\n`);
  chmodSync(program, 0o755);
  return { program, marker };
}

/** A received non-bare copy of the evidence, as an auditor would get it. */
function receivedCopy(name: string): string {
  const copy = path.join(ws.dir, name);
  gitx(ws.dir, ['clone', '--quiet', ws.repo, copy]);
  return copy;
}

describe('a received copy whose config names programs', () => {
  it('core.fsmonitor does not run during verify, log or report', async () => {
    const copy = receivedCopy('fsmonitor-copy');
    const { program, marker } = plantedProgram('fsmonitor');
    gitx(copy, ['config', 'core.fsmonitor', program]);
    // git itself runs it (the test proves the plant works): then the marker is removed.
    gitx(copy, ['status', '--porcelain']);
    expect(existsSync(marker), 'the planted fsmonitor runs under plain git').toBe(true);
    (await import('node:fs')).rmSync(marker);
    for (const args of [['verify'], ['log'], ['--json', 'report', '--from', '2026-01-01', '--to', '2030-12-31']]) {
      const r = await runCli(['--repo', copy, ...args], { env: ws.env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(null);
      expect(existsSync(marker), `fsmonitor ran during ${args.join(' ')}`).toBe(false);
    }
  });

  it('a hook in the repository does not run on push', async () => {
    const bare = path.join(ws.dir, 'hook-remote.git');
    gitx(ws.dir, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    const { program, marker } = plantedProgram('pre-push');
    const hooks = path.join(ws.repo, 'hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, 'pre-push'), `#!/bin/sh\nexec '${program}'\n`);
    chmodSync(path.join(hooks, 'pre-push'), 0o755);
    expect((await ws.cli(['remote', 'set', bare])).code).toBe(0);
    const pushed = await ws.cli(['push']);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(existsSync(marker), 'the pre-push hook ran').toBe(false);
    expect(gitx(bare, ['rev-parse', 'refs/heads/main']).trim()).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a driver, credential helper or URL rewrite in the repository\'s own config is refused, naming the key', async () => {
    for (const [key, value] of [['filter.evil.clean', 'touch x'], ['merge.evil.driver', 'touch x'], ['credential.helper', '!touch x'], ['url.file:///tmp/evil.insteadOf', '/']] as const) {
      const copy = receivedCopy(`refused-${key.replace(/[^a-z]/g, '')}`);
      gitx(copy, ['config', key, value]);
      const r = await runCli(['--repo', copy, 'verify'], { env: ws.env });
      expect(r.code, key).not.toBe(0);
      expect(r.stderr).toContain(`sets ${key.toLowerCase()}`);
      expect(r.stderr).toMatch(/never runs programs a repository names/);
    }
  });
});

describe('the commands about this host\'s open session (issue 18: its open slice, three git processes)', () => {
  it('env and status refuse the repository while its own config names a program, and export nothing', async () => {
    expect((await ws.cli(['env'])).code).toBe(0);
    gitx(ws.repo, ['config', 'filter.evil.clean', 'touch x']);
    try {
      for (const command of ['env', 'status']) {
        const r = await ws.cli([command]);
        expect(r.code, command).not.toBe(0);
        expect(r.stdout, command).not.toContain('export ');
        expect(r.stderr, command).toContain('sets filter.evil.clean');
      }
    } finally {
      gitx(ws.repo, ['config', '--unset', 'filter.evil.clean']);
    }
    expect((await ws.cli(['env'])).code).toBe(0);
  });
});
