import { parseRecordPath } from '../../app/records';
import { verifyLedgerRecords, type IntegrityProblem } from '../../app/ledger';
import { verifySessionRecordings } from '../../app/recording/evidence';
import type { VerifyResult } from '../../app/verifyResult';
import { Git } from '../git';
import type { GitEvidenceStore } from './store';
import { verifySignatures } from './verifySignatures';

/** What verify reads of the store: the ledger, and the repository's git to walk history itself. */
export type VerifiedStore = Pick<GitEvidenceStore, 'dir' | 'git' | 'branch' | 'read' | 'objectFormat'>;

/** The result of `breakglass verify` (defined once, in app/verifyResult.ts). */
export type VerifyReport = VerifyResult;

/**
 * Verifies the whole repository offline (issue 2): every record parses, every chain links, every
 * record file was added by exactly one commit and never changed or removed after it, the commit's
 * author is the record's named actor, history already pushed was not rewritten, and git fsck is clean.
 */
export async function verifyRepository(store: VerifiedStore, options: { anchor?: string } = {}): Promise<VerifyReport> {
  // git fsck is the longest step (it hashes every object); it runs beside the rest on its own git
  // instance, so the two cores share the work.
  const fsckRun = new Git(store.dir).run('verify-fsck', ['fsck', '--no-progress', '--no-dangling'], { ok: [0, 1, 2, 3, 4, 5, 6, 7, 8] });
  fsckRun.catch(() => undefined); // awaited below; this only keeps an early failure elsewhere from leaving it unhandled
  const view = await store.read();
  const problems: IntegrityProblem[] = verifyLedgerRecords(view);
  const byPath = new Map<string, { sessionId: string; seq: number; actor: { name: string; email: string } }>();
  let records = 0;
  for (const entries of view.sessions.values()) {
    for (const e of entries) {
      records += 1;
      byPath.set(e.path, { sessionId: e.record.sessionId, seq: e.record.seq, actor: e.record.actor });
    }
  }
  // Issue 17: each governed shell's recording — its chunk chain, its start and its end.
  for (const [sessionId, entries] of view.sessions) {
    for (const p of await verifySessionRecordings(entries.map((e) => e.record))) {
      problems.push({ sessionId, seq: p.recordSeq, path: null, commit: null, message: `Recording ${p.recordingId}: ${p.message}` });
    }
  }
  let commitsChecked = 0;
  if (view.head) {
    // One walk of history. Non-merge commits show their own changes; merges show only what differs
    // from every parent (an "evil merge" that edits a record shows up here).
    const log = await store.git.text('verify-history', [
      'log', '--no-renames', '--raw', '--no-abbrev', '--diff-merges=dense-combined',
      '--format=%x01%H%x02%an%x02%ae%x02%P', view.head, '--', 'sessions', 'journal',
    ]);
    const added = new Map<string, string[]>();
    let commit = '';
    let author = { name: '', email: '' };
    let isMerge = false;
    for (const line of log.split('\n')) {
      if (line.startsWith('\x01')) {
        const [sha, name, email, parents] = line.slice(1).split('\x02');
        commit = sha!;
        author = { name: name!, email: email! };
        isMerge = (parents ?? '').trim().split(' ').length > 1;
        commitsChecked += 1;
        continue;
      }
      const tab = line.indexOf('\t');
      if (tab < 0 || !line.startsWith(':')) continue;
      const p = line.slice(tab + 1);
      const status = line.slice(0, tab).trim().split(' ').pop() ?? '';
      const rec = parseRecordPath(p);
      const at = { sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit };
      if (isMerge) {
        problems.push({ ...at, message: 'A merge commit changed this record (merges may only join histories).' });
      } else if (status === 'A') {
        added.set(p, [...(added.get(p) ?? []), commit]);
        const current = byPath.get(p);
        // Exact name and e-mail: a display name or an address alone is not the named human (issue 2).
        if (current && !sameAuthor(current.actor, author)) {
          problems.push({ ...at, message: `Committed by ${author.name} <${author.email}>, but the record names ${current.actor.name} <${current.actor.email}>.` });
        }
      } else if (status === 'D') {
        problems.push({ ...at, message: 'Record removed after it was committed.' });
      } else {
        problems.push({ ...at, message: `Record changed after it was committed (${status === 'M' ? 'modified' : status}).` });
      }
    }
    for (const [p, commits] of added) {
      if (commits.length > 1) {
        const rec = parseRecordPath(p);
        problems.push({ sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit: commits[0] ?? null, message: `Record added by ${commits.length} commits (${commits.map((c) => c.slice(0, 12)).join(', ')}); each record has exactly one.` });
      }
    }
    for (const p of byPath.keys()) {
      if (!added.has(p)) {
        const rec = parseRecordPath(p);
        problems.push({ sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit: null, message: 'No commit adds this record (it arrived through a merge or a rewrite).' });
      }
    }
  }
  // Who signed each commit, against the roster in force (issue 15): main/evidence/verifySignatures.ts.
  const signed = await verifySignatures(store, view, options);
  problems.push(...signed.problems);
  const comparedWithRemote = await compareWithRemote(store, view.head, problems);
  const fsck = await fsckRun;
  if (fsck.exitCode !== 0 || /^(error|missing|broken|bad)/m.test(fsck.text() + fsck.stderr)) {
    const first = `${fsck.text()}\n${fsck.stderr}`.split('\n').filter((l) => /error|missing|broken|bad/i.test(l)).slice(0, 5).join(' | ');
    problems.push({ sessionId: null, seq: null, path: null, commit: null, message: `git fsck reports damage: ${first || `exit ${fsck.exitCode}`}` });
  }
  return { ok: problems.length === 0, head: view.head, sessions: [...view.sessions.keys()].filter((k) => !k.startsWith('journal-')).length, records, commitsChecked, comparedWithRemote, problems, signatures: signed.summary };
}

/** Records already pushed must still be in local history, unchanged (a rewrite is detected against the remote-tracking branch). */
async function compareWithRemote(store: VerifiedStore, head: string | null, problems: IntegrityProblem[]): Promise<string | null> {
  const refs = (await store.git.text('list-tracking', ['for-each-ref', '--format=%(refname)', `refs/remotes/*/${store.branch}`])).split('\n').filter(Boolean);
  const tracking = refs[0];
  if (!tracking || !head) return null;
  const anc = await store.git.run('verify-remote-ancestry', ['merge-base', '--is-ancestor', tracking, head], { ok: [0, 1] });
  if (anc.exitCode === 0) return tracking;
  const diff = await store.git.text('verify-remote-diff', ['diff-tree', '-r', '--no-renames', '--name-status', tracking, head, '--', 'sessions', 'journal']);
  let named = 0;
  for (const line of diff.split('\n')) {
    const [status, p] = line.split('\t');
    if (!p || status === 'A') continue; // Added locally since the push: normal.
    const rec = parseRecordPath(p);
    named += 1;
    problems.push({
      sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit: null,
      message: status === 'D' ? `Record was pushed to ${tracking.replace('refs/remotes/', '')} but is missing from local history (history rewritten).` : `Record differs from the copy already pushed to ${tracking.replace('refs/remotes/', '')} (history rewritten).`,
    });
  }
  if (named === 0) {
    problems.push({ sessionId: null, seq: null, path: null, commit: null, message: `Local history does not contain ${tracking.replace('refs/remotes/', '')} (already pushed): it was rewritten. Never rewrite evidence; restore the pushed history.` });
  }
  return tracking;
}

/** The commit's author is the record's actor: the same name and the same e-mail (case-insensitive). */
function sameAuthor(actor: { name: string; email: string }, author: { name: string; email: string }): boolean {
  return actor.name.trim() === author.name.trim() && actor.email.trim().toLowerCase() === author.email.trim().toLowerCase();
}
