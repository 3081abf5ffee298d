import path from 'node:path';
import { sha256Hex } from '../../app/chain';
import { DEFAULT_POLICY, parsePolicyYaml } from '../../app/policy';
import { EvidenceRecordSchema, parseRecordPath, type EvidenceRecord } from '../../app/records';
import type { LedgerEntry, LedgerView, PolicyInForce, UnreadableRecord } from '../../app/ports';
import { problemsFromZod } from '../../app/zodIssues';
import type { Git } from '../git';
import { CommitIndex } from './commitIndex';
import { RecordCache } from './recordCache';

/** Files the repository may hold beside records (roster.yaml: issue 15). */
const NON_RECORD_FILES = new Set(['policy.yaml', 'README.md', '.gitattributes', 'roster.yaml']);

/** Governance proposals and approvals (issue 15, main/evidence/governance.ts) are not records. */
const isNonRecord = (p: string): boolean => NON_RECORD_FILES.has(p) || p.startsWith('governance/');

/** The policy in force where the repository has no policy.yaml. */
function builtInPolicy(): PolicyInForce {
  return { ok: true, policy: DEFAULT_POLICY, sha256: sha256Hex(''), source: 'built-in' };
}

interface CachedEntry {
  blob: string;
  commit: string | null;
  record: EvidenceRecord | null;
  error: string | null;
}

/**
 * The ledger index: every record of the branch, read from git's objects (never a work tree) and
 * kept in memory, refreshed incrementally from the last head read. Sessions a refresh did not
 * touch keep their entry arrays (replaced, never mutated), so folds can be memoised by identity.
 * Derived caches beside it (RecordCache, CommitIndex) spare a cold start re-reading history.
 */
export class LedgerIndex {
  private readonly entries = new Map<string, CachedEntry>();
  /** Session id -> its entries in seq order; an array is replaced (never mutated) when its session changes, so folds can be memoised by identity. */
  private readonly sessions = new Map<string, readonly LedgerEntry[]>();
  private readonly sessionOfPath = new Map<string, string>();
  private readonly pathsBySession = new Map<string, Set<string>>();
  private readonly unreadablePaths = new Set<string>();
  private readonly attribution: CommitIndex;
  private readonly recordCache: RecordCache;
  /** The commit the index was last refreshed to (null: an empty repository, or never read). */
  head: string | null = null;
  /** The view at `head`; null until read, and after `invalidate`. */
  view: LedgerView | null = null;
  /** The blob of policy.yaml at `head` (null: none, the built-in policy applies). */
  policyBlob: string | null = null;
  policy: PolicyInForce = builtInPolicy();
  /** The blob of roster.yaml at `head` (null: no roster, records are unsigned; issue 15). */
  rosterBlob: string | null = null;

  constructor(
    private readonly git: Git,
    private readonly branch: string,
    gitDir: string,
  ) {
    this.attribution = new CommitIndex(path.join(gitDir, 'breakglass-commits'));
    this.recordCache = new RecordCache(path.join(gitDir, 'breakglass-records'));
  }

  /** Forgets the view (another writer moved the branch): the next read refreshes from git. */
  invalidate(): void {
    this.view = null;
  }

  /** Reads the ledger from git's objects: incremental from the cached head when possible. */
  async refresh(head: string | null): Promise<void> {
    const touched = new Set<string>();
    if (head === null) {
      this.resetCache();
      this.head = null;
      this.buildView(touched);
      return;
    }
    const changed = new Map<string, string | null>(); // path -> blob (null = deleted)
    // A tree diff against the cached head is right whether or not history was rewritten in
    // between (verify is what judges rewrites), and needs no ancestry walk.
    const incremental = this.head !== null;
    if (incremental) {
      const diff = await this.git.text('read-ledger-diff', ['diff-tree', '-r', '--no-renames', '--raw', '--no-abbrev', this.head!, head]);
      for (const line of diff.split('\n')) {
        const m = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) ([A-Z])\d*\t(.+)$/.exec(line);
        if (!m) continue;
        changed.set(m[3]!, m[2] === 'D' ? null : m[1]!);
      }
    } else {
      this.resetCache();
      const tree = await this.git.text('read-ledger-tree', ['ls-tree', '-r', '--full-tree', head]);
      for (const line of tree.split('\n')) {
        // <mode> SP <type> SP <object> TAB <path>
        const tab = line.indexOf('\t');
        if (tab < 0) continue;
        const [, type, object] = line.slice(0, tab).split(' ');
        if (type === 'blob' && object) changed.set(line.slice(tab + 1), object);
      }
    }
    // Records already validated once are taken from the blob-keyed cache (derived data, like git's
    // index); only blobs never seen are read through cat-file and validated with zod.
    const cached = incremental ? await this.recordCache.readTail() : await this.recordCache.load();
    const wanted: string[] = [];
    for (const [p, blob] of changed) {
      if (p === 'policy.yaml') {
        this.policyBlob = blob;
        continue;
      }
      if (p === 'roster.yaml') this.rosterBlob = blob;
      const previousSession = this.sessionOfPath.get(p);
      if (previousSession !== undefined) {
        touched.add(previousSession);
        this.pathsBySession.get(previousSession)?.delete(p);
        this.sessionOfPath.delete(p);
      }
      this.unreadablePaths.delete(p);
      if (blob === null) {
        this.entries.delete(p);
        continue;
      }
      if (isNonRecord(p)) continue;
      this.entries.set(p, { blob, commit: this.entries.get(p)?.commit ?? null, record: null, error: null });
      if (!cached?.has(blob)) wanted.push(blob);
    }
    const contents = await this.catBlobs([...new Set(wanted), ...(this.policyBlob && changed.has('policy.yaml') ? [this.policyBlob] : [])]);
    const fresh: Array<[string, EvidenceRecord]> = [];
    for (const [p, blob] of changed) {
      if (blob === null || p === 'policy.yaml' || isNonRecord(p)) continue;
      const entry = this.entries.get(p)!;
      if (!parseRecordPath(p)) {
        entry.error = 'not a record path (sessions/<YYYY>/<MM>/<session>/<seq>-<type>.json)';
        this.unreadablePaths.add(p);
        continue;
      }
      const known = cached?.get(blob);
      if (known) {
        entry.record = known;
        this.place(p, known.sessionId, touched);
        continue;
      }
      try {
        const result = EvidenceRecordSchema.safeParse(JSON.parse(contents.get(blob) ?? ''));
        if (result.success) {
          entry.record = result.data;
          fresh.push([blob, result.data]);
          this.place(p, result.data.sessionId, touched);
        } else {
          entry.error = problemsFromZod(result.error).map((x) => `${x.path}: ${x.message}`).join('; ');
          this.unreadablePaths.add(p);
        }
      } catch (e) {
        entry.error = `not JSON (${(e as Error).message})`;
        this.unreadablePaths.add(p);
      }
    }
    if (fresh.length > 0) await this.recordCache.append(fresh);
    if (changed.has('policy.yaml') || !incremental) await this.loadPolicy(contents);
    await this.attribute(incremental ? this.head : null, head, [...changed].filter(([p, b]) => b !== null && !isNonRecord(p) && p !== 'policy.yaml').map(([p]) => p));
    this.head = head;
    this.buildView(touched);
  }

  /**
   * Adds a record this process has just committed, without reading it back from git: the view
   * moves to `commit`, and both derived caches learn the record.
   */
  async recordCommitted(file: string, blob: string, commit: string, record: EvidenceRecord): Promise<void> {
    const view = this.view!;
    this.entries.set(file, { blob, commit, record, error: null });
    await this.recordCache.append([[blob, record]]);
    this.sessionOfPath.set(file, record.sessionId);
    this.pathsOf(record.sessionId).add(file);
    this.sessions.set(record.sessionId, [...(this.sessions.get(record.sessionId) ?? []), { record, commit, path: file }]);
    this.head = commit;
    this.view = { ...view, head: commit, sessions: this.sessions };
    await this.attribution.append([[file, commit]], commit, false);
  }

  /** Reads blobs through one `git cat-file --batch` (architecture.md: ~1–2.4 s for 200,000 records). */
  async catBlobs(blobs: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (blobs.length === 0) return out;
    const res = await this.git.run('read-records', ['cat-file', '--batch', '--buffer'], { input: `${blobs.join('\n')}\n` });
    const buf = res.stdout;
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      const header = buf.toString('latin1', pos, nl);
      const [sha, type, sizeText] = header.split(' ');
      pos = nl + 1;
      if (type === 'missing' || sizeText === undefined) continue;
      const size = Number(sizeText);
      out.set(sha!, buf.toString('utf8', pos, pos + size));
      pos += size + 1;
    }
    return out;
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
    this.policyBlob = null;
    this.rosterBlob = null;
  }

  private async loadPolicy(contents: Map<string, string>): Promise<void> {
    if (!this.policyBlob) {
      this.policy = builtInPolicy();
      return;
    }
    const text = contents.get(this.policyBlob) ?? (await this.catBlobs([this.policyBlob])).get(this.policyBlob) ?? '';
    const loaded = parsePolicyYaml(text, 'policy.yaml');
    this.policy = loaded.ok
      ? { ok: true, policy: loaded.policy, sha256: sha256Hex(text), source: 'repository' }
      : { ok: false, problems: loaded.problems, sha256: sha256Hex(text) };
  }

  /**
   * Which commit added each record, from the CommitIndex where it is complete; only commits after
   * its last known head are walked.
   */
  private async attribute(from: string | null, to: string, added: readonly string[] = []): Promise<void> {
    let start = from;
    if (start !== null && start !== to) {
      // Usually the writer that moved the branch (the CLI, another window) already indexed its
      // commits: take them from the index's new lines instead of walking history.
      const tail = await this.attribution.readTail();
      if (tail.heads.includes(to) && added.every((p) => tail.commits.has(p))) {
        for (const p of added) {
          const entry = this.entries.get(p);
          if (entry) entry.commit = tail.commits.get(p)!;
        }
        return;
      }
    }
    if (start === null) {
      const known = await this.attribution.load();
      if (known.head && (known.head === to || (await this.contains(to, known.head)))) {
        for (const [p, commit] of known.commits) {
          const entry = this.entries.get(p);
          if (entry) entry.commit = commit;
        }
        start = known.head;
      }
    }
    if (start === to) return;
    const out = await this.git.text('attribute-records', ['log', '--no-merges', '--no-renames', '--raw', '--no-abbrev', '--diff-filter=A', '--format=%x01%H', ...(start ? [`${start}..${to}`] : [to]), '--', 'sessions', 'journal']);
    let commit: string | null = null;
    const found: Array<[string, string]> = [];
    for (const line of out.split('\n')) {
      if (line.startsWith('\x01')) {
        commit = line.slice(1);
        continue;
      }
      const tab = line.indexOf('\t');
      if (tab < 0 || commit === null) continue;
      const p = line.slice(tab + 1);
      const entry = this.entries.get(p);
      // git log walks newest first: the oldest commit that added the path is the record's commit.
      if (entry) entry.commit = commit;
      found.push([p, commit]);
    }
    await this.attribution.append(found.reverse(), to, start === null);
  }

  /**
   * True when `tip`'s history contains `commit`. A symmetric-difference count walks only the
   * commits between the two; `merge-base --is-ancestor` walks all history without a commit-graph.
   */
  private async contains(tip: string, commit: string): Promise<boolean> {
    const r = await this.git.run('contains-commit', ['rev-list', '--left-right', '--count', `${commit}...${tip}`], { ok: [0, 128] });
    return r.exitCode === 0 && r.text().trim().split(/\s+/)[0] === '0';
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
      else this.sessions.set(id, list.sort((a, b) => a.record.seq - b.record.seq));
    }
    const unreadable: UnreadableRecord[] = [];
    for (const p of this.unreadablePaths) {
      const e = this.entries.get(p);
      if (e && !e.record) unreadable.push({ path: p, blob: e.blob, message: e.error ?? 'unreadable' });
    }
    this.view = { head: this.head, branch: this.branch, sessions: this.sessions, unreadable, policy: this.policy };
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
