import { ledgerBenchmarks } from './ledger.bench';
import { rendererBenchmarks } from './renderer.bench';
import { declareBenchmarks } from './declare.bench';
import { countdownBenchmarks } from './countdown.bench';

// `npm run bench`: prints each figure with its baseline from the same run. Not part of `npm test`.
// BENCH_ONLY=ledger,renderer,declare,countdown runs a subset.
const only = new Set((process.env.BENCH_ONLY ?? 'ledger,renderer,declare,countdown').split(','));
if (only.has('ledger')) await ledgerBenchmarks();
if (only.has('renderer')) await rendererBenchmarks();
if (only.has('declare')) await declareBenchmarks();
if (only.has('countdown')) await countdownBenchmarks();
if (only.has('report')) await (await import('./report.bench')).reportBenchmarks();
if (only.has('fetch')) await (await import('./fetch.bench')).fetchBenchmarks();
if (only.has('board')) await (await import('./board.bench')).boardBenchmarks();
