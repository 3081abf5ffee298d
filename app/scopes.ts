/**
 * Declared scopes against what the actions touched (issue 7, procedure.md §9): a textual aid for
 * the reviewer, not an enforcement. It says which scope each action's command line, working
 * directory or output mentions by name, flags actions that mention a scope the policy knows for
 * the environment but the declaration did not ask for, and lists declared scopes no action
 * mentions. A scope can be touched without being named, and named without being touched: the
 * reviewer reads the actions; this only points at where to look.
 */

/** Where in an action a scope was named. */
export type ScopeHitPlace = 'command' | 'cwd' | 'output';

/** One scope named by one action, and where. */
export interface ScopeHit {
  scope: string;
  in: ScopeHitPlace[];
}

/** What one action mentions. */
export interface ActionScopes {
  seq: number;
  /** Declared scopes the action names. */
  declared: ScopeHit[];
  /** Scopes the policy knows for the environment that were not declared: the reviewer should look at these. */
  undeclared: ScopeHit[];
}

/** The comparison for one session. */
export interface ScopeComparison {
  declared: string[];
  /** Scopes the policy lists for the environment that the declaration did not ask for. */
  knownUndeclared: string[];
  /** One entry per action, in the order given. */
  actions: ActionScopes[];
  /** Declared scopes that no action names (asked for, apparently not used: least privilege). */
  untouched: string[];
  /** The seqs of actions that name an undeclared scope. */
  flagged: number[];
}

/** What the comparison reads of one action record. */
export interface ActionText {
  seq: number;
  argv: readonly string[];
  cwd: string;
  output: string;
}

const patterns = new Map<string, RegExp>();

/**
 * The pattern for a scope id: its words in order, case-insensitive, joined by nothing, a dash, an
 * underscore, a dot, a slash or a space, each word with or without a plural "s", and not inside a
 * longer word. `state-lock` matches "state-lock", "STATE_LOCK", "statelock", "state locks";
 * `diagnostics` matches "diagnostic".
 */
export function scopePattern(scopeId: string): RegExp {
  let re = patterns.get(scopeId);
  if (!re) {
    const words = scopeId.toLowerCase().split(/[-_\s]+/).filter(Boolean).map((w) => `${escapeRegExp(w.replace(/s$/, ''))}s?`);
    re = new RegExp(`(?<![\\p{L}\\p{N}])${words.join('[-_./ ]?')}(?![\\p{L}\\p{N}])`, 'iu');
    patterns.set(scopeId, re);
  }
  return re;
}

/** Where in `action` the scope is named (empty: not named). */
export function placesNaming(scopeId: string, action: ActionText): ScopeHitPlace[] {
  const re = scopePattern(scopeId);
  const places: ScopeHitPlace[] = [];
  if (re.test(action.argv.join(' '))) places.push('command');
  if (re.test(action.cwd)) places.push('cwd');
  if (re.test(action.output)) places.push('output');
  return places;
}

/**
 * Compares the declared scopes (and the others the policy knows for the environment) with each
 * action. `known` may be empty when the environment is no longer in the policy; declared scopes
 * are always checked.
 */
export function compareScopes(input: { declared: readonly string[]; known: readonly string[]; actions: readonly ActionText[] }): ScopeComparison {
  const declared = [...new Set(input.declared)];
  const declaredSet = new Set(declared);
  const knownUndeclared = [...new Set(input.known)].filter((s) => !declaredSet.has(s));
  const touched = new Set<string>();
  const actions: ActionScopes[] = input.actions.map((a) => {
    const hits = (scopes: readonly string[]) =>
      scopes.flatMap((scope) => {
        const places = placesNaming(scope, a);
        return places.length > 0 ? [{ scope, in: places }] : [];
      });
    const d = hits(declared);
    for (const h of d) touched.add(h.scope);
    return { seq: a.seq, declared: d, undeclared: hits(knownUndeclared) };
  });
  return {
    declared,
    knownUndeclared,
    actions,
    untouched: declared.filter((s) => !touched.has(s)),
    flagged: actions.filter((a) => a.undeclared.length > 0).map((a) => a.seq),
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
