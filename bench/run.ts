import { ledgerBenchmarks } from './ledger.bench';
import { rendererBenchmarks } from './renderer.bench';
import { declareBenchmarks } from './declare.bench';
import { countdownBenchmarks } from './countdown.bench';
import { reportBenchmarks } from './report.bench';
import { fetchBenchmarks } from './fetch.bench';
import { boardBenchmarks } from './board.bench';
import { signingBenchmarks } from './signing.bench';

// `npm run bench`: prints each figure with its baseline from the same run. Not part of `npm test`.
// BENCH_ONLY=ledger,renderer,declare,countdown,board,fetch,report,signing runs a subset.
const only = new Set((process.env.BENCH_ONLY ?? 'ledger,renderer,declare,countdown,board,fetch,report,signing').split(','));
if (only.has('ledger')) await ledgerBenchmarks();
if (only.has('renderer')) await rendererBenchmarks();
if (only.has('declare')) await declareBenchmarks();
if (only.has('countdown')) await countdownBenchmarks();
if (only.has('board')) await boardBenchmarks();
if (only.has('fetch')) await fetchBenchmarks();
if (only.has('report')) await reportBenchmarks();
if (only.has('signing')) await signingBenchmarks();
