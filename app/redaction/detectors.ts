// The one engine every redaction goes through (issue 13), with every detector in precedence
// order: for spans of equal rank, the detector listed first names the secret, so gitleaks'
// rule names come before ours.
import { ASSIGNMENTS, SECRET_ARRAYS, SECRET_NAME_KEYWORDS, assignmentAt, keyStartAt } from './assignments';
import { COMMAND_LINES } from './commandLines';
import { ENCODED_DETECTORS } from './encoded';
import { Engine } from './engine';
import { gitleaksDetectors } from './gitleaks';
import { lineStartWithin } from './keywords';
import { MARKUP, STRUCTURED_DETECTORS, TABLE } from './structured';
import { BLOCK_DETECTORS, TOKEN_DETECTORS } from './tokens';
import type { DetectContext, Detector, Span } from './types';

const TABLE_KEY_REACH = 64;

// Values by key name: each keyword hit is tried as the end of a key (assignmentAt); the hit's
// line is also read as a table row and, when it holds a `<`, as markup.
const BY_KEY_NAME: Detector = {
  keywords: SECRET_NAME_KEYWORDS,
  scan(ctx: DetectContext, start: number, end: number, out: Span[]): void {
    ASSIGNMENTS.scan(ctx, start, end, out);
    for (const d of [TABLE, ...MARKUP]) if (d.needs === undefined || ctx.text.slice(start, end).includes(d.needs)) d.scan(ctx, start, end, out);
  },
  scanHits(ctx: DetectContext, hits: ArrayLike<number>, out: Span[]): void {
    const text = ctx.text;
    // Hits come in text order, so the start of the key holding them never decreases: a key
    // already tried is the last one tried.
    let tried = -1;
    let lineEnd = -1;
    for (let h = 0; h < hits.length; h++) {
      const p = hits[h] as number;
      const s = keyStartAt(text, p);
      if (s !== tried) assignmentAt(ctx, s, p, out);
      tried = s;
      if (p < lineEnd) continue; // this line was read already
      const a = lineStartWithin(text, p, 1024);
      lineEnd = ctx.lines.endWithin(p, 8192);
      const line = text.slice(a, lineEnd);
      // A table row's key is its first column: a hit far into the line is not one.
      if (p - a <= TABLE_KEY_REACH) TABLE.scan(ctx, a, lineEnd, out);
      for (const d of MARKUP) if (d.needs === undefined || line.includes(d.needs)) d.scan(ctx, a, lineEnd, out);
    }
  },
};

let built: Engine | null = null;

/** The engine with the maintained ruleset (gitleaks) and the contextual rules, built on first use (issue 18). */
export function engine(): Engine {
  built ??= new Engine([
    ...BLOCK_DETECTORS,
    ...gitleaksDetectors(),
    ...TOKEN_DETECTORS,
    ...ENCODED_DETECTORS,
    COMMAND_LINES,
    ...STRUCTURED_DETECTORS,
    SECRET_ARRAYS,
    BY_KEY_NAME,
  ]);
  return built;
}
