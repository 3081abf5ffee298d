import { parseRecordPath } from '../../app/records';
import type { IntegrityProblem } from '../../app/ledger';
import { confirmedTipOf, SyncStateFile } from '../sync/syncState';
import type { VerifiedStore } from './verifyCheckpoint';

/**
 * Issue 16: history the remote confirmed must still be in this host's own ref. The remote-tracking
 * ref (compared in verify.ts) can be moved or deleted by hand to hide a rewrite; the commit the
 * remote last confirmed (the last push it accepted, the last fetch: the sync state file in the git
 * dir) is compared as well. Pushes `sync state: confirmed <id> at <time>` onto `comparedWith`;
 * `reported`: the tracking ref's commit when its comparison has just reported a rewrite.
 */
export async function compareOwnWithConfirmed(store: VerifiedStore, head: string | null, problems: IntegrityProblem[], comparedWith: string[], reported: string | null = null): Promise<void> {
  if (store.hostId === null) return;
  const state = await new SyncStateFile(store.gitDir).read();
  const confirmed = confirmedTipOf(state, store.hostId);
  if (confirmed === null) return;
  const at = state.confirmedAt ?? 'an unrecorded time';
  comparedWith.push(`sync state: confirmed ${confirmed.slice(0, 12)} at ${at}`);
  const contained = head === confirmed || (head !== null && (await store.git.run('verify-confirmed-ancestry', ['merge-base', '--is-ancestor', confirmed, head], { ok: [0, 1, 128] })).exitCode === 0);
  if (contained || confirmed === reported) return;
  const said = `The remote confirmed commit ${confirmed} of this host's history at ${at} (last push/fetch), but local history does not contain it: it was rewritten.`;
  const present = (await store.git.run('verify-confirmed-present', ['cat-file', '-e', `${confirmed}^{commit}`], { ok: [0, 1, 128] })).exitCode === 0;
  if (!present) {
    problems.push({ sessionId: null, seq: null, path: null, commit: confirmed, message: `${said} The commit is missing from this repository's objects. Never rewrite evidence; restore the pushed history.` });
    return;
  }
  // The records of the confirmed history that the own ref lost or changed (none named: the own ref is gone, or only non-record commits differ).
  const lost = head === null
    ? (await store.git.text('verify-confirmed-records', ['ls-tree', '-r', '--name-only', confirmed, '--', 'sessions', 'journal'])).split('\n').filter(Boolean)
    : (await store.git.text('verify-confirmed-diff', ['diff-tree', '-r', '--no-renames', '--name-status', confirmed, head, '--', 'sessions', 'journal'])).split('\n').map((l) => l.split('\t')).filter(([status, p]) => p && status !== 'A').map(([, p]) => p!);
  const first = lost[0] ?? null;
  const rec = first ? parseRecordPath(first) : null;
  const which = first ? ` First record removed or changed: ${first}${lost.length > 1 ? ` (and ${lost.length - 1} more)` : ''}.` : '';
  problems.push({ sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: first, commit: confirmed, message: `${said}${which} Never rewrite evidence; restore the pushed history.` });
}
