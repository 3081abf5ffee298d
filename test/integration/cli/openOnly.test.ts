import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLedger } from '../../../bench/generate';
import { allowRoot, cleanup, cliEnv, declaration, git, jsonFile, runCli, tempDir } from '../../support/cli';
import { assertCliBuilt } from '../../support/lifecycleKit';

// Issue 18: the commands about this host's open session (env, status, exec, note, extend, close)
// read this host's open slice, not every record: the git processes they start, and what those
// print, do not grow with the sessions closed before.

const HOST = 'open-only-host';
const dirs: string[] = [];

/** A `git` on PATH that logs each call's arguments and the bytes it printed, then exits as git did. */
function gitCounter(dir: string): { env: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv; take: () => Array<{ args: string; bytes: number }> } {
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'git.log');
  mkdirSync(bin, { recursive: true });
  const real = realGit();
  // The child's environment is an allowlist (main/git.ts): the log's path is written into the script.
  writeFileSync(path.join(bin, 'git'), `#!/bin/sh\nout=$(mktemp)\n"${real}" "$@" >"$out"\nrc=$?\nprintf '%s\\t%s\\n' "$(wc -c <"$out")" "$*" >>"${log}"\ncat "$out"\nrm -f "$out"\nexit $rc\n`);
  chmodSync(path.join(bin, 'git'), 0o755);
  return {
    env: (base) => ({ ...base, PATH: `${bin}:${base.PATH ?? ''}` }),
    take: () => {
      if (!existsSync(log)) return [];
      const text = readFileSync(log, 'utf8');
      rmSync(log, { force: true });
      return text.split('\n').filter(Boolean).map((line) => {
        const [bytes, ...args] = line.split('\t');
        return { bytes: Number(bytes), args: args.join('\t').replace(/-c \S+ /g, '') };
      });
    },
  };
}

/** The real git binary's path (the counter runs it by path, so it never finds itself). */
function realGit(): string {
  const found = (process.env.PATH ?? '').split(':').map((d) => path.join(d, 'git')).find((f) => existsSync(f));
  if (!found) throw new Error('git not found on PATH');
  return found;
}

/** A repository with `closed` reviewed sessions of this host, then one active session declared through the CLI. */
async function repositoryWith(closed: number): Promise<{ repo: string; env: NodeJS.ProcessEnv; dir: string }> {
  const dir = tempDir('bg-open-only-');
  dirs.push(dir);
  const repo = path.join(dir, 'repo');
  await generateLedger(repo, { sessions: closed, hostId: HOST });
  allowRoot(repo);
  const env = cliEnv(path.join(dir, 'data'), { BREAKGLASS_HOST_ID: HOST });
  const declared = await runCli(['--repo', repo, 'declare', '--file', jsonFile(dir, 'decl.json', declaration({ durationMinutes: 60 }))], { env });
  expect(declared.code, declared.stderr).toBe(0);
  return { repo, env, dir };
}

beforeAll(() => assertCliBuilt());
afterAll(() => cleanup(...dirs));

describe('commands about this host\'s open session (issue 18)', () => {
  it('env and status start the same few git processes, printing about as much, with 3 or 300 closed sessions', async () => {
    const figures: Array<{ closed: number; command: string; processes: number; bytes: number }> = [];
    for (const closed of [3, 300]) {
      const { repo, env, dir } = await repositoryWith(closed);
      const counter = gitCounter(dir);
      for (const command of ['env', 'status']) {
        const r = await runCli(['--repo', repo, command], { env: counter.env(env) });
        expect(r.code, r.stderr).toBe(0);
        if (command === 'env') expect(r.stdout).toContain('export GOVERNED_BREAK_GLASS=true');
        else expect(r.stdout).toMatch(/ACTIVE, (\d+:)?\d+:\d\d left/);
        const calls = counter.take();
        figures.push({ closed, command, processes: calls.length, bytes: calls.reduce((n, c) => n + c.bytes, 0) });
        // None of them reads a tree or history: the refs, once, and the repository's settings.
        expect(calls.map((c) => c.args).filter((a) => /^(diff-tree|log|ls-tree|cat-file|rev-list)\b/.test(a)), command).toEqual([]);
      }
    }
    for (const command of ['env', 'status']) {
      const [few, many] = [3, 300].map((closed) => figures.find((f) => f.closed === closed && f.command === command)!);
      expect(many!.processes, command).toBe(few!.processes);
      // env: the repository's config (its safety check), one rev-parse, one for-each-ref (main/evidence/repository.ts).
      expect(many!.processes, command).toBeLessThanOrEqual(command === 'env' ? 3 : 7);
      expect(many!.bytes, command).toBeLessThan(few!.bytes + 1024);
    }
  }, 240_000);

  it('reads the whole view again when a ref moved behind the open slice: a rewound own ref exports nothing', async () => {
    const { repo, env } = await repositoryWith(3);
    const own = `refs/heads/hosts/${HOST}`;
    const tip = git(repo, ['rev-parse', own]);
    expect((await runCli(['--repo', repo, 'env'], { env })).code).toBe(0);
    // The declaration's commit and the journal's are undone by another program: the slice still names the session.
    const before = git(repo, ['rev-list', '--max-count=1', '--grep=): declared', own]);
    git(repo, ['update-ref', own, `${before}^`, tip]);
    const r = await runCli(['--repo', repo, 'env'], { env });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  }, 240_000);

  it('exec, note and close write through the slice; after close nothing is exported and status finds no open session', async () => {
    const { repo, env, dir } = await repositoryWith(3);
    expect((await runCli(['--repo', repo, 'exec', '--', 'true'], { env })).code).toBe(0);
    expect((await runCli(['--repo', repo, 'note', 'checked the lock'], { env })).code).toBe(0);
    const closure = jsonFile(dir, 'closure.json', { summary: 'Lock repaired.', reversalSteps: ['Re-enabled lock'], controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' }, followUps: [] });
    const closed = await runCli(['--repo', repo, 'close', '--file', closure], { env });
    expect(closed.code, closed.stderr).toBe(0);
    expect((await runCli(['--repo', repo, 'env'], { env })).code).toBe(3);
    const status = await runCli(['--repo', repo, 'status'], { env });
    expect(status.stdout).toContain('No open session on this host.');
    // The generated sessions were never acknowledged (bench/generate.ts): those are verify's only findings.
    const verified = await runCli(['--repo', repo, 'verify'], { env });
    const findings = verified.stdout.split('Mode:')[0]!.split('\n').filter((l) => /^ {2}bg-/.test(l));
    expect(findings.length, verified.stdout).toBe(3);
    for (const f of findings) expect(f).toMatch(/^ {2}bg-20\d\d\d{4}-000000-0000000\d: Acknowledgement \(missing\)/);
  }, 240_000);
});
