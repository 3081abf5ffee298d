import type { IntegrityProblem } from '../../app/ledger';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerEntry, LedgerTip, LedgerView } from '../../app/ports';
import type { SessionWitness } from '../../app/views';
import { parseRecordPath } from '../../app/records';
import { latestWitnesses, witnessClaims, type WitnessClaim } from '../../app/witness';
import type { Git } from '../git';
import { ownRef } from './layout';

/** What verify says of the witnesses (issue 16): per witnessed host, its latest statement by each witness. */
export interface WitnessSummary {
  host: string;
  witnesses: Array<{ witnessHost: string; witness: string; at: string; commit: string; records: number }>;
}

/**
 * verify's witness check (issue 16): every host's history must still contain every commit any
 * witness stated of it. Whoever holds the operator's account can rewrite and re-sign their own
 * history, and move or delete the tracking refs that would show it; they cannot unsay another
 * host's signed statement once it was pushed or fetched. A claimed commit that this repository no
 * longer has, or that no ref of the host contains, is a finding naming the first record lost.
 * Checked afresh on every verify: the statements come from other hosts at any time.
 */
export async function verifyWitnesses(git: Git, view: LedgerView, ownHostId: string | null): Promise<{ problems: IntegrityProblem[]; summary: WitnessSummary[]; contained: string[] }> {
  const toleranceMs = (view.policy.ok ? view.policy.policy : DEFAULT_POLICY).clockSkewToleranceSeconds * 1000;
  return verifyWitnessClaims(git, { claims: witnessClaims(view), tips: view.tips ?? [], ownHostId, toleranceMs, recordsOf: async (commits) => [...view.sessions.values()].flat().filter((e) => commits.has(e.commit)) });
}

/** What the witness check needs: the claims, the refs' tips, the clock tolerance, and the records the given commits added. */
export interface WitnessInputs {
  claims: readonly WitnessClaim[];
  tips: readonly LedgerTip[];
  ownHostId: string | null;
  toleranceMs: number;
  recordsOf: (commits: ReadonlySet<string>) => Promise<readonly LedgerEntry[]>;
  /**
   * Claims (`host\ncommit`) an earlier verify found contained in the host's refs, whose refs have
   * all moved only forward since (an incremental verify proves that, or it is full): still
   * contained, so not walked again (a claim years deep costs a walk of the whole history).
   */
  contained?: ReadonlySet<string>;
}

/** A claim's key in WitnessInputs.contained. */
export const claimKey = (c: Pick<WitnessClaim, 'host' | 'commit'>) => `${c.host}\n${c.commit}`;

/** The witness check over carried claims (an incremental verify's: no view of the whole ledger). */
export async function verifyWitnessClaims(git: Git, w: WitnessInputs): Promise<{ problems: IntegrityProblem[]; summary: WitnessSummary[]; contained: string[] }> {
  const { claims } = w;
  const known = w.contained ?? new Set<string>();
  const summary = [...latestWitnesses(claims)].sort(([a], [b]) => a.localeCompare(b))
    .map(([host, list]) => ({ host, witnesses: list.map((c) => ({ witnessHost: c.witnessHost, witness: c.witness, at: c.at, commit: c.commit, records: c.records })) }));
  if (claims.length === 0) return { problems: [], summary, contained: [] };
  const refsOf = historyTips(w.tips, w.ownHostId);
  const present = await presentCommits(git, claims.filter((c) => !known.has(claimKey(c))).map((c) => c.commit));
  for (const c of claims) if (known.has(claimKey(c))) present.add(c.commit);
  const contained: string[] = [];
  const problems: IntegrityProblem[] = [];
  const byHost = new Map<string, WitnessClaim[]>();
  for (const c of claims) byHost.set(c.host, [...(byHost.get(c.host) ?? []), c]);
  for (const [host, list] of [...byHost].sort(([a], [b]) => a.localeCompare(b))) {
    const tips = refsOf.get(host) ?? [];
    const lost = await commitsNotIn(git, [...new Set(list.filter((c) => present.has(c.commit) && !known.has(claimKey(c))).map((c) => c.commit))], tips);
    for (const c of list.filter((x) => !present.has(x.commit))) lost.add(c.commit);
    for (const c of new Set(list.map((x) => x.commit))) if (!lost.has(c)) contained.push(claimKey({ host, commit: c }));
    // One finding per commit, from the first witness that stated it.
    const named = new Set<string>();
    for (const c of list) {
      if (!lost.has(c.commit) || named.has(c.commit)) continue;
      named.add(c.commit);
      problems.push(await rewrittenAfterWitness(git, c, tips, present.has(c.commit)));
    }
    const newest = list.filter((c) => !lost.has(c.commit)).reduce<WitnessClaim | null>((a, c) => (!a || Date.parse(c.at) > Date.parse(a.at) ? c : a), null);
    if (newest) problems.push(...(await datedBeforeWitness(git, w, newest, tips)));
  }
  return { problems, summary, contained };
}

/**
 * Records a host wrote after the newest witnessed commit of its history must not be dated before
 * the witness saw it (less the policy's clock tolerance, issue 16): such a record was backdated.
 * An `expired` record is dated at the expiry instant, not when it was written: it is left out.
 */
async function datedBeforeWitness(git: Git, w: WitnessInputs, c: WitnessClaim, tips: readonly string[]): Promise<IntegrityProblem[]> {
  if (tips.length === 0) return [];
  const after = new Set((await git.text('verify-after-witness', ['rev-list', '--stdin'], { input: `${tips.join('\n')}\n^${c.commit}\n` })).split('\n').filter(Boolean));
  if (after.size === 0) return [];
  const floor = Date.parse(c.at) - w.toleranceMs;
  const out: IntegrityProblem[] = [];
  for (const e of await w.recordsOf(after)) {
    if (e.record.host.id !== c.host || e.record.type === 'expired' || !after.has(e.commit) || Date.parse(e.record.at) >= floor) continue;
    out.push({
      sessionId: e.record.sessionId, seq: e.record.seq, path: e.path, commit: e.commit,
      message: `The ${e.record.type} record is dated ${e.record.at}, before ${c.witness} (host ${c.witnessHost}) witnessed host ${c.host}'s history at ${c.at}, but it is not in what they saw (commit ${c.commit.slice(0, 12)}): it was written later and backdated.`,
    });
  }
  return out;
}

/**
 * The latest statement of each witness of `hostId`'s history, and whether this repository's refs of
 * that host still contain what they saw (issue 16): what the session page shows, without the rest of verify.
 */
export async function hostWitnesses(git: Git, view: LedgerView, hostId: string, ownHostId: string | null): Promise<SessionWitness[]> {
  const latest = latestWitnesses(witnessClaims(view)).get(hostId) ?? [];
  if (latest.length === 0) return [];
  const tips = historyTips(view.tips ?? [], ownHostId).get(hostId) ?? [];
  const present = await presentCommits(git, latest.map((c) => c.commit));
  const lost = await commitsNotIn(git, [...present], tips);
  return latest.map((c) => ({ witness: c.witness, witnessHost: c.witnessHost, at: c.at, commit: c.commit, records: c.records, contained: present.has(c.commit) && !lost.has(c.commit) }));
}

/** The tips of each host's history: its own ref here for this host, else every copy this repository holds of it. */
function historyTips(refs: readonly LedgerTip[], ownHostId: string | null): Map<string, string[]> {
  const refsOf = new Map<string, string[]>();
  for (const t of refs) {
    if (t.hostId === null || (ownHostId !== null && t.hostId === ownHostId && t.ref !== ownRef(ownHostId))) continue;
    refsOf.set(t.hostId, [...(refsOf.get(t.hostId) ?? []), t.commit]);
  }
  return refsOf;
}

/** Which of the witnessed commits this repository has (one `cat-file --batch-check`). */
async function presentCommits(git: Git, claimed: readonly string[]): Promise<Set<string>> {
  const commits = [...new Set(claimed)];
  const types = (await git.text('witnessed-objects', ['cat-file', '--batch-check=%(objecttype)'], { input: `${commits.join('\n')}\n` })).split('\n');
  return new Set(commits.filter((_, i) => types[i] === 'commit'));
}

/** The claimed commits no tip contains: `git rev-list C… --not T…` lists every commit reachable from a claim and not from a tip, so a claim is lost exactly when it is listed itself. */
async function commitsNotIn(git: Git, claimed: readonly string[], tips: readonly string[]): Promise<Set<string>> {
  if (claimed.length === 0) return new Set();
  if (tips.length === 0) return new Set(claimed);
  const out = await git.text('verify-witnessed-ancestry', ['rev-list', '--stdin'], { input: `${claimed.join('\n')}\n${tips.map((t) => `^${t}`).join('\n')}\n` });
  const listed = new Set(out.split('\n').filter(Boolean));
  return new Set(claimed.filter((c) => listed.has(c)));
}

/** The finding for one witnessed commit no longer in its host's history, naming the first record it held that the history lost or changed. */
async function rewrittenAfterWitness(git: Git, c: WitnessClaim, tips: readonly string[], present: boolean): Promise<IntegrityProblem> {
  const seen = `${c.witness} (host ${c.witnessHost}) saw commit ${c.commit.slice(0, 12)} with ${c.records} record(s) at ${c.at}`;
  const base = { sessionId: null, seq: null, path: c.path, commit: c.statementCommit };
  if (tips.length === 0) return { ...base, message: `Host ${c.host}'s history was witnessed, but this repository holds no ref of it: ${seen}. Fetch it (breakglass verify --online), or restore it.` };
  if (!present) return { ...base, message: `Host ${c.host}'s history was rewritten after it was witnessed: ${seen}, and that commit is no longer in this repository.` };
  // The record paths the witnessed commit holds that the host's current tip (the first of its refs) lacks or holds differently.
  const diff = await git.text('verify-witnessed-diff', ['diff-tree', '-r', '--no-renames', '--name-status', c.commit, tips[0]!, '--', 'sessions', 'journal']);
  const firstLost = diff.split('\n').map((l) => l.split('\t')).filter(([status, p]) => p !== undefined && status !== 'A' && parseRecordPath(p) !== null)
    .map(([, p]) => p!).sort()[0];
  const rec = firstLost ? parseRecordPath(firstLost) : null;
  return {
    ...base, sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: firstLost ?? c.path,
    message: `Host ${c.host}'s history was rewritten after it was witnessed: ${seen}, and its history no longer contains it.${firstLost ? ` The first record lost: ${firstLost}.` : ''} The witness statement is ${c.path} (commit ${c.statementCommit.slice(0, 12)}).`,
  };
}
