import { ledgerBenchmarks } from './ledger.bench';
import { rendererBenchmarks } from './renderer.bench';

// `npm run bench`: prints each figure with its baseline from the same run. Not part of `npm test`.
await ledgerBenchmarks();
await rendererBenchmarks();
