import { LAYOUT_MIGRATED, type IntegrityProblem } from '../../app/ledger';
import type { LedgerView } from '../../app/ports';
import { parseRecordPath, type EvidenceRecord } from '../../app/records';
import type { Git } from '../git';

/**
 * verify's walks of history (issue 2, issue 14): the organisation branch as before (every record
 * added by one commit, authored by its actor, never changed or removed; merges only join), and
 * every host's own ref after the organisation's root, where more holds: no merge at all, one record
 * per commit, and only that host's own files — the sessions it declared, its reviews, its journal.
 * A host that moved from the shared branch (its `layout-migrated` note) is held to the old rules
 * below that note.
 */

interface LoggedCommit {
  commit: string;
  author: { name: string; email: string };
  isMerge: boolean;
  changes: Array<{ status: string; path: string }>;
}

/** What the walks found: problems, how many commits were read, and which commits added each record. */
export interface HistoryResult {
  problems: IntegrityProblem[];
  commitsChecked: number;
  /** The commits that added each record path (of the commits walked). */
  added: ReadonlyMap<string, ReadonlySet<string>>;
}

/** An incremental walk (issue 18): only the commits not reachable from `exclude`, and only `mustBeAdded` need an adding commit among them. */
export interface HistorySince {
  exclude: readonly string[];
  mustBeAdded: Iterable<string>;
  /** The commits not reachable from `exclude`, with their parents: walks known to be empty are not run (an empty answer costs simple-git's wait). */
  parents: ReadonlyMap<string, readonly string[]>;
}

/** The commits of `parents` (the new commits and their parents) reachable from `tips` through new commits alone. */
export function reachableIn(parents: ReadonlyMap<string, readonly string[]>, tips: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...tips];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (out.has(c) || !parents.has(c)) continue;
    out.add(c);
    stack.push(...parents.get(c)!);
  }
  return out;
}

const LOG_FORMAT = '--format=%x01%H%x02%an%x02%ae%x02%P';

async function logOf(git: Git, caller: string, revs: readonly string[]): Promise<LoggedCommit[]> {
  // Non-merge commits show their own changes; merges only what differs from every parent (an "evil
  // merge" that edits a record shows up here).
  const out = await git.text(caller, ['log', '--no-renames', '--raw', '--no-abbrev', '--diff-merges=dense-combined', LOG_FORMAT, ...revs, '--', 'sessions', 'journal']);
  const commits: LoggedCommit[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('\x01')) {
      const [sha, name, email, parents] = line.slice(1).split('\x02');
      commits.push({ commit: sha!, author: { name: name!, email: email! }, isMerge: (parents ?? '').trim().split(' ').length > 1, changes: [] });
      continue;
    }
    const tab = line.indexOf('\t');
    if (tab < 0 || !line.startsWith(':') || commits.length === 0) continue;
    commits[commits.length - 1]!.changes.push({ status: line.slice(0, tab).trim().split(' ').pop() ?? '', path: line.slice(tab + 1) });
  }
  return commits;
}

/** Walks the organisation branch and every host's ref of `view`. */
export async function checkHistories(git: Git, view: LedgerView, since?: HistorySince): Promise<HistoryResult> {
  const excl = (since?.exclude ?? []).map((c) => `^${c}`);
  const problems: IntegrityProblem[] = [];
  const byPath = new Map<string, { record: EvidenceRecord; declaredBy: string | null }>();
  for (const entries of view.sessions.values()) {
    const declaredBy = entries[0]?.record.type === 'declared' ? entries[0].record.host.id : null;
    for (const e of entries) byPath.set(e.path, { record: e.record, declaredBy });
  }
  const tips = view.tips ?? [];
  const orgTips = tips.filter((t) => t.hostId === null).map((t) => t.commit);
  const hosts = new Map<string, string[]>();
  for (const t of tips) if (t.hostId !== null) hosts.set(t.hostId, [...(hosts.get(t.hostId) ?? []), t.commit]);
  const added = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const check = (c: LoggedCommit, owner: string | null) => {
    for (const ch of c.changes) {
      const rec = parseRecordPath(ch.path);
      const at = { sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: ch.path, commit: c.commit };
      if (c.isMerge) {
        problems.push({ ...at, message: 'A merge commit changed this record (merges may only join histories).' });
      } else if (ch.status === 'A') {
        added.set(ch.path, new Set([...(added.get(ch.path) ?? []), c.commit]));
        const current = byPath.get(ch.path);
        // Exact name and e-mail: a display name or an address alone is not the named human (issue 2).
        if (current && !sameAuthor(current.record.actor, c.author)) {
          problems.push({ ...at, message: `Committed by ${c.author.name} <${c.author.email}>, but the record names ${current.record.actor.name} <${current.record.actor.email}>.` });
        }
        if (owner !== null) {
          const why = notOwnedBy(owner, ch.path, current);
          if (why) problems.push({ ...at, message: why });
        }
      } else if (ch.status === 'D') {
        problems.push({ ...at, message: 'Record removed after it was committed.' });
      } else {
        problems.push({ ...at, message: `Record changed after it was committed (${ch.status === 'M' ? 'modified' : ch.status}).` });
      }
    }
    if (owner !== null && !c.isMerge && c.changes.length > 1) {
      problems.push({ sessionId: null, seq: null, path: null, commit: c.commit, message: `A commit on host ${owner}'s ref changes ${c.changes.length} record files; each record has its own commit.` });
    }
  };
  const orgNew = since ? reachableIn(since.parents, orgTips) : null;
  if (orgTips.length > 0 && orgNew?.size !== 0) {
    for (const c of await logOf(git, 'verify-history', [...orgTips, ...excl])) {
      seen.add(c.commit);
      check(c, null);
    }
  }
  for (const [hostId, refs] of hosts) {
    const not = orgTips.length > 0 ? ['--not', ...orgTips] : [];
    const hostNew = since ? [...reachableIn(since.parents, refs)].filter((c) => !orgNew!.has(c)) : null;
    if (hostNew?.length === 0) continue;
    const moved = [...(view.sessions.get(`journal-${hostId}`) ?? [])].find((e) => e.record.type === 'note' && e.record.payload.text.startsWith(LAYOUT_MIGRATED))?.commit ?? null;
    // Below the host's move from the shared branch, its history follows the old rules.
    const legacy = moved && (!since || since.parents.has(moved)) ? new Set((await git.text('verify-legacy', ['rev-list', `${moved}^`, ...excl, ...not], { ok: [0, 128] })).split('\n').filter(Boolean)) : new Set<string>();
    for (const c of await logOf(git, 'verify-host-history', [...refs, ...excl, ...not])) {
      if (seen.has(c.commit)) continue;
      seen.add(c.commit);
      check(c, legacy.has(c.commit) ? null : hostId);
    }
    // A host's ref is never merged into (issue 14): any merge after the move is a finding, records or not.
    const mayMerge = !hostNew || hostNew.some((c) => since!.parents.get(c)!.length > 1);
    // The move's parent is excluded before `--not`, which would turn `^X` after it into X.
    const merges = !mayMerge ? [] : (await git.text('verify-host-merges', ['rev-list', '--merges', ...refs, ...(moved ? [`^${moved}^`] : []), ...excl, ...not], { ok: [0, 128] })).split('\n').filter(Boolean);
    for (const m of merges) {
      problems.push({ sessionId: null, seq: null, path: null, commit: m, message: `Host ${hostId}'s ref contains a merge commit; a host's ref only ever grows by that host's own records.` });
    }
  }
  for (const [p, commits] of added) {
    if (commits.size > 1) {
      const rec = parseRecordPath(p);
      const list = [...commits];
      problems.push({ sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit: list[0] ?? null, message: `Record added by ${list.length} commits (${list.map((c) => c.slice(0, 12)).join(', ')}); each record has exactly one.` });
    }
  }
  for (const p of since?.mustBeAdded ?? byPath.keys()) {
    if (!added.has(p)) {
      const rec = parseRecordPath(p);
      problems.push({ sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit: null, message: 'No commit adds this record (it arrived through a merge or a rewrite).' });
    }
  }
  return { problems, commitsChecked: seen.size, added };
}

/** Why a record file on host `owner`'s ref is not that host's to write, or null when it is. */
function notOwnedBy(owner: string, path: string, current: { record: EvidenceRecord; declaredBy: string | null } | undefined): string | null {
  const parsed = parseRecordPath(path);
  if (!parsed) return null; // named by the unreadable-record check
  if (parsed.sessionId.startsWith('journal-')) {
    return parsed.sessionId === `journal-${owner}` ? null : `Host ${owner}'s ref adds a record to another host's journal (${parsed.sessionId.slice('journal-'.length)}).`;
  }
  if (parsed.reviewerHost !== undefined) {
    return parsed.reviewerHost === owner ? null : `Host ${owner}'s ref adds a review filed as host ${parsed.reviewerHost}'s.`;
  }
  if (current && current.record.host.id !== owner) return `Host ${owner}'s ref adds a record written by host ${current.record.host.id}.`;
  if (current?.declaredBy && current.declaredBy !== owner) return `Host ${owner}'s ref adds a record to session ${parsed.sessionId}, declared on host ${current.declaredBy}; only that host adds to it.`;
  return null;
}

/** The commit's author is the record's actor: the same name and the same e-mail (case-insensitive). */
function sameAuthor(actor: { name: string; email: string }, author: { name: string; email: string }): boolean {
  return actor.name.trim() === author.name.trim() && actor.email.trim().toLowerCase() === author.email.trim().toLowerCase();
}
