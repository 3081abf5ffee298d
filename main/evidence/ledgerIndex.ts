import path from 'node:path';
import { parseRecordPath, type EvidenceRecord } from '../../app/records';
import type { LedgerEntry, LedgerTip, LedgerView, PathConflict, PolicyInForce, UnreadableRecord } from '../../app/ports';
import type { Git } from '../git';
import { readBlobs } from './blobs';
import { CommitIndex, walkAddedRecords } from './commitIndex';
import { NOT_A_RECORD_PATH, parseRecordText, shownCopy, sortEntries } from './recordParse';
import { hostIdOfRef, viewIdOf, type Tip, type TipSet } from './layout';
import { filesNotInForce, governedAt, type GovernedFiles, type NotInForce } from './governedState';
import { builtInPolicy, PolicyReader } from './policyInForce';
import { RecordCache } from './recordCache';
import { diffTips, TipUnion, type TipDiff } from './tipUnion';

/** Files at the root of the organisation branch beside records (roster.yaml: issue 15); on a host's ref they are ignored. */
const ROOT_FILES = new Set(['policy.yaml', 'README.md', '.gitattributes', 'roster.yaml']);

/** Not records: the root files, and governance proposals and approvals (issue 15, main/evidence/governance.ts). */
const isNonRecord = (p: string): boolean => ROOT_FILES.has(p) || p.startsWith('governance/');

interface CachedEntry {
  blob: string;
  commit: string | null;
  record: EvidenceRecord | null;
  error: string | null;
}

/** Options of the ledger index. */
export interface LedgerIndexOptions {
  /** This host (its own ref's tip is the view's head). */
  ownHostId?: string | null;
  /** False: read every record from git's objects, never the derived caches (verify, issue 12 item 3). */
  useCaches?: boolean;
}

/**
 * The ledger index: every record of the view — the union of the organisation branch and every
 * host's own ref (issue 14) — read from git's objects (never a work tree) and kept in memory,
 * refreshed incrementally: one `for-each-ref` for the tips, one `diff-tree --stdin` over the tips
 * that moved, one `cat-file --batch` for new blobs, one `git log` over the moved ranges. Sessions a
 * refresh did not touch keep their entry arrays (replaced, never mutated), so folds can be
 * memoised by identity. Derived caches beside it (RecordCache, CommitIndex) spare a cold start
 * re-reading history; without `useCaches` nothing is read from or written to them.
 */
export class LedgerIndex {
  private readonly entries = new Map<string, CachedEntry>();
  private readonly sessions = new Map<string, readonly LedgerEntry[]>();
  private readonly sessionOfPath = new Map<string, string>();
  private readonly pathsBySession = new Map<string, Set<string>>();
  private readonly unreadablePaths = new Set<string>();
  private readonly conflicts = new Map<string, PathConflict>();
  private readonly union = new TipUnion();
  /** The organisation tip's tree (path -> blob): the base of a host ref that starts there, and its root files. */
  private readonly orgFiles = new Map<string, string>();
  private readonly attribution: CommitIndex | null;
  private readonly recordCache: RecordCache | null;
  private readonly policies: PolicyReader;
  private readonly ownHostId: string | null;
  /** The tips the index was last refreshed to. */
  tips = new Map<string, Tip>();
  /** The view's id at the last refresh (null: an empty repository, or never read). */
  viewId: string | null = null;
  /** The last ref this process committed to (the head when no own ref is known). */
  private lastWritten: string | null = null;
  /** The view at the last refresh; null until read, and after `invalidate`. */
  view: LedgerView | null = null;
  policy: PolicyInForce = builtInPolicy();
  /** What the organisation branch's governance put in force (its `roster`: null, records are unsigned), at the tip it describes (null: no organisation branch). */
  governed: GovernedFiles | null = null;

  constructor(
    private readonly git: Git,
    private readonly branch: string,
    gitDir: string,
    private readonly objectFormat: 'sha1' | 'sha256' = 'sha1',
    options: LedgerIndexOptions = {},
  ) {
    const caches = options.useCaches ?? true;
    this.attribution = caches ? new CommitIndex(path.join(gitDir, 'breakglass-commits')) : null;
    this.recordCache = caches ? new RecordCache(path.join(gitDir, 'breakglass-records')) : null;
    this.ownHostId = options.ownHostId ?? null;
    this.policies = new PolicyReader((b) => this.catBlobs(b));
  }

  /** The governed files at the organisation tip that are not the ones in force (governedState.ts). */
  filesNotInForce(): NotInForce[] {
    return filesNotInForce(this.governed, { 'roster.yaml': this.orgFiles.get('roster.yaml') ?? null, 'policy.yaml': this.orgFiles.get('policy.yaml') ?? null });
  }

  /** Forgets the view (another writer moved a ref): the next read refreshes from git. */
  invalidate(): void {
    this.view = null;
  }

  /** The organisation tip the index holds, if any. */
  get organisationTip(): Tip | null {
    for (const t of this.tips.values()) if (t.organisation) return t;
    return null;
  }

  /** Reads the ledger from git's objects: incremental from the tips of the last refresh when possible. */
  async refresh(next: TipSet): Promise<void> {
    const prev = this.tips;
    const nextOrg = next.tips.find((t) => t.organisation) ?? null;
    const prevOrg = this.organisationTip;
    // A ref that went away, or another organisation ref, is rare (a pruned remote, a new local
    // branch): read everything again rather than take a tree out of the union.
    const rebuild = [...prev.keys()].some((r) => !next.tips.some((t) => t.ref === r)) || (prevOrg?.ref ?? null) !== (nextOrg?.ref ?? null) && prevOrg !== null;
    const incremental = prev.size > 0 && !rebuild;
    if (!incremental) this.resetCache();
    const before = incremental ? prev : new Map<string, Tip>();
    const requests: Array<{ tip: Tip; base: TipDiff['base']; against: string | null }> = [];
    const oldOrg = before.get(nextOrg?.ref ?? '') ?? null;
    if (nextOrg && oldOrg?.commit !== nextOrg.commit) requests.push(oldOrg ? { tip: nextOrg, base: 'moved', against: oldOrg.commit } : { tip: nextOrg, base: 'empty-base', against: null });
    for (const t of next.tips) {
      if (t.organisation) continue;
      const old = before.get(t.ref);
      if (old?.commit === t.commit) continue;
      requests.push(old ? { tip: t, base: 'moved', against: old.commit } : nextOrg ? { tip: t, base: 'org-base', against: nextOrg.commit } : { tip: t, base: 'empty-base', against: null });
    }
    const changed = new Set<string>();
    for (const d of await diffTips(this.git, this.objectFormat, requests)) this.apply(d, changed);
    this.tips = new Map(next.tips.map((t) => [t.ref, t]));
    const policyChanged = !incremental || changed.has('policy.yaml') || oldOrg?.commit !== nextOrg?.commit;
    changed.delete('policy.yaml');
    changed.delete('roster.yaml');
    const touched = await this.readChanged(changed);
    if (policyChanged) {
      this.governed = await governedAt(this.git, this.objectFormat, nextOrg?.commit ?? null, this.governed);
      this.policy = await this.policies.inForce(this.governed, this.orgFiles.get('policy.yaml') ?? null);
    }
    await this.attribute(incremental ? [...before.values()].map((t) => t.commit) : null, next, [...changed].filter((p) => this.entries.has(p)));
    this.viewId = next.viewId;
    this.buildView(touched);
  }

  /** Applies one ref's tree diff to the union (and, for the organisation tip, to its own tree). */
  private apply(d: TipDiff, changed: Set<string>): void {
    const counted = (p: string) => !isNonRecord(p);
    if (d.tip.organisation) {
      for (const c of d.changes) {
        if (c.next === null) this.orgFiles.delete(c.path);
        else this.orgFiles.set(c.path, c.next);
        if (ROOT_FILES.has(c.path)) changed.add(c.path);
      }
    }
    if (d.base === 'org-base') {
      // A new host ref started from the organisation tip: it holds the organisation's files, then its own changes.
      for (const [p, blob] of this.orgFiles) if (counted(p) && this.union.add(p, blob, 1)) changed.add(p);
    }
    for (const c of d.changes) {
      if (!counted(c.path)) continue;
      if (c.old !== null && this.union.add(c.path, c.old, -1)) changed.add(c.path);
      if (c.next !== null && this.union.add(c.path, c.next, 1)) changed.add(c.path);
    }
  }

  /** Re-reads the entries of changed paths: which copy is shown, and the records of blobs never seen. */
  private async readChanged(changed: ReadonlySet<string>): Promise<Set<string>> {
    const touched = new Set<string>();
    const cached = this.recordCache ? (this.entries.size === 0 ? await this.recordCache.load() : await this.recordCache.readTail()) : new Map<string, EvidenceRecord>();
    const disputed: string[] = [];
    for (const p of changed) {
      const previousSession = this.sessionOfPath.get(p);
      if (previousSession !== undefined) {
        touched.add(previousSession);
        this.pathsBySession.get(previousSession)?.delete(p);
        this.sessionOfPath.delete(p);
      }
      this.unreadablePaths.delete(p);
      this.conflicts.delete(p);
      const copies = this.union.copies(p);
      if (copies.length === 0) {
        this.entries.delete(p);
        continue;
      }
      if (copies.length > 1) disputed.push(p);
      const blob = copies[0]!;
      const same = this.entries.get(p)?.blob === blob;
      this.entries.set(p, { blob, commit: same ? this.entries.get(p)!.commit : null, record: null, error: null });
    }
    if (disputed.length > 0) await this.resolveConflicts(disputed);
    const wanted = new Set<string>();
    for (const p of changed) {
      const e = this.entries.get(p);
      if (e && !cached.has(e.blob)) wanted.add(e.blob);
    }
    const contents = await this.catBlobs([...wanted]);
    const fresh: Array<[string, EvidenceRecord]> = [];
    for (const p of changed) {
      const entry = this.entries.get(p);
      if (!entry) continue;
      if (!parseRecordPath(p)) {
        entry.error = NOT_A_RECORD_PATH;
        this.unreadablePaths.add(p);
        continue;
      }
      const known = cached.get(entry.blob);
      if (known) {
        entry.record = known;
        this.place(p, known.sessionId, touched);
        continue;
      }
      const parsed = parseRecordText(contents.get(entry.blob));
      if (parsed.record) {
        entry.record = parsed.record;
        fresh.push([entry.blob, parsed.record]);
        this.place(p, parsed.record.sessionId, touched);
      } else {
        entry.error = parsed.error;
        this.unreadablePaths.add(p);
      }
    }
    if (fresh.length > 0) await this.recordCache?.append(fresh);
    return touched;
  }

  /**
   * Two refs hold different copies of one path (issue 14): a finding. The copy shown is the one on
   * the ref of the host the record names (the writer's own), else the organisation branch's.
   */
  private async resolveConflicts(paths: readonly string[]): Promise<void> {
    const tips = [...this.tips.values()];
    const lines = paths.flatMap((p) => tips.map((t) => `${t.commit}:${p}`));
    const out = await this.git.text('read-disputed', ['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: `${lines.join('\n')}\n` });
    const answers = out.split('\n');
    const texts = await this.catBlobs([...new Set(paths.flatMap((p) => this.union.copies(p)))]);
    paths.forEach((p, i) => {
      const copies: Array<{ ref: string; blob: string }> = [];
      tips.forEach((t, j) => {
        const [id, type] = (answers[i * tips.length + j] ?? '').split(' ');
        if (type === 'blob' && id) copies.push({ ref: t.ref, blob: id });
      });
      const shown = shownCopy(copies, (b) => texts.get(b), (ref) => this.tips.get(ref)?.organisation === true);
      this.entries.set(p, { blob: shown.blob, commit: null, record: null, error: null });
      this.conflicts.set(p, { path: p, shown: shown.ref, copies });
    });
  }

  /**
   * Adds a record this process has just committed on `ref`, without reading it back from git: the
   * view moves, and both derived caches learn the record. `startedAtOrg`: the ref is new and
   * started at the organisation tip (its first commit's parent).
   */
  async recordCommitted(ref: string, file: string, blob: string, commit: string, record: EvidenceRecord, startedAtOrg: boolean): Promise<void> {
    const view = this.view!;
    if (startedAtOrg) for (const [p, b] of this.orgFiles) if (!isNonRecord(p)) this.union.add(p, b, 1);
    this.union.add(file, blob, 1);
    this.entries.set(file, { blob, commit, record, error: null });
    await this.recordCache?.append([[blob, record]]);
    this.sessionOfPath.set(file, record.sessionId);
    this.pathsOf(record.sessionId).add(file);
    this.sessions.set(record.sessionId, sortEntries([...(this.sessions.get(record.sessionId) ?? []), { record, commit, path: file }]));
    this.tips.set(ref, { ref, commit, tree: '', hostId: hostIdOfRef(ref), organisation: false });
    this.lastWritten = ref;
    this.viewId = viewIdOf([...this.tips.values()]);
    this.view = { ...view, head: this.headOf(), viewId: this.viewId ?? undefined, tips: this.ledgerTips(), sessions: this.sessions } as LedgerView;
    await this.attribution?.append([[file, commit]], [...this.tips.values()].map((t) => t.commit), this.viewId!, false);
  }

  /** Reads blobs through one `git cat-file --batch` (see {@link readBlobs}). */
  catBlobs(blobs: readonly string[]): Promise<Map<string, string>> {
    return readBlobs(this.git, blobs);
  }

  private place(p: string, sessionId: string, touched: Set<string>): void {
    this.sessionOfPath.set(p, sessionId);
    this.pathsOf(sessionId).add(p);
    touched.add(sessionId);
  }

  private resetCache(): void {
    this.entries.clear();
    this.sessions.clear();
    this.sessionOfPath.clear();
    this.pathsBySession.clear();
    this.unreadablePaths.clear();
    this.conflicts.clear();
    this.union.clear();
    this.orgFiles.clear();
    this.tips = new Map();
  }

  /**
   * Which commit added each record, from the CommitIndex where it is complete; otherwise one walk
   * over what moved (`previous`: the commits of the last refresh's tips; null: a cold start).
   */
  private async attribute(previous: readonly string[] | null, next: TipSet, added: readonly string[]): Promise<void> {
    const tipCommits = next.tips.map((t) => t.commit);
    if (next.viewId === null || tipCommits.length === 0) return;
    let exclude = previous ?? [];
    let rewrite = previous === null;
    if (this.attribution && previous !== null) {
      // Usually the writer that moved the ref (the CLI, another window) already indexed its
      // commits: take them from the index's new lines instead of walking history.
      const tail = await this.attribution.readTail();
      if (tail.heads.includes(next.viewId) && added.every((p) => tail.commits.has(p))) {
        for (const p of added) this.assign(p, tail.commits.get(p)!);
        return;
      }
    }
    if (this.attribution && previous === null) {
      const known = await this.attribution.load();
      for (const [p, commit] of known.commits) this.assign(p, commit);
      if (known.viewId === next.viewId) return;
      if (known.tips.length > 0) {
        exclude = known.tips;
        rewrite = false;
      }
    }
    // Nothing left to attribute (no record, or all known): no walk (an empty `git log` also costs
    // simple-git's wait after a silent command).
    if (![...this.entries.values()].some((e) => e.commit === null)) return;
    let found: Array<[string, string, string]>;
    try {
      found = await walkAddedRecords(this.git, tipCommits, exclude);
    } catch {
      // A tip the index remembers is gone (history rewritten, objects pruned): walk everything.
      found = await walkAddedRecords(this.git, tipCommits, []);
      rewrite = true;
    }
    const kept: Array<[string, string]> = [];
    const seen = new Set<string>();
    for (const [p, blob, commit] of found) {
      const entry = this.entries.get(p);
      if (!entry || entry.blob !== blob || seen.has(p)) continue;
      seen.add(p);
      entry.commit = commit;
      kept.push([p, commit]);
    }
    await this.attribution?.append(kept, tipCommits, next.viewId, rewrite);
  }

  private assign(p: string, commit: string): void {
    const entry = this.entries.get(p);
    if (entry) entry.commit = commit;
  }

  /** This host's own tip, else the ref this process last wrote, else the organisation tip. */
  private headOf(): string | null {
    const own = this.ownHostId ? this.tips.get(`refs/heads/hosts/${this.ownHostId}`) : undefined;
    return own?.commit ?? (this.lastWritten ? this.tips.get(this.lastWritten)?.commit : undefined) ?? this.organisationTip?.commit ?? null;
  }

  private ledgerTips(): LedgerTip[] {
    return [...this.tips.values()].map((t) => ({ ref: t.ref, commit: t.commit, hostId: t.hostId, organisation: t.organisation }));
  }

  /** Rebuilds only the sessions a refresh touched (O(changed), not O(repository)). */
  private buildView(touched: ReadonlySet<string>): void {
    for (const id of touched) {
      const list: LedgerEntry[] = [];
      for (const p of this.pathsOf(id)) {
        const e = this.entries.get(p);
        if (e?.record && e.record.sessionId === id) list.push({ record: e.record, commit: e.commit ?? '', path: p });
      }
      if (list.length === 0) this.sessions.delete(id);
      else this.sessions.set(id, sortEntries(list));
    }
    const unreadable: UnreadableRecord[] = [];
    for (const p of this.unreadablePaths) {
      const e = this.entries.get(p);
      if (e && !e.record) unreadable.push({ path: p, blob: e.blob, message: e.error ?? 'unreadable' });
    }
    this.view = {
      head: this.headOf(), ...(this.viewId ? { viewId: this.viewId } : {}), branch: this.branch, tips: this.ledgerTips(), sessions: this.sessions,
      unreadable, conflicts: [...this.conflicts.values()], policy: this.policy,
    };
  }

  private pathsOf(sessionId: string): Set<string> {
    let set = this.pathsBySession.get(sessionId);
    if (!set) {
      set = new Set();
      this.pathsBySession.set(sessionId, set);
    }
    return set;
  }
}
