import { findEnvironment, type Policy } from '../../app/policy';
import { compareScopes, type ScopeComparison, type ScopeHit } from '../../app/scopes';
import type { SessionDetail } from '../../app/views';
import { formatList } from '../format';

/**
 * The declared scopes against what the actions named (issue 7), for the reviewer: the other
 * scopes the policy in force lists for the session's environment are looked for too.
 */
export function sessionScopes(detail: SessionDetail, policy: Policy | null): ScopeComparison {
  const known = policy ? (findEnvironment(policy, detail.declaration.environment)?.scopes.map((s) => s.id) ?? []) : [];
  const actions = detail.timeline.flatMap((e) => (e.record.type === 'action' ? [{ seq: e.record.seq, argv: e.record.payload.argv, cwd: e.record.payload.cwd, output: e.record.payload.output }] : []));
  return compareScopes({ declared: detail.declaration.scopes, known, actions });
}

/** Where an action named a scope, in words: "command line, output". */
export function placesOf(hit: Pick<ScopeHit, 'in'>): string[] {
  return hit.in.map((w) => (w === 'cwd' ? 'working directory' : w === 'command' ? 'command line' : 'output'));
}

/** "state-lock (in the command line and output)". */
export function hitWords(h: ScopeHit): string {
  return `${h.scope} (in the ${formatList(placesOf(h))})`;
}
