import type { IntegrityProblem } from '../../app/ledger';
import { GOVERNED_FILES, type GovernedFile } from '../../app/roster/governance';
import { verifyCommitSignatures, type ObjectFormat } from '../signing/commitSignature';
import type { Git } from '../git';
import { GOVERNANCE_PATHSPEC, GovernanceRules, parseRawLog, type GovernanceState } from './governanceRules';

/**
 * What the organisation branch's governance history puts in force (issue 15: "nothing under [a
 * pending change] takes effect until approved"). The console and the CLI sign, check and decide
 * with these files, never with whatever roster.yaml or policy.yaml the tip's tree holds: a policy
 * weakened by a plain commit, or by one admin alone, stays out of force here exactly as `verify`
 * (verifySignatures.ts, the same GovernanceRules) reports it.
 */
export interface GovernedFiles {
  /** The organisation commit this describes. */
  orgTip: string;
  /** The roster in force (blob id; null: none, records are unsigned). */
  roster: string | null;
  /** The policy in force (blob id; null: none). */
  policy: string | null;
  /** Every policy adopted, oldest first: when the newest cannot be read, the last valid one stays in force. */
  policies: string[];
  /** The first roster's commit (the trust anchor). */
  anchor: string | null;
  /** Every governance finding of the walk, in order (verify names the same ones). */
  findings: IntegrityProblem[];
  /** Proposals not adopted yet, with the admins whose approval counted. */
  pending: Array<{ id: string; file: GovernedFile; approvers: string[] }>;
}

/** A governed file whose text at the organisation tip is not the one in force, and why. */
export interface NotInForce {
  file: GovernedFile;
  reason: string;
}

/** The governed files the tip's tree holds (`tip`: blob ids) that are not the ones in force. */
export function filesNotInForce(governed: GovernedFiles | null, tip: Record<GovernedFile, string | null>): NotInForce[] {
  if (!governed) return [];
  return GOVERNED_FILES.flatMap((file) => {
    if (tip[file] === (file === 'roster.yaml' ? governed.roster : governed.policy)) return [];
    const why = governed.findings.filter((p) => p.path === file).at(-1)?.message;
    return [{ file, reason: why ?? `${file} on the organisation branch was not adopted through a governed change: it is not in force.` }];
  });
}

/** Walks the organisation branch's commits that touch roster.yaml, policy.yaml or governance/. */
export async function governedFiles(git: Git, objectFormat: ObjectFormat, orgTip: string): Promise<GovernedFiles> {
  // `--parents` rewrites each shown commit's parents to the nearest shown ancestors, so the walk
  // sees the governance commits as a graph of their own (merges included).
  const log = await git.text('governance-history', ['log', '--reverse', '--topo-order', '--parents', '--no-renames', '--raw', '--no-abbrev', '--diff-merges=off', '--format=%x01%H%x02%P', orgTip, '--', ...GOVERNANCE_PATHSPEC]);
  const commits = parseRawLog(log);
  const rules = new GovernanceRules(git);
  const [checks] = await Promise.all([
    verifyCommitSignatures(git, commits.filter((c) => c.parents.length <= 1).map((c) => c.id), { format: objectFormat, pool: null }),
    rules.prefetch(commits),
  ]);
  const checkOf = new Map(checks.map((r) => [r.id, r.check]));
  const states = new Map<string, GovernanceState>();
  const findings: IntegrityProblem[] = [];
  const none: GovernanceState = { roster: null, policy: null, changedAt: 0 };
  let last: GovernanceState = none;
  let order = 0;
  for (const c of commits) {
    order += 1;
    const before = GovernanceRules.before(c.parents.map((p) => states.get(p)), none);
    const after: GovernanceState = { ...before };
    states.set(c.id, after);
    last = after;
    if (c.parents.length > 1) continue;
    for (const ch of c.changes) findings.push(...(await rules.apply(c.id, ch, before, after, checkOf.get(c.id)!, order, true)));
  }
  const pending = [...rules.proposals].filter(([, p]) => p.adoptedIn === null).map(([id, p]) => ({ id, file: p.file, approvers: [...p.admins] }));
  return { orgTip, roster: last.roster, policy: last.policy, policies: [...rules.adoptedPolicies], anchor: rules.anchor, findings, pending };
}

/** What governance put in force at `orgTip` (null: no organisation branch), not what its tree holds; `known` is reused when it describes the same tip. */
export async function governedAt(git: Git, objectFormat: ObjectFormat, orgTip: string | null, known: GovernedFiles | null): Promise<GovernedFiles | null> {
  if (orgTip === null) return null;
  return known?.orgTip === orgTip ? known : governedFiles(git, objectFormat, orgTip);
}
