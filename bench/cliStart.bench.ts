import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allowRoot, CLI, cliEnv, declaration, runCli } from '../test/support/cli';
import { generateLedger } from './generate';
import { report, summarise } from './stats';

/**
 * CLI start-up (issue 18): wall time of a whole `node bin/breakglass.js …` process, spawned and
 * waited for: `--help`, and `env`, `status` and `exec -- true` on a repository with one active
 * session and on a generated one of BENCH_CLI_SESSIONS (10,000) closed sessions = 100,000 records
 * of this host plus its active session; baseline, in the same run and interleaved round by round:
 * `node -e 0`. Median of BENCH_CLI_REPS (30) after two warm-ups each. Targets: `env` on one
 * session ≤ 2 × baseline; each command at 100,000 records ≤ 1.5 × the same on one session.
 */
const REPS = Number(process.env.BENCH_CLI_REPS ?? 30);
const SESSIONS = Number(process.env.BENCH_CLI_SESSIONS ?? 10_000);
const HOST = 'bench-cli';

/** Wall time of one process run to its end, in ms; throws when it exits other than `expect`. */
function timeRun(args: string[], env: NodeJS.ProcessEnv, expect = 0): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== expect) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

/** A repository at `dir/repo` with `sessions` closed sessions of this host (none: a new one), then one active session declared through the CLI. */
async function repositoryWith(dir: string, sessions: number): Promise<{ repo: string; env: NodeJS.ProcessEnv }> {
  const repo = path.join(dir, 'repo');
  const env = cliEnv(path.join(dir, 'data'), { BREAKGLASS_HOST_ID: HOST });
  if (sessions > 0) await generateLedger(repo, { sessions, hostId: HOST });
  else {
    const created = await runCli(['--repo', repo, 'status'], { env });
    if (created.code !== 3) throw new Error(`creating the evidence repository failed (exit ${created.code}): ${created.stderr}`);
  }
  allowRoot(repo);
  const file = path.join(dir, 'decl.json');
  // The policy's longest: every round runs within it (exec adds two records a run).
  writeFileSync(file, JSON.stringify(declaration({ durationMinutes: 60 })));
  const declared = await runCli(['--repo', repo, 'declare', '--file', file], { env });
  if (declared.code !== 0) throw new Error(`declare failed (exit ${declared.code}): ${declared.stderr}`);
  return { repo, env };
}

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  }
};

export async function cliStartBenchmarks(): Promise<void> {
  const small = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-cli-'));
  const large = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-cli-large-'));
  try {
    console.log(`uptime before: ${uptime()}`);
    const one = await repositoryWith(small, 0);
    const many = await repositoryWith(large, SESSIONS);
    const commands = { env: ['env'], status: ['status'], exec: ['exec', '--', 'true'] } as const;
    const series: Record<string, () => number> = {
      baseline: () => timeRun(['-e', '0'], one.env),
      help: () => timeRun([CLI, '--help'], one.env),
    };
    for (const [name, args] of Object.entries(commands)) {
      series[`${name}@1`] = () => timeRun([CLI, '--repo', one.repo, ...args], one.env);
      series[`${name}@many`] = () => timeRun([CLI, '--repo', many.repo, ...args], many.env);
    }
    const names = Object.keys(series);
    const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (const name of names) for (let i = 0; i < 2; i++) series[name]!();
    // Interleaved, the order turning each round: none always runs first after another's exit.
    for (let i = 0; i < REPS; i++) for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length]!;
      samples[name]!.push(series[name]!());
    }
    const baseline = summarise(samples.baseline!);
    console.log(`CLI start-up (${process.version}; uptime after: ${uptime()})`);
    report('node -e 0 (baseline)', baseline, null, '');
    report('breakglass --help', summarise(samples.help!), baseline, 'fast');
    for (const [name, args] of Object.entries(commands)) {
      const single = summarise(samples[`${name}@1`]!);
      report(`breakglass ${args.join(' ')} (one active session)`, single, baseline, name === 'env' ? '≤ 2× baseline' : '');
      report(`breakglass ${args.join(' ')} (${SESSIONS * 10} records + one active session)`, summarise(samples[`${name}@many`]!), single, '≤ 1.5× one session');
    }
  } finally {
    rmSync(small, { recursive: true, force: true });
    rmSync(large, { recursive: true, force: true });
  }
}
