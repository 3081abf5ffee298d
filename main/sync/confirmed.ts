import type { Git } from '../git';
import { confirmedTipOf, type SyncState } from './syncState';
import type { SeenTip } from './transfer';

/**
 * The commit of this host's own ref the remote confirmed (issue 16): what the last push had
 * accepted, or the last fetch brought. The remote-tracking ref says the same until someone moves
 * or deletes it by hand (`git update-ref`) to hide a rewrite; this one lives in the sync state
 * file and only moves forward: a tip the remote shows that does not contain the one confirmed
 * before (the remote's ref deleted and pushed anew, or rewritten) leaves the earlier one in force,
 * so a rewrite stays visible to the push state and to verify.
 */
export async function confirmedAfter(git: Git, before: Pick<SyncState, 'confirmedOwnTip' | 'confirmedAt' | 'confirmedHostId'>, seen: SeenTip | null, at: string, hostId: string | null): Promise<Pick<SyncState, 'confirmedOwnTip' | 'confirmedAt' | 'confirmedHostId'>> {
  if (hostId === null) return { confirmedOwnTip: before.confirmedOwnTip, confirmedAt: before.confirmedAt, confirmedHostId: before.confirmedHostId };
  const previous = confirmedTipOf(before, hostId);
  const kept = { confirmedOwnTip: previous, confirmedAt: previous === null ? null : before.confirmedAt, confirmedHostId: hostId };
  if (seen === null) return kept;
  // A fast-forward from the confirmed tip (the remote's or the tracking ref's before) needs no walk.
  if (previous === null || previous === seen.commit || previous === seen.old || (await isAncestor(git, previous, seen.commit))) {
    return { confirmedOwnTip: seen.commit, confirmedAt: at, confirmedHostId: hostId };
  }
  return kept;
}

/** Whether `a` is in the history of `b` (false too when either is missing from the object store). */
export async function isAncestor(git: Git, a: string, b: string): Promise<boolean> {
  return (await git.run('confirmed-ancestry', ['merge-base', '--is-ancestor', a, b], { ok: [0, 1, 128] })).exitCode === 0;
}
