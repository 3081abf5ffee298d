import type { RedactionKinds } from './types';

/** A record's redaction fields from one or more redaction results: the total and the count per kind (issue 13). */
export function redactionsOf(...results: ReadonlyArray<{ count: number; kinds: RedactionKinds }>): { redactions: number; redactionKinds: RedactionKinds } {
  const kinds: Record<string, number> = {};
  let count = 0;
  for (const r of results) {
    count += r.count;
    for (const [k, n] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
  }
  return { redactions: count, redactionKinds: kinds };
}
