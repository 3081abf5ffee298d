import type { LockRecovery } from '../../app/ports';
import type { Git } from '../git';
import type { BranchCommitter } from './commit';
import { HOSTS_PREFIX, orgTrackingRef, type TipSet } from './layout';
import type { LedgerIndex } from './ledgerIndex';

/**
 * Outcome of taking in what a fetch brought. Since issue 14 nothing is merged into a commit: the
 * view is the union of every host's ref, so other hosts' records arrive by their refs moving.
 */
export interface MergeOutcome {
  /** 'fast-forward': new records arrived (refs moved forward); 'none': nothing new. */
  merged: 'none' | 'fast-forward';
  policyAdopted: { previous: string | null; adopted: string } | null;
  /** A stale writer lock recovered while merging: the caller records it (it has the service). */
  lockRecovered: LockRecovery | null;
}

/** What taking in a fetch works on: the repository's git, its organisation branch, the commit path, the ledger index. */
export interface MergeTarget {
  git: Git;
  branch: string;
  committer: BranchCommitter;
  index: LedgerIndex;
  readTips(): Promise<TipSet>;
}

/**
 * Takes in a fetch (the caller holds the writer lock): the local organisation branch follows its
 * fetched copy — a fast-forward, or, when a host that started offline joins an organisation's
 * remote, the organisation's branch replaces its own once none of its records would be left behind
 * (they are on the host's own ref; what is left is its own first policy), and the adoption of the
 * organisation's policy is reported. Then the view is refreshed.
 * Never a merge commit, never a rewritten commit id.
 */
export async function takeFetched(t: MergeTarget, lockRecovered: LockRecovery | null, viewBeforeFetch: string | null = null): Promise<MergeOutcome> {
  const base = { lockRecovered };
  if (!t.index.view) await t.index.refresh(await t.readTips());
  const viewBefore = t.index.viewId;
  const policyBefore = t.index.policy;
  let tips = await t.readTips();
  const local = `refs/heads/${t.branch}`;
  const ours = tips.tips.find((x) => x.ref === local)?.commit ?? null;
  const theirs = tips.tips.find((x) => x.ref === orgTrackingRef(t.branch))?.commit ?? null;
  let adopting = false;
  if (ours && theirs && ours !== theirs) {
    // One walk of the symmetric difference says which side has what (no full-history ancestry walk).
    const [onlyOurs, onlyTheirs] = (await t.git.text('compare-with-remote', ['rev-list', '--left-right', '--count', `${ours}...${theirs}`])).split(/\s+/).map(Number);
    if (onlyTheirs! > 0) {
      // Ours may go only when none of its records would be left behind (they are on a host's ref).
      const kept = onlyOurs === 0 || Number(await t.git.text('unshared-org-records', ['rev-list', '--count', ours, '--not', theirs, `--glob=${HOSTS_PREFIX}*`, '--', 'sessions', 'journal'])) === 0;
      if (kept) {
        await t.committer.moveBranch(t.branch, theirs, ours);
        adopting = onlyOurs! > 0;
        tips = await t.readTips();
      }
    }
  }
  if (tips.viewId !== t.index.viewId) await t.index.refresh(tips);
  const policyAfter = t.index.policy;
  const policyAdopted = adopting && policyAfter.sha256 !== policyBefore.sha256
    ? { previous: policyBefore.ok && policyBefore.source === 'built-in' ? null : policyBefore.sha256, adopted: policyAfter.sha256 }
    : null;
  // New records arrived when the view moved since the fetch began, even if a read took them in first.
  const moved = t.index.viewId !== viewBefore || (viewBeforeFetch !== null && t.index.viewId !== viewBeforeFetch);
  return { ...base, merged: moved ? 'fast-forward' : 'none', policyAdopted };
}
