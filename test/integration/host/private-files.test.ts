import { chmodSync, chownSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSessionEnvFile } from '../../../main/application/sessionEnv';
import { openContext } from '../../../main/application/context';
import { DraftStore } from '../../../main/console/drafts';
import { SettingsStore } from '../../../main/console/settings';
import { cliEnv, runCli } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

// Issue 12 item 14: files the console writes for the operator never follow a planted link, never
// overwrite another user's file, use temporary names nobody can predict, and live in a data folder
// that is the operator's alone.

const scratch = scratchFolder('bg-private-files-');
const OTHER_UID = 4242;

async function repoWithData() {
  const dir = scratch.fresh('ws');
  const repo = path.join(dir, 'evidence');
  const data = path.join(dir, 'data');
  const env = cliEnv(data);
  const r = await runCli(['--repo', repo, 'status'], { env });
  expect(r.code).toBe(3); // no open session: the repository and the data folder exist
  return { dir, repo, data, env };
}

const report = (w: { repo: string; env: NodeJS.ProcessEnv }, out: string, cwd?: string) =>
  runCli(['--repo', w.repo, 'report', '--from', '2026-01-01', '--to', '2026-12-31', '--out', out], { env: w.env, ...(cwd ? { cwd } : {}) });

/** The report is refused for `target` (exit 2, saying `why`), and `untouched` still holds `content`. */
async function expectRefused(w: { repo: string; env: NodeJS.ProcessEnv }, target: string, why: RegExp, untouched: string, content: string): Promise<void> {
  const r = await report(w, target);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(why);
  expect(readFileSync(untouched, 'utf8')).toBe(content);
}

describe('report --out', () => {
  it('refuses a symbolic link planted where the report goes, and the file it points to is untouched', async () => {
    const w = await repoWithData();
    const victim = path.join(w.dir, 'profile');
    writeFileSync(victim, 'export PATH=/usr/bin\n');
    const planted = path.join(w.dir, 'report.md');
    symlinkSync(victim, planted);
    await expectRefused(w, planted, /symbolic link/, victim, 'export PATH=/usr/bin\n');
  });

  it('refuses to overwrite a file another user created, and one with another hard link', async () => {
    const w = await repoWithData();
    const theirs = path.join(w.dir, 'theirs.md');
    writeFileSync(theirs, 'not yours');
    chownSync(theirs, OTHER_UID, OTHER_UID);
    await expectRefused(w, theirs, /belongs to another user/, theirs, 'not yours');

    const original = path.join(w.dir, 'original.txt');
    writeFileSync(original, 'keep me');
    const linked = path.join(w.dir, 'linked.md');
    linkSync(original, linked);
    await expectRefused(w, linked, /hard link/, original, 'keep me');
  });

  it('writes a new file 0600, and replaces the operator\'s own earlier report (made private again)', async () => {
    const w = await repoWithData();
    const out = path.join(w.dir, 'mine.md');
    expect((await report(w, out)).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    chmodSync(out, 0o644);
    writeFileSync(out, 'older report, longer than the new one '.repeat(500));
    expect((await report(w, out)).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Break-glass audit report/);
    expect(text).not.toContain('older report');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });
});

describe('temporary files', () => {
  it('settings, drafts and session.env never write through a link planted at the old predictable name', async () => {
    const w = await repoWithData();
    const victim = path.join(w.dir, 'victim');
    writeFileSync(victim, 'untouched');
    for (const name of ['settings.json', 'draft.json', 'session.env']) {
      symlinkSync(victim, path.join(w.data, `${name}.${process.pid}.tmp`));
      symlinkSync(victim, path.join(w.data, `${name}.${process.pid}.1.tmp`));
    }
    await new SettingsStore(path.join(w.data, 'settings.json')).set({ observer: true });
    await new DraftStore(path.join(w.data, 'draft.json')).save({ fields: {} } as never);
    const ctx = await openContext({ repo: w.repo, env: w.env });
    await writeSessionEnvFile(ctx.service, path.join(w.data, 'session.env'));
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    for (const name of ['settings.json', 'draft.json', 'session.env']) {
      expect(statSync(path.join(w.data, name)).mode & 0o777).toBe(0o600);
    }
    // Nothing is left behind under a temporary name of ours.
    expect(readdirSync(w.data).filter((f) => f.startsWith('.') && f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the data folder', () => {
  it('is created private when absent', async () => {
    const w = await repoWithData();
    expect(statSync(w.data).mode & 0o777).toBe(0o700);
  });

  it('is refused, with the fix, when others can write to it', async () => {
    const w = await repoWithData();
    chmodSync(w.data, 0o777);
    const r = await runCli(['--repo', w.repo, 'status'], { env: w.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/writable by other users/);
    expect(r.stderr).toContain(`chmod 700 "${w.data}"`);
  });

  it('is refused, with the fix, when it belongs to another user', async () => {
    const w = await repoWithData();
    chownSync(w.data, OTHER_UID, OTHER_UID);
    const r = await runCli(['--repo', w.repo, 'status'], { env: w.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/belongs to another user/);
    expect(r.stderr).toMatch(/BREAKGLASS_DATA_DIR/);
  });

  it('a link in place of the data folder is refused', async () => {
    const w = await repoWithData();
    const elsewhere = path.join(w.dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    const linkedData = path.join(w.dir, 'linked-data');
    symlinkSync(elsewhere, linkedData);
    const r = await runCli(['--repo', w.repo, 'status'], { env: cliEnv(linkedData) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a directory/);
  });
});
