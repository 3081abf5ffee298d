// The shape of the generated gitleaks module (tools/gitleaks/generate.ts writes it).

/** One gitleaks allowlist: a finding it matches is not a secret. */
export interface GitleaksAllowlist {
  /** What the regexes are tested against: the secret, the whole match, or the line. */
  readonly target: 'secret' | 'match' | 'line';
  /** AND: every non-empty condition must hold; OR: any one does. */
  readonly and: boolean;
  /** JavaScript RegExp sources (translated from RE2). */
  readonly regexes: readonly string[];
  /** Lower-case words; a secret containing one is allowed. */
  readonly stopwords: readonly string[];
}

/** One gitleaks rule, translated to JavaScript. */
export interface GitleaksRule {
  /** gitleaks' rule id, e.g. "stripe-access-token". */
  readonly id: string;
  /** JavaScript RegExp source, compiled with the flags "gd". */
  readonly source: string;
  /** Lower-case keywords: the rule runs only near one of them (as gitleaks does per fragment). */
  readonly keywords: readonly string[];
  /** Minimum Shannon entropy of the secret (exclusive), when set. */
  readonly entropy?: number;
  /** Which capture group is the secret; otherwise the first non-empty group, else the match. */
  readonly secretGroup?: number;
  /** How many `[\w.-]` characters the original pattern could take before the match (cut by the generator). */
  readonly prefix?: number;
  /** Every match starts with one of the keywords (checked by the generator): tried only at keyword hits. */
  readonly anchored?: boolean;
  readonly allowlists?: readonly GitleaksAllowlist[];
}
