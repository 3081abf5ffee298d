// A detector made of one regular expression (most rules, ours and gitleaks' alike).
import type { WindowSpec } from './keywords';
import type { DetectContext, Detector, Span } from './types';

/** A regular-expression rule: where the secret is in a match, and what it is called. */
export interface PatternRule {
  readonly kind: string;
  readonly rank: number;
  /** Compiled with the flags "g" and "d" (match indices), no "y". */
  readonly re: RegExp;
  readonly keywords: readonly string[];
  readonly window?: WindowSpec;
  readonly token?: boolean;
  /** The secret: a named group (default "secret", else the whole match), a group number, or "first" non-empty group. */
  readonly group?: string | number;
  /** Leading text of the secret that stays in the clear (for example a webhook's host and path kind). */
  readonly keep?: RegExp;
  /** Every match starts at a keyword hit: tried there only (a sticky match), not scanned for. */
  readonly anchored?: boolean;
  /** For an anchored rule: a cheap test at the hit that must hold for a match to be possible. */
  readonly possibleAt?: (text: string, at: number) => boolean;
  /** Final say on a candidate (entropy, allowlists, a decoded check); `start`/`end` are offsets in ctx.text. */
  readonly accept?: (secret: string, ctx: DetectContext, match: RegExpExecArray, offset: number) => boolean;
  /** The kind, when it depends on the match (for example the scheme of an Authorization header). */
  readonly kindOf?: (match: RegExpExecArray) => string;
}

function secretRange(rule: PatternRule, m: RegExpExecArray): readonly [number, number] | undefined {
  const indices = m.indices;
  if (indices === undefined) throw new Error(`rule ${rule.kind}: compile it with the "d" flag`);
  const g = rule.group ?? 'secret';
  if (typeof g === 'number') return indices[g];
  if (g === 'first') {
    for (let i = 1; i < m.length; i++) if (m[i] !== undefined && m[i] !== '') return indices[i];
    return indices[0];
  }
  const named = indices.groups;
  if (named !== undefined && g in named) return named[g]; // undefined when the group did not take part
  return indices[0];
}

/** Wraps a PatternRule as a Detector: runs the expression over each window and records its secrets. */
export function patternDetector(rule: PatternRule): Detector {
  if (!rule.re.global || !rule.re.hasIndices || rule.re.sticky) throw new Error(`rule ${rule.kind}: flags must include g and d, not y`);
  // `offset` is where `sub` starts in ctx.text.
  const take = (ctx: DetectContext, sub: string, offset: number, m: RegExpExecArray, out: Span[]): void => {
    const range = secretRange(rule, m);
    if (range === undefined || range[1] <= range[0]) return;
    let from = range[0];
    const kept = rule.keep?.exec(sub.slice(from, range[1]));
    if (kept !== undefined && kept !== null) from += kept[0].length;
    if (from >= range[1]) return;
    const secret = sub.slice(from, range[1]);
    if (rule.accept !== undefined && !rule.accept(secret, ctx, m, offset)) return;
    out.push({
      start: offset + from,
      end: offset + range[1],
      kind: rule.kindOf === undefined ? rule.kind : rule.kindOf(m),
      rank: rule.rank,
      ...(rule.token === true ? { token: true } : {}),
    });
  };
  const sticky = rule.anchored === true ? new RegExp(rule.re.source, rule.re.flags.replace('g', '') + 'y') : null;
  return {
    keywords: rule.keywords,
    ...(rule.window === undefined ? {} : { window: rule.window }),
    ...(sticky === null
      ? {}
      : {
          scanHits(ctx: DetectContext, hits: ArrayLike<number>, out: Span[]): void {
            let last = -1;
            for (let h = 0; h < hits.length; h++) {
              const p = hits[h] as number;
              if (p === last) continue; // two keywords at one place
              last = p;
              if (rule.possibleAt !== undefined && !rule.possibleAt(ctx.text, p)) continue;
              sticky.lastIndex = p;
              const m = sticky.exec(ctx.text);
              if (m !== null && m[0].length > 0) take(ctx, ctx.text, 0, m, out);
            }
          },
        }),
    scan(ctx: DetectContext, start: number, end: number, out: Span[]): void {
      const sub = start === 0 && end === ctx.text.length ? ctx.text : ctx.text.slice(start, end);
      const re = rule.re;
      re.lastIndex = 0;
      for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
        if (m[0].length === 0) {
          re.lastIndex += 1;
          continue;
        }
        take(ctx, sub, start, m, out);
      }
    },
  };
}

