import { BreakGlassError } from '../../app/errors';
import type { LockRecovery } from '../../app/ports';
import type { Git } from '../git';
import type { BranchCommitter } from './commit';
import type { LedgerIndex } from './ledgerIndex';
import { defaultSystemAuthor } from './repository';

/** Outcome of merging what other hosts pushed. */
export interface MergeOutcome {
  merged: 'none' | 'fast-forward' | 'merge';
  policyAdopted: { previous: string | null; adopted: string } | null;
  /** A stale writer lock recovered while merging: the caller records it (it has the service). */
  lockRecovered: LockRecovery | null;
}

/** What a merge works on: the repository's git, its branch, the commit path and the ledger index. */
export interface MergeTarget {
  git: Git;
  branch: string;
  committer: BranchCommitter;
  index: LedgerIndex;
}

/** Root files two hosts may both have written (the organisation's version wins); record paths never conflict. */
const RESOLVABLE = new Set(['policy.yaml', 'README.md']);

/**
 * Merges another host's history (a fetched remote-tracking ref) into the branch; the caller holds
 * the writer lock. Fast-forward when possible, else `merge-tree --write-tree` + a merge commit (no
 * work tree, ~40 ms; never rebase: commit ids must not change). Record paths are unique per
 * session, so only policy.yaml / README.md can conflict, when a host that started offline joins
 * an organisation's remote: the remote's (the organisation's) version wins and is reported.
 * `fastForwarded` is what the fetch reported of the tracking ref's move, when it has.
 */
export async function mergeTrackingRef(
  t: MergeTarget,
  ref: string,
  fastForwarded: { from: string; to: string } | undefined,
  lockRecovered: LockRecovery | null,
): Promise<MergeOutcome> {
  const base = { lockRecovered };
  // Both tips in one git process, read under the lock (another writer may have moved ours):
  // the board's incremental fetch pays for every process on its way (issue 6 benchmark).
  const branchRef = `refs/heads/${t.branch}`;
  const tips = new Map<string, string>();
  const listed = await t.git.text('resolve-tips', ['for-each-ref', '--format=%(refname) %(objectname)', ref, branchRef]);
  for (const line of listed.split('\n')) {
    const [name, object] = line.trim().split(' ');
    if (name && object) tips.set(name, object);
  }
  const theirs = tips.get(ref) ?? null;
  if (!theirs) return { ...base, merged: 'none', policyAdopted: null };
  const ours = tips.get(branchRef) ?? null;
  if (ours === theirs) return { ...base, merged: 'none', policyAdopted: null };
  const fastForward = async (): Promise<MergeOutcome> => {
    await t.committer.moveBranch(theirs, ours);
    if (t.index.view) await t.index.refresh(theirs);
    return { ...base, merged: 'fast-forward', policyAdopted: null };
  };
  if (ours === null) return fastForward();
  // The fetch just moved the tracking ref by fast-forward from our own tip: theirs descends from
  // ours, no walk needed (the board's incremental fetch, issue 6 benchmark).
  if (fastForwarded && fastForwarded.from === ours && fastForwarded.to === theirs) return fastForward();
  // One walk of the symmetric difference says which side has what (no full-history ancestry walk).
  const [onlyOurs, onlyTheirs] = (await t.git.text('compare-with-remote', ['rev-list', '--left-right', '--count', `${ours}...${theirs}`])).split(/\s+/).map(Number);
  if (onlyTheirs === 0) return { ...base, merged: 'none', policyAdopted: null };
  if (onlyOurs === 0) return fastForward();
  if (t.index.head !== ours || !t.index.view) await t.index.refresh(ours);
  const policyBefore = t.index.policyBlob;
  const policyShaBefore = t.index.policy.sha256;
  const mt = await t.git.run('merge-evidence', ['merge-tree', '--write-tree', '--allow-unrelated-histories', '--name-only', '--no-messages', ours, theirs], { ok: [0, 1] });
  const lines = mt.text().split('\n').filter(Boolean);
  let tree = lines[0]!;
  const conflicted = [...new Set(lines.slice(1))];
  const unresolvable = conflicted.filter((p) => !RESOLVABLE.has(p));
  if (unresolvable.length > 0) {
    throw new BreakGlassError('refused', `Merging the remote's evidence conflicts on ${unresolvable.slice(0, 3).join(', ')}: two hosts wrote the same record path. Local evidence is untouched; resolve by hand (see README, "Two hosts wrote the same record").`);
  }
  if (conflicted.length > 0) tree = await replaceRootEntries(t.git, tree, theirs, conflicted);
  const commit = await t.committer.commitMerge(tree, [ours, theirs], `breakglass: merge evidence from ${ref.replace(/^refs\/remotes\//, '')}`, defaultSystemAuthor());
  await t.committer.moveBranch(commit, ours);
  await t.index.refresh(commit);
  const adopted = conflicted.includes('policy.yaml') && t.index.policyBlob !== policyBefore
    ? { previous: policyBefore === null ? null : policyShaBefore, adopted: t.index.policy.sha256 }
    : null;
  return { ...base, merged: 'merge', policyAdopted: adopted };
}

/** Takes `names` at the root of `tree` from `source`'s tree (the organisation's policy wins). */
async function replaceRootEntries(git: Git, tree: string, source: string, names: string[]): Promise<string> {
  const root = (await git.text('list-merged-root', ['ls-tree', tree])).split('\n');
  const theirs = (await git.text('list-remote-root', ['ls-tree', source])).split('\n');
  const byName = (lines: string[]) => new Map(lines.filter(Boolean).map((l) => [l.slice(l.indexOf('\t') + 1), l] as const));
  const merged = byName(root);
  const remote = byName(theirs);
  for (const n of names) {
    const line = remote.get(n);
    if (line) merged.set(n, line);
  }
  return git.text('mktree-merged', ['mktree'], { input: `${[...merged.values()].join('\n')}\n` });
}
