import { verifyLedgerRecords, type IntegrityProblem } from '../../app/ledger';
import type { LedgerEntry, LedgerTip, LedgerView, PathConflict, UnreadableRecord } from '../../app/ports';
import { verifySessionRecordings } from '../../app/recording/evidence';
import { parseRecordPath } from '../../app/records';
import type { Git } from '../git';
import { ackJudge } from './acknowledgements';
import { readBlobs } from './blobs';
import { isGovernancePath } from './governanceRules';
import { ownRef, type Tip } from './layout';
import { builtInPolicy } from './policyInForce';
import { NOT_A_RECORD_PATH, parseRecordText, shownCopy, sortEntries } from './recordParse';
import { diffTips, type TipDiff } from './tipUnion';
import { problemKey, type Checkpoint, type CheckpointProblem, type VerifiedStore } from './verifyCheckpoint';
import { rosterFromBlob } from './verifyAcknowledgements';
import { carryForward } from './verifyCarried';
import { checkHistories } from './verifyHistory';
import { CheckpointUnusable, verifySignatures } from './verifySignatures';

/**
 * The incremental `verify` (issue 18): from the checkpoint the last verify left, it re-checks
 * everything added since — every session that gained, lost or changed a record file is read again
 * from git's objects and checked whole; the history walk, the authors and the signatures cover the
 * commits not reachable from the checkpoint's tips; `git rev-list --objects` checks they are
 * connected — and carries forward the findings of the part before. Anything that makes the part
 * before differ (a ref gone or moved to a commit that does not descend from its checkpointed tip, a
 * change of the governed roster or policy, another pinned trust anchor, another configuration)
 * throws CheckpointUnusable, and verify is full.
 */

/** Root files beside records; a host's ref ignores them (ledgerIndex.ts). */
const ROOT_FILES = new Set(['policy.yaml', 'README.md', '.gitattributes', 'roster.yaml']);

/** What an incremental run found, before the checks every verify makes afresh (verify.ts). */
export interface IncrementalResult {
  view: Pick<LedgerView, 'head' | 'tips'>;
  tips: Tip[];
  problems: CheckpointProblem[];
  newCommits: number;
  /** The checkpointed commit it went on from: of this host's own ref if it moved, else of the first ref that moved, else the checkpoint's head. */
  from: string | null;
  checkpoint: Checkpoint;
  /** Records of the commits added since that git could not reach (connectivity of the new commits). */
  missing: string[];
}

/** The view's head: this host's own ref, else the organisation tip (as the ledger index has it). */
export function headOf(tips: readonly Tip[], hostId: string | null): string | null {
  return (hostId ? tips.find((t) => t.ref === ownRef(hostId))?.commit : undefined) ?? tips.find((t) => t.organisation)?.commit ?? null;
}

export function ledgerTipsOf(tips: readonly Tip[]): LedgerTip[] {
  return tips.map((t) => ({ ref: t.ref, commit: t.commit, hostId: t.hostId, organisation: t.organisation }));
}

export async function verifySince(store: VerifiedStore, cp: Checkpoint, options: { anchor?: string }): Promise<IncrementalResult> {
  const git = store.git;
  if (cp.objectFormat !== store.objectFormat || cp.branch !== store.branch || cp.hostId !== store.hostId) throw new CheckpointUnusable('it was made for another branch or host');
  if ((options.anchor ?? null) !== cp.pinned) throw new CheckpointUnusable(options.anchor ? 'another trust anchor is pinned' : 'it was made with a pinned trust anchor');
  const tips = (await store.readTips()).tips;
  const now = new Map(tips.map((t) => [t.ref, t]));
  const before = new Map(cp.tips.map((t) => [t.ref, t.commit]));
  for (const ref of before.keys()) if (!now.has(ref)) throw new CheckpointUnusable(`${ref} is gone`);
  const moved = tips.filter((t) => before.has(t.ref) && before.get(t.ref) !== t.commit);
  const exclude = [...new Set(cp.tips.map((t) => t.commit))];
  const revs = [...new Set(tips.map((t) => t.commit)), ...exclude.map((c) => `^${c}`)];
  // One walk for the new commits with their parents and for the objects they reach (connectivity):
  // `commit <id>` then its parents for each, and `?<id>` for each object git could not reach.
  const listed = tips.length === 0 ? null : await git.run('verify-new-commits', ['rev-list', '--objects', '--no-object-names', '--missing=print', '--format=%P', ...revs], { ok: [0, 128] });
  if (listed && listed.exitCode !== 0) throw new CheckpointUnusable('a commit of the checkpoint is no longer in the repository');
  const { parents, missing } = newCommitsOf(listed ? listed.text() : '');
  const newCommits = parents.size;
  for (const t of moved) {
    if (descendsInNew(parents, t.commit, before.get(t.ref)!)) continue;
    // Not through the new commits alone (a ref moved onto commits another ref already had): ask git.
    const r = await git.run('verify-checkpoint-ancestry', ['merge-base', '--is-ancestor', before.get(t.ref)!, t.commit], { ok: [0, 1, 128] });
    if (r.exitCode !== 0) throw new CheckpointUnusable(`${t.ref} was moved to ${t.commit.slice(0, 12)}, which does not descend from the checkpoint's ${before.get(t.ref)!.slice(0, 12)}`);
  }

  // What changed in every ref that moved or is new, against its checkpointed tip (a new ref: the organisation's).
  const cpOrg = cp.tips.find((t) => now.get(t.ref)?.organisation)?.commit ?? null;
  const requests = tips.filter((t) => before.get(t.ref) !== t.commit).map((t) => {
    const against = before.get(t.ref) ?? cpOrg;
    return { tip: t, base: (against ? 'moved' : 'empty-base') as TipDiff['base'], against };
  });
  const changed = new Set<string>();
  for (const d of await diffTips(git, store.objectFormat, requests)) {
    for (const c of d.changes) {
      if (isGovernancePath(c.path)) throw new CheckpointUnusable(`${d.tip.ref} changes ${c.path}`);
      if (!ROOT_FILES.has(c.path)) changed.add(c.path);
    }
  }
  const touched = new Set<string>();
  const folders = new Set<string>();
  for (const p of changed) {
    const rec = parseRecordPath(p);
    if (rec) touched.add(rec.sessionId);
    folders.add(rec ? p.slice(0, p.lastIndexOf('/') + 1) : p);
  }

  const { sessions, unreadable, conflicts, inCheckpoint } = await readSessions(git, tips, exclude, [...folders], touched);
  const present = new Set<string>();
  for (const entries of sessions.values()) for (const e of entries) present.add(e.path);
  for (const u of unreadable) present.add(u.path);
  const view: LedgerView = { head: headOf(tips, store.hostId), branch: store.branch, tips: ledgerTipsOf(tips), sessions, unreadable, conflicts, policy: builtInPolicy() };

  // The signature walk reads the records by path, never their commits: it runs beside the history
  // walk (its git reads are spawned beside the serial queue, main/git.ts), and the history walk's
  // failure, if any, is still the one raised.
  const signing = verifySignatures(store, view, { ...options, since: { exclude, resume: cp.governance, parents } });
  signing.catch(() => undefined); // awaited below
  const history = await checkHistories(git, view, { exclude, parents, mustBeAdded: [...changed].filter((p) => present.has(p) && !inCheckpoint.has(p)) });
  const fresh: IntegrityProblem[] = [...history.problems];
  for (const [p, commits] of history.added) {
    if (!inCheckpoint.has(p)) continue;
    const rec = parseRecordPath(p);
    fresh.push({ sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit: [...commits][0] ?? null, message: `Record added again by commit ${[...commits][0]!.slice(0, 12)}, though the history verified before already holds it; each record has exactly one adding commit.` });
  }
  // The records of the sessions touched, each with its adding commit where it was added since.
  const attributed = new Map<string, LedgerEntry[]>();
  for (const [id, entries] of sessions) attributed.set(id, entries.map((e) => ({ ...e, commit: [...(history.added.get(e.path) ?? [])][0] ?? '' })));
  const attributedView: LedgerView = { ...view, sessions: attributed };

  const carriedCommit = new Map(cp.problems.map((x) => [problemKey(x.problem), x.problem.commit]));
  const sessionProblems: IntegrityProblem[] = verifyLedgerRecords(attributedView);
  for (const [sessionId, entries] of attributed) {
    for (const p of await verifySessionRecordings(entries.map((e) => e.record))) {
      sessionProblems.push({ sessionId, seq: p.recordSeq, path: null, commit: null, message: `Recording ${p.recordingId}: ${p.message}` });
    }
  }
  const signed = await signing;
  fresh.push(...signed.problems);

  // The part before: its findings, except the session checks of the sessions read again.
  const problems: CheckpointProblem[] = cp.problems.filter((x) => !(x.session && x.problem.sessionId !== null && touched.has(x.problem.sessionId)));
  const seen = new Set(problems.map((x) => problemKey(x.problem)));
  const add = (p: IntegrityProblem, session: boolean) => {
    const key = problemKey(p);
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ problem: p.commit === '' || p.commit === null ? { ...p, commit: carriedCommit.get(key) ?? null } : p, session });
  };
  for (const p of sessionProblems) add(p, true);
  for (const p of fresh) add(p, false);

  const counts = new Map(cp.counts);
  for (const id of touched) {
    const n = attributed.get(id)?.length ?? 0;
    if (n > 0) counts.set(id, n);
    else counts.delete(id);
  }
  const s = signed.summary;
  const judge = async () => ackJudge(await rosterFromBlob({ catBlobs: (b) => readBlobs(git, b) }, cp.carried.roster));
  const carried = await carryForward(cp.carried, attributed, judge);
  const checkpoint: Checkpoint = {
    ...cp, head: view.head, tips: tips.map((t) => ({ ref: t.ref, commit: t.commit })), problems, counts,
    commitsChecked: cp.commitsChecked + history.commitsChecked,
    signatures: { roster: cp.signatures.roster || s.roster, anchor: s.anchor, proven: cp.signatures.proven + s.proven, claimed: cp.signatures.claimed + s.claimed, invalid: cp.signatures.invalid + s.invalid },
    governance: signed.resume, carried,
  };
  const movedFirst = moved.find((t) => store.hostId !== null && t.ref === ownRef(store.hostId)) ?? moved[0];
  return { view, tips, problems, newCommits, from: movedFirst ? before.get(movedFirst.ref)! : cp.head, checkpoint, missing };
}

/** The new commits with their parents, and the objects missing, from `rev-list --objects --format=%P --missing=print`. */
function newCommitsOf(out: string): { parents: Map<string, string[]>; missing: string[] } {
  const parents = new Map<string, string[]>();
  const missing: string[] = [];
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('commit ')) {
      const p = lines[++i] ?? '';
      parents.set(l.slice('commit '.length), p === '' ? [] : p.split(' '));
    } else if (l.startsWith('?')) missing.push(l.slice(1));
  }
  return { parents, missing };
}

/** Whether `commit` reaches `ancestor` through the new commits alone (`parents`: each new commit's parents). */
function descendsInNew(parents: ReadonlyMap<string, readonly string[]>, commit: string, ancestor: string): boolean {
  const stack = [commit];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c === ancestor) return true;
    if (seen.has(c)) continue;
    seen.add(c);
    for (const p of parents.get(c) ?? []) stack.push(p);
  }
  return false;
}

/**
 * The whole of each touched session (and each other changed path) as the union of every ref holds
 * it, read from git's objects in two `cat-file --batch` runs (the folders' trees at every current
 * and checkpointed tip, then the records): entries (commit still unknown: ''), unreadable files,
 * copies two refs hold differently, and which paths a checkpointed tip already held.
 */
async function readSessions(git: Git, tips: readonly Tip[], checkpointed: readonly string[], folders: readonly string[], touched: ReadonlySet<string>): Promise<{ sessions: Map<string, LedgerEntry[]>; unreadable: UnreadableRecord[]; conflicts: PathConflict[]; inCheckpoint: Set<string> }> {
  const sessions = new Map<string, LedgerEntry[]>();
  const unreadable: UnreadableRecord[] = [];
  const conflicts: PathConflict[] = [];
  const inCheckpoint = new Set<string>();
  if (folders.length === 0) return { sessions, unreadable, conflicts, inCheckpoint };
  const commits = [...new Set([...tips.map((t) => t.commit), ...checkpointed])];
  const files = await filesAt(git, commits, folders);
  for (const c of checkpointed) for (const p of files.get(c)?.keys() ?? []) inCheckpoint.add(p);
  const copies = new Map<string, Array<{ ref: string; blob: string }>>();
  for (const t of tips) {
    for (const [p, blob] of files.get(t.commit) ?? []) {
      if (!t.organisation && ROOT_FILES.has(p)) continue;
      const list = copies.get(p) ?? [];
      list.push({ ref: t.ref, blob });
      copies.set(p, list);
    }
  }
  const texts = await readBlobs(git, [...new Set([...copies.values()].flatMap((l) => l.map((c) => c.blob)))]);
  const organisation = new Set(tips.filter((t) => t.organisation).map((t) => t.ref));
  for (const [p, list] of copies) {
    const blobs = new Set(list.map((c) => c.blob));
    const shown = blobs.size > 1 ? shownCopy(list, (b) => texts.get(b), (ref) => organisation.has(ref)) : list[0]!;
    if (blobs.size > 1) conflicts.push({ path: p, shown: shown.ref, copies: list });
    const rec = parseRecordPath(p);
    if (!rec) {
      unreadable.push({ path: p, blob: shown.blob, message: NOT_A_RECORD_PATH });
      continue;
    }
    const parsed = parseRecordText(texts.get(shown.blob));
    if (!parsed.record) {
      unreadable.push({ path: p, blob: shown.blob, message: parsed.error });
      continue;
    }
    // A record filed under another session would change that session's checks too: verify is full.
    if (parsed.record.sessionId !== rec.sessionId || !touched.has(parsed.record.sessionId)) throw new CheckpointUnusable(`${p} holds a record of another session`);
    const list2 = sessions.get(rec.sessionId) ?? [];
    list2.push({ record: parsed.record, commit: '', path: p });
    sessions.set(rec.sessionId, list2);
  }
  for (const [id, list] of sessions) sessions.set(id, sortEntries(list));
  return { sessions, unreadable, conflicts, inCheckpoint };
}

/**
 * The files in `folders` (a folder ends in '/'; anything else is one file) at each commit: one
 * `cat-file --batch` of `<commit>:<folder>`, the trees parsed here. A folder inside a session's
 * folder is no layout of ours: verify is full.
 */
async function filesAt(git: Git, commits: readonly string[], folders: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const asks = commits.flatMap((c) => folders.map((f) => ({ c, f })));
  const out = (await git.run('verify-read-touched', ['cat-file', '--batch'], { input: `${asks.map((a) => `${a.c}:${a.f.replace(/\/$/, '')}`).join('\n')}\n` })).stdout;
  const files = new Map<string, Map<string, string>>(commits.map((c) => [c, new Map()]));
  let pos = 0;
  for (const { c, f } of asks) {
    const nl = out.indexOf(10, pos);
    if (nl < 0) break;
    const [id, type, sizeText] = out.toString('latin1', pos, nl).split(' ');
    pos = nl + 1;
    if (type === 'missing' || sizeText === undefined) continue;
    const end = pos + Number(sizeText);
    if (type === 'blob' && !f.endsWith('/')) files.get(c)!.set(f, id!);
    else if (type === 'tree' && f.endsWith('/')) {
      const hashLength = id!.length / 2;
      let at = pos;
      while (at < end) {
        const space = out.indexOf(32, at);
        const nul = out.indexOf(0, space);
        const mode = out.toString('latin1', at, space);
        const name = out.toString('utf8', space + 1, nul);
        if (mode === '40000') throw new CheckpointUnusable(`${f}${name} is a folder inside a session's folder`);
        if (mode !== '160000') files.get(c)!.set(`${f}${name}`, out.toString('hex', nul + 1, nul + 1 + hashLength));
        at = nul + 1 + hashLength;
      }
    }
    pos = end + 1;
  }
  return files;
}
