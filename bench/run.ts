import { ledgerBenchmarks } from './ledger.bench';
import { rendererBenchmarks } from './renderer.bench';
import { declareBenchmarks } from './declare.bench';
import { countdownBenchmarks } from './countdown.bench';
import { reportBenchmarks } from './report.bench';
import { fetchBenchmarks } from './fetch.bench';
import { boardBenchmarks } from './board.bench';
import { redactionBenchmarks } from './redaction.bench';
import { forwardBenchmarks } from './forward.bench';
import { shellBenchmarks } from './shell.bench';
import { signingBenchmarks } from './signing.bench';
import { hostsBenchmarks } from './hosts.bench';
import { cliStartBenchmarks } from './cliStart.bench';

// `npm run bench`: prints each figure with its baseline from the same run. Not part of `npm test`.
// BENCH_ONLY=<name>,<name> runs a subset; the names are the keys below.
const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  ledger: ledgerBenchmarks,
  renderer: rendererBenchmarks,
  declare: declareBenchmarks,
  countdown: countdownBenchmarks,
  board: boardBenchmarks,
  fetch: fetchBenchmarks,
  report: reportBenchmarks,
  redaction: redactionBenchmarks,
  forward: forwardBenchmarks,
  shell: shellBenchmarks,
  signing: signingBenchmarks,
  hosts: hostsBenchmarks,
  cliStart: cliStartBenchmarks,
};

const only = process.env.BENCH_ONLY?.split(',') ?? Object.keys(BENCHMARKS);
const unknown = only.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
for (const name of only) await BENCHMARKS[name]!();
