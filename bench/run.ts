import { ledgerBenchmarks } from './ledger.bench';

// `npm run bench`: prints each figure with its baseline from the same run. Not part of `npm test`.
await ledgerBenchmarks();
