// gitleaks' published rules as detectors (issue 13: a maintained ruleset). The rules themselves
// are generated (gitleaksRules.generated.ts, pinned to GITLEAKS_VERSION; see
// tools/gitleaks/generate.ts for how to update). This file applies them as gitleaks does —
// keyword prefilter, secret group, Shannon entropy, global and per-rule allowlists — plus the
// few choices of ours below, kept here so that regenerating the rules does not lose them.
import { GITLEAKS_GLOBAL_ALLOWLIST, GITLEAKS_RULES } from './gitleaksRules.generated';
import type { GitleaksAllowlist, GitleaksRule } from './gitleaksTypes';
import { KeywordSet, lineStartWithin, type LineIndex, type WindowSpec } from './keywords';
import { patternDetector } from './pattern';
import type { DetectContext, Detector } from './types';

export { GITLEAKS_VERSION } from './gitleaksRules.generated';

interface Override {
  /** Our kind name, where one of our own rules already names the same secret (one name per secret). */
  readonly kind?: string;
  /** A narrower keyword implied by the pattern itself (gitleaks' "ey" for JWTs occurs in every "key"). */
  readonly keywords?: readonly string[];
  readonly window?: WindowSpec;
  /** Leading text of the match kept in the clear (the webhook's host and path kind stay readable). */
  readonly keep?: RegExp;
  /** The whole match is the secret: the pattern's groups are structure, not the secret (gitleaks would report a fragment). */
  readonly wholeMatch?: boolean;
  /** Shapes that are identifiers, not secrets (procedure.md §7: evidence an auditor cannot read is useless). */
  readonly reject?: RegExp;
}

// A lock id, a request id, a commit, an image digest, an ARN, a version, a number.
const IDENTIFIER =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{40}|[0-9a-f]{64}|sha(?:1|224|256|384|512)[:-][\w+/=-]+|arn:[\w:/+=,.@-]+|\d+|v?\d+(?:\.\d+)+(?:[-+][\w.-]+)?)$/i;

const OVERRIDES: Readonly<Record<string, Override>> = {
  'aws-access-token': { kind: 'aws-access-key' },
  'github-pat': { kind: 'github-token' },
  'github-oauth': { kind: 'github-token' },
  'github-app-token': { kind: 'github-token' },
  'github-refresh-token': { kind: 'github-token' },
  'github-fine-grained-pat': { kind: 'github-token' },
  'gitlab-pat': { kind: 'gitlab-token' },
  'gitlab-pat-routable': { kind: 'gitlab-token' },
  'gitlab-deploy-token': { kind: 'gitlab-token' },
  'gitlab-rrt': { kind: 'gitlab-token' },
  'gitlab-ptt': { kind: 'gitlab-token' },
  'gitlab-cicd-job-token': { kind: 'gitlab-token' },
  'gitlab-feed-token': { kind: 'gitlab-token' },
  'gitlab-incoming-mail-token': { kind: 'gitlab-token' },
  'gitlab-kubernetes-agent-token': { kind: 'gitlab-token' },
  'gitlab-oauth-app-secret': { kind: 'gitlab-token' },
  'gitlab-scim-token': { kind: 'gitlab-token' },
  'gitlab-feature-flag-client-token': { kind: 'gitlab-token' },
  'gitlab-runner-authentication-token': { kind: 'gitlab-token' },
  'gitlab-runner-authentication-token-routable': { kind: 'gitlab-token' },
  'slack-bot-token': { kind: 'slack-token' },
  'slack-user-token': { kind: 'slack-token' },
  'slack-app-token': { kind: 'slack-token' },
  'slack-legacy-token': { kind: 'slack-token' },
  'slack-legacy-bot-token': { kind: 'slack-token' },
  'slack-legacy-workspace-token': { kind: 'slack-token' },
  'slack-config-access-token': { kind: 'slack-token' },
  'slack-config-refresh-token': { kind: 'slack-token' },
  'slack-webhook-url': { kind: 'slack-webhook', keep: /^(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\//i },
  'microsoft-teams-webhook': { keep: /^https:\/\/[a-z0-9]+\.webhook\.office\.com\/webhookb2\//i, wholeMatch: true },
  'jwt-base64': { wholeMatch: true },
  'gitlab-session-cookie': { keep: /^_gitlab_session=/ },
  jwt: { keywords: ['.ey'] },
  'private-key': { window: { linesAfter: 400, before: 256, after: 65536 } },
  'curl-auth-header': { window: { linesAfter: 6, before: 1024, after: 8192 } },
  'curl-auth-user': { window: { linesAfter: 6, before: 1024, after: 8192 } },
  // Its pattern takes any 40-hex string near the word "sourcegraph": a commit id must survive.
  'sourcegraph-access-token': { reject: /^[0-9a-f]{40}$/i },
  'generic-api-key': { reject: IDENTIFIER },
};

// Ranks (types.ts): vendor rules 10; the curl rules 25, after our header and flag rules (20),
// which name the credential more precisely; gitleaks' catch-all last.
const rankOf = (id: string): number => (id === 'generic-api-key' ? 90 : id.startsWith('curl-') ? 25 : 10);

interface CompiledAllowlist {
  readonly target: GitleaksAllowlist['target'];
  readonly and: boolean;
  readonly regex: RegExp | null;
  readonly stopwords: KeywordSet | null;
}

function compileAllowlist(a: GitleaksAllowlist): CompiledAllowlist {
  let stopwords: KeywordSet | null = null;
  if (a.stopwords.length > 0) {
    stopwords = new KeywordSet();
    stopwords.add(a.stopwords);
    stopwords.compile();
  }
  const regex = a.regexes.length === 0 ? null : new RegExp(a.regexes.map((r) => `(?:${r})`).join('|'));
  return { target: a.target, and: a.and, regex, stopwords };
}

const ASCII_COUNTS = new Int32Array(128);

/** gitleaks' shannonEntropy: bits per character over the secret's characters. */
export function shannonEntropy(s: string): number {
  if (s === '') return 0;
  let h = 0;
  let ascii = true;
  for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 128;
  if (ascii) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      ASCII_COUNTS[c] = (ASCII_COUNTS[c] as number) + 1;
    }
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const n = ASCII_COUNTS[c] as number;
      if (n === 0) continue; // already counted
      const p = n / s.length;
      h -= p * Math.log2(p);
      ASCII_COUNTS[c] = 0;
    }
    return h;
  }
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

// `[\w.-]`: what the cut lead of a semi-generic rule could take.
const isPrefixChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x2d;

// gitleaks runs its allowlists in RE2, in linear time; some of them (the generic rule's
// `[a-z0-9-]*?api[a-z0-9-]*?:jar:`) are quadratic in a backtracking engine over a long base64
// value. They are about names and short tokens, so they are given at most ALLOW_SPAN characters:
// a longer match is then tested on its head (which can only make it less likely to be allowed).
const ALLOW_SPAN = 256;

function lineAround(text: string, lines: LineIndex, start: number, end: number): string {
  return text.slice(lineStartWithin(text, start, ALLOW_SPAN), lines.endWithin(end, ALLOW_SPAN));
}

// What allowlists test about one finding. The match and the line are slices, taken once and
// only when an allowlist asks for them (most findings are settled by entropy or a stopword).
class Finding {
  private matchText: string | undefined;
  private lineText: string | undefined;

  constructor(
    readonly secret: string,
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly start: number,
    private readonly end: number,
    private readonly prefix: number,
  ) {}

  match(): string {
    if (this.matchText === undefined) {
      // The generator cut gitleaks' lazy `[\w.-]{0,50}?` lead; gitleaks' match starts that much earlier.
      let a = this.start;
      const lo = Math.max(0, this.start - this.prefix);
      while (a > lo && isPrefixChar(this.text.charCodeAt(a - 1))) a -= 1;
      this.matchText = this.text.slice(a, Math.min(this.end, a + ALLOW_SPAN));
    }
    return this.matchText;
  }

  line(): string {
    return (this.lineText ??= lineAround(this.text, this.lines, this.start, this.end));
  }
}

// gitleaks' checkFindingAllowed: regexes test the target, stopwords the lower-cased secret. The
// stopwords (one pass of an automaton over a short secret) are asked first: when they decide,
// the regex (some are large) is not run.
function allows(a: CompiledAllowlist, f: Finding): boolean {
  const byStopword = a.stopwords !== null && a.stopwords.occursIn(f.secret);
  if (a.and ? a.stopwords !== null && !byStopword : byStopword) return byStopword;
  if (a.regex === null) return a.and;
  if (f.secret === '') return false;
  return a.regex.test(a.target === 'match' ? f.match() : a.target === 'line' ? f.line() : f.secret);
}

// gitleaks' semi-generic rules are `<identifier>[ \t\w.-]{0,20}[\s'"]{0,3}<separator>…`: with no
// separator character (= : > , |) soon after the keyword there can be no match, so the regex is
// not even tried (most hits of "key", "api", "auth" are words in prose and paths).
const SEPARATOR_REACH = 40;
function separatorSoon(text: string, at: number): boolean {
  const end = Math.min(text.length, at + SEPARATOR_REACH);
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d || c === 0x3a || c === 0x3e || c === 0x2c || c === 0x7c) return true;
  }
  return false;
}

function detectorFor(rule: GitleaksRule, global: CompiledAllowlist | null): Detector {
  const o = OVERRIDES[rule.id] ?? {};
  const allowlists = (rule.allowlists ?? []).map(compileAllowlist);
  return patternDetector({
    kind: o.kind ?? rule.id,
    rank: rankOf(rule.id),
    re: new RegExp(rule.source, 'gd'),
    keywords: o.keywords ?? rule.keywords,
    ...(o.window === undefined ? {} : { window: o.window }),
    token: rule.id !== 'private-key',
    ...(rule.anchored === true ? { anchored: true, possibleAt: separatorSoon } : {}),
    ...(o.keep === undefined ? {} : { keep: o.keep }),
    group: o.wholeMatch === true ? 0 : (rule.secretGroup ?? 'first'),
    accept(secret: string, ctx: DetectContext, m: RegExpExecArray, offset: number): boolean {
      if (rule.entropy !== undefined && shannonEntropy(secret) <= rule.entropy) return false;
      if (o.reject?.test(secret) === true) return false;
      const matchStart = offset + m.index;
      const f = new Finding(secret, ctx.text, ctx.lines, matchStart, matchStart + m[0].length, rule.prefix ?? 0);
      if (global !== null && allows(global, f)) return false;
      for (const a of allowlists) if (allows(a, f)) return false;
      return true;
    },
  });
}

let detectors: readonly Detector[] | null = null;

/**
 * Every applicable gitleaks rule (those that need a file path were left out by the generator),
 * compiled on first use: a program that imports redaction but never redacts (the CLI's `env`,
 * issue 18) does not pay for it.
 */
export function gitleaksDetectors(): readonly Detector[] {
  if (detectors === null) {
    const global = GITLEAKS_GLOBAL_ALLOWLIST === null ? null : compileAllowlist(GITLEAKS_GLOBAL_ALLOWLIST);
    detectors = GITLEAKS_RULES.map((rule) => detectorFor(rule, global));
  }
  return detectors;
}
