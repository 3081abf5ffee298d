import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allowRoot, CLI, cliEnv, declaration, runCli } from '../test/support/cli';
import { report, summarise } from './stats';

/**
 * CLI start-up (issue 18): wall time of a whole `node bin/breakglass.js …` process, spawned and
 * waited for, for `--help` and for `env` on a repository with one active session; baseline, in
 * the same run and interleaved round by round: `node -e 0`. Median of BENCH_CLI_REPS (30) after
 * two warm-ups each. Target: `env` ≤ 2 × baseline; `--help` as fast as practical.
 */
const REPS = Number(process.env.BENCH_CLI_REPS ?? 30);

/** Wall time of one process run to its end, in ms; throws when it exits other than `expect`. */
function timeRun(args: string[], env: NodeJS.ProcessEnv, expect = 0): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== expect) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

export async function cliStartBenchmarks(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-cli-'));
  try {
    const repo = path.join(dir, 'repo');
    const env = cliEnv(path.join(dir, 'data'), { BREAKGLASS_HOST_ID: 'bench-cli' });
    const created = await runCli(['--repo', repo, 'status'], { env });
    if (created.code !== 3) throw new Error(`creating the evidence repository failed (exit ${created.code}): ${created.stderr}`);
    allowRoot(repo);
    const file = path.join(dir, 'decl.json');
    writeFileSync(file, JSON.stringify(declaration()));
    const declared = await runCli(['--repo', repo, 'declare', '--file', file], { env });
    if (declared.code !== 0) throw new Error(`declare failed (exit ${declared.code}): ${declared.stderr}`);

    const series = {
      baseline: () => timeRun(['-e', '0'], env),
      help: () => timeRun([CLI, '--help'], env),
      env: () => timeRun([CLI, '--repo', repo, 'env'], env),
    };
    const samples: Record<keyof typeof series, number[]> = { baseline: [], help: [], env: [] };
    const names = Object.keys(series) as Array<keyof typeof series>;
    for (const name of names) for (let i = 0; i < 2; i++) series[name]();
    // Interleaved, the order turning each round: none always runs first after another's exit.
    for (let i = 0; i < REPS; i++) for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length]!;
      samples[name].push(series[name]());
    }
    const baseline = summarise(samples.baseline);
    console.log(`CLI start-up (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${process.version})`);
    report('node -e 0 (baseline)', baseline, null, '');
    report('breakglass --help', summarise(samples.help), baseline, 'fast');
    report('breakglass env (one active session)', summarise(samples.env), baseline, '≤ 2× baseline');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
