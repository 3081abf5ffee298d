import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BreakGlassError } from '../app/errors';
import { sha256Hex } from '../app/chain';
import { DEFAULT_POLICY, defaultPolicyYaml, parsePolicyYaml } from '../app/policy';
import { commitMessageFor, EvidenceRecordSchema, parseRecordPath, recordPath, type EvidenceRecord } from '../app/records';
import type { AppendRecord, EvidenceStore, LedgerEntry, LedgerView, LockRecovery, PolicyInForce, UnreadableRecord } from '../app/ports';
import { Git, GitFailure } from './git';
import { WriterLock, DEFAULT_LOCK_WAIT_MS } from './writerLock';
import { problemsFromZod } from '../app/zodIssues';

/** Files the repository may hold beside records. */
const NON_RECORD_FILES = new Set(['policy.yaml', 'README.md', '.gitattributes']);

interface CachedEntry {
  blob: string;
  commit: string | null;
  record: EvidenceRecord | null;
  error: string | null;
}

/** Options to open an evidence repository. */
export interface OpenOptions {
  /** Create and initialise the repository (with the default policy committed) when it does not exist. */
  create?: boolean;
  lockWaitMs?: number;
  /** Identity for commits that have no named actor (the initial policy commit). */
  systemAuthor?: { name: string; email: string };
}

/** The Git evidence repository (architecture.md "Evidence repository"), written through fast-import, read through cat-file. */
export class GitEvidenceStore implements EvidenceStore {
  private readonly entries = new Map<string, CachedEntry>();
  private head: string | null = null;
  private view: LedgerView | null = null;
  private policyBlob: string | null = null;
  private policy: PolicyInForce = { ok: true, policy: DEFAULT_POLICY, sha256: sha256Hex(''), source: 'built-in' };
  private readonly lock: WriterLock;

  private constructor(
    readonly dir: string,
    readonly gitDir: string,
    readonly branch: string,
    readonly git: Git,
    lockWaitMs: number,
  ) {
    this.lock = new WriterLock(gitDir, lockWaitMs);
  }

  /** Opens (and with `create`, initialises) the evidence repository at `dir`. */
  static async open(dir: string, options: OpenOptions = {}): Promise<GitEvidenceStore> {
    const abs = path.resolve(dir);
    const exists = existsSync(abs);
    if (!exists || (await fs.readdir(abs)).length === 0) {
      if (!options.create) {
        throw new BreakGlassError('invalid-input', `No evidence repository at ${abs}. Run any breakglass command without --repo to use the default, or point --repo at a clone of your organisation's evidence repository.`);
      }
      await fs.mkdir(abs, { recursive: true, mode: 0o700 });
      await new Git(abs).run('init-repository', ['init', '--quiet', '--bare', '--initial-branch=main', abs]);
    }
    const git = new Git(abs);
    let gitDir: string;
    try {
      gitDir = await git.text('open-repository', ['rev-parse', '--absolute-git-dir']);
    } catch (e) {
      throw new BreakGlassError('invalid-input', `${abs} is not a git repository. Point --repo at an evidence repository (or an empty folder to create one).`, { cause: e });
    }
    const branch = (await git.run('current-branch', ['symbolic-ref', '--quiet', '--short', 'HEAD'], { ok: [0, 1] })).text().trim() || 'main';
    await ensureDurableConfig(git);
    const store = new GitEvidenceStore(abs, gitDir, branch, git, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    if ((await store.resolveHead()) === null) {
      if (!options.create) throw new BreakGlassError('invalid-input', `The evidence repository at ${abs} has no commits on ${branch}.`);
      await store.write(async () => {
        if (store.head === null) await store.commitInitialPolicy(options.systemAuthor ?? defaultSystemAuthor());
      });
    }
    return store;
  }

  /** The commit the branch points at, or null for an empty repository. */
  async resolveHead(): Promise<string | null> {
    const out = await this.git.run('resolve-head', ['rev-parse', '--verify', '--quiet', `refs/heads/${this.branch}^{commit}`], { ok: [0, 1] });
    return out.exitCode === 0 ? out.text().trim() : null;
  }

  /** @inheritdoc */
  async read(): Promise<LedgerView> {
    const head = await this.resolveHead();
    if (this.view && head === this.head) return this.view;
    await this.refresh(head);
    return this.view!;
  }

  /** @inheritdoc */
  async write<T>(fn: (view: LedgerView, append: AppendRecord, recovered: LockRecovery | null) => Promise<T>): Promise<T> {
    const held = await this.lock.acquire();
    try {
      const view = await this.read();
      return await fn(view, (record, incident) => this.append(record, incident), held.recovered);
    } finally {
      await held.release();
    }
  }

  /** Reads the ledger from git's objects: incremental from the cached head when possible. */
  private async refresh(head: string | null): Promise<void> {
    if (head === null) {
      this.entries.clear();
      this.head = null;
      this.buildView();
      return;
    }
    const changed = new Map<string, string | null>(); // path -> blob (null = deleted)
    let attributionRange: string[];
    if (this.head !== null && (await this.isAncestor(this.head, head))) {
      const diff = await this.git.text('read-ledger-diff', ['diff-tree', '-r', '--no-renames', '--raw', '--no-abbrev', this.head, head]);
      for (const line of diff.split('\n')) {
        const m = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) ([A-Z])\d*\t(.+)$/.exec(line);
        if (!m) continue;
        changed.set(m[3]!, m[2] === 'D' ? null : m[1]!);
      }
      attributionRange = [`${this.head}..${head}`];
    } else {
      this.entries.clear();
      this.policyBlob = null;
      const tree = await this.git.text('read-ledger-tree', ['ls-tree', '-r', '--full-tree', head]);
      for (const line of tree.split('\n')) {
        const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
        if (m) changed.set(m[2]!, m[1]!);
      }
      attributionRange = [head];
    }
    const wanted: string[] = [];
    for (const [p, blob] of changed) {
      if (p === 'policy.yaml') {
        this.policyBlob = blob;
        continue;
      }
      if (blob === null) {
        this.entries.delete(p);
        continue;
      }
      if (NON_RECORD_FILES.has(p)) continue;
      this.entries.set(p, { blob, commit: this.entries.get(p)?.commit ?? null, record: null, error: null });
      wanted.push(blob);
    }
    const contents = await this.catBlobs([...new Set(wanted), ...(this.policyBlob && changed.has('policy.yaml') ? [this.policyBlob] : [])]);
    for (const [p, blob] of changed) {
      if (blob === null || p === 'policy.yaml' || NON_RECORD_FILES.has(p)) continue;
      const entry = this.entries.get(p)!;
      const parsedPath = parseRecordPath(p);
      if (!parsedPath) {
        entry.error = 'not a record path (sessions/<YYYY>/<MM>/<session>/<seq>-<type>.json)';
        continue;
      }
      const text = contents.get(blob);
      try {
        const result = EvidenceRecordSchema.safeParse(JSON.parse(text ?? ''));
        if (result.success) entry.record = result.data;
        else entry.error = problemsFromZod(result.error).map((x) => `${x.path}: ${x.message}`).join('; ');
      } catch (e) {
        entry.error = `not JSON (${(e as Error).message})`;
      }
    }
    if (changed.has('policy.yaml') || this.head === null) await this.loadPolicy(contents);
    await this.attribute(attributionRange);
    this.head = head;
    this.buildView();
  }

  private async loadPolicy(contents: Map<string, string>): Promise<void> {
    if (!this.policyBlob) {
      this.policy = { ok: true, policy: DEFAULT_POLICY, sha256: sha256Hex(''), source: 'built-in' };
      return;
    }
    const text = contents.get(this.policyBlob) ?? (await this.catBlobs([this.policyBlob])).get(this.policyBlob) ?? '';
    const loaded = parsePolicyYaml(text, 'policy.yaml');
    this.policy = loaded.ok
      ? { ok: true, policy: loaded.policy, sha256: sha256Hex(text), source: 'repository' }
      : { ok: false, problems: loaded.problems, sha256: sha256Hex(text) };
  }

  /** Which commit added each record: non-merge commits in the range, one `A` per record. */
  private async attribute(range: string[]): Promise<void> {
    const out = await this.git.text('attribute-records', ['log', '--no-merges', '--no-renames', '--raw', '--no-abbrev', '--diff-filter=A', '--format=%x01%H', ...range, '--', 'sessions', 'journal']);
    let commit: string | null = null;
    for (const line of out.split('\n')) {
      if (line.startsWith('\x01')) {
        commit = line.slice(1);
        continue;
      }
      const tab = line.indexOf('\t');
      if (tab < 0 || commit === null) continue;
      const entry = this.entries.get(line.slice(tab + 1));
      // git log walks newest first: the oldest commit that added the path is the record's commit.
      if (entry) entry.commit = commit;
    }
  }

  /** Reads blobs through one `git cat-file --batch` (architecture.md: ~1–2.4 s for 200,000 records). */
  async catBlobs(blobs: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (blobs.length === 0) return out;
    const res = await this.git.run('read-records', ['cat-file', '--batch'], { input: `${blobs.join('\n')}\n` });
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

  private async isAncestor(a: string, b: string): Promise<boolean> {
    const r = await this.git.run('is-ancestor', ['merge-base', '--is-ancestor', a, b], { ok: [0, 1, 128] });
    return r.exitCode === 0;
  }

  private buildView(): void {
    const sessions = new Map<string, LedgerEntry[]>();
    const unreadable: UnreadableRecord[] = [];
    for (const [p, e] of this.entries) {
      if (!e.record) {
        unreadable.push({ path: p, blob: e.blob, message: e.error ?? 'unreadable' });
        continue;
      }
      const list = sessions.get(e.record.sessionId) ?? [];
      list.push({ record: e.record, commit: e.commit ?? '', path: p });
      sessions.set(e.record.sessionId, list);
    }
    for (const list of sessions.values()) list.sort((a, b) => a.record.seq - b.record.seq);
    this.view = { head: this.head, branch: this.branch, sessions, unreadable, policy: this.policy };
  }

  /**
   * Commits one record with `git fast-import` (one process, no work tree, no index: ~20–40 ms
   * whatever the repository's size). fast-import refuses to move the branch unless the new commit
   * contains its current tip, which makes the update a compare-and-swap on the head we read.
   */
  private async append(record: EvidenceRecord, incidentId: string | null): Promise<string> {
    const view = this.view!;
    const sessionStart = record.seq === 1 ? record.at : view.sessions.get(record.sessionId)?.[0]?.record.at ?? record.at;
    const file = recordPath(record, sessionStart);
    const json = `${JSON.stringify(record, null, 2)}\n`;
    const message = commitMessageFor(record, incidentId ? incidentId.replace(/[\r\n]/g, ' ') : null);
    const authorWhen = `${Math.floor(Date.parse(record.at) / 1000)} +0000`;
    const commitWhen = `${Math.floor(Date.now() / 1000)} +0000`;
    const who = `${record.actor.name} <${record.actor.email}>`;
    const commit = await this.fastImport(this.head, who, authorWhen, commitWhen, message, [{ path: file, content: json }]);
    this.entries.set(file, { blob: '', commit, record, error: null });
    this.head = commit;
    this.buildView();
    return commit;
  }

  private async fastImport(parent: string | null, who: string, authorWhen: string, commitWhen: string, message: string, files: Array<{ path: string; content: string }>): Promise<string> {
    const parts: Buffer[] = [];
    const push = (s: string | Buffer) => parts.push(typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
    const data = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      push(`data ${b.length}\n`);
      push(b);
      push('\n');
    };
    push(`commit refs/heads/${this.branch}\nmark :1\nauthor ${who} ${authorWhen}\ncommitter ${who} ${commitWhen}\n`);
    data(message);
    if (parent) push(`from ${parent}\n`);
    for (const f of files) {
      push(`M 100644 inline ${f.path}\n`);
      data(f.content);
    }
    push('get-mark :1\ndone\n');
    let out;
    try {
      out = await this.git.run('append-record', ['fast-import', '--quiet', '--done', '--date-format=raw'], { input: Buffer.concat(parts) });
    } catch (e) {
      const reason = e instanceof GitFailure ? e.stderr : (e as Error).message;
      throw new BreakGlassError('evidence-not-committed', `The evidence record could not be committed, so nothing changed: ${describeGitWriteFailure(reason)}`, { cause: e });
    }
    const commit = out.text().trim();
    const now = await this.resolveHead();
    if (!/^[0-9a-f]{40,64}$/.test(commit) || now !== commit) {
      throw new BreakGlassError('evidence-not-committed', 'The evidence branch moved while committing (another writer bypassed the lock); nothing was recorded. Retry.');
    }
    return commit;
  }

  /**
   * Merges another host's history (a fetched remote-tracking ref) into the branch, under the
   * writer lock: fast-forward when possible, else `merge-tree --write-tree` + `commit-tree` (no
   * work tree, ~40 ms; never rebase: commit ids must not change). Record paths are unique per
   * session, so only policy.yaml / README.md can conflict, when a host that started offline joins
   * an organisation's remote: the remote's (the organisation's) version wins and is reported.
   */
  async mergeFrom(ref: string): Promise<import('./outbox').MergeOutcome> {
    const theirs = (await this.git.run('resolve-remote', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { ok: [0, 1] })).text().trim();
    if (!theirs) return { merged: 'none', policyAdopted: null };
    return this.write(async () => {
      const ours = this.head;
      if (ours === null) {
        await this.updateRef(theirs, null);
        await this.refresh(theirs);
        return { merged: 'fast-forward', policyAdopted: null };
      }
      if (ours === theirs || (await this.isAncestor(theirs, ours))) return { merged: 'none', policyAdopted: null };
      const policyBefore = this.policyBlob;
      const policyShaBefore = this.policy.sha256;
      if (await this.isAncestor(ours, theirs)) {
        await this.updateRef(theirs, ours);
        await this.refresh(theirs);
        return { merged: 'fast-forward', policyAdopted: null };
      }
      const mt = await this.git.run('merge-evidence', ['merge-tree', '--write-tree', '--allow-unrelated-histories', '--name-only', '--no-messages', ours, theirs], { ok: [0, 1] });
      const lines = mt.text().split('\n').filter(Boolean);
      let tree = lines[0]!;
      const conflicted = [...new Set(lines.slice(1))];
      const resolvable = new Set(['policy.yaml', 'README.md']);
      const unresolvable = conflicted.filter((p) => !resolvable.has(p));
      if (unresolvable.length > 0) {
        throw new BreakGlassError('refused', `Merging the remote's evidence conflicts on ${unresolvable.slice(0, 3).join(', ')}: two hosts wrote the same record path. Local evidence is untouched; resolve by hand (see README, "Two hosts wrote the same record").`);
      }
      if (conflicted.length > 0) tree = await this.replaceRootEntries(tree, theirs, conflicted);
      const author = defaultSystemAuthor();
      const commit = await this.git.text('commit-merge', ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`,
        'commit-tree', tree, '-p', ours, '-p', theirs, '-m', `breakglass: merge evidence from ${ref.replace(/^refs\/remotes\//, '')}`], {});
      await this.updateRef(commit, ours);
      await this.refresh(commit);
      const adopted = conflicted.includes('policy.yaml') && this.policyBlob !== policyBefore
        ? { previous: policyBefore === null ? null : policyShaBefore, adopted: this.policy.sha256 }
        : null;
      return { merged: 'merge', policyAdopted: adopted };
    });
  }

  /** Takes `names` at the root of `tree` from `source`'s tree (the organisation's policy wins). */
  private async replaceRootEntries(tree: string, source: string, names: string[]): Promise<string> {
    const root = (await this.git.text('list-merged-root', ['ls-tree', tree])).split('\n');
    const theirs = (await this.git.text('list-remote-root', ['ls-tree', source])).split('\n');
    const byName = (lines: string[]) => new Map(lines.filter(Boolean).map((l) => [l.slice(l.indexOf('\t') + 1), l] as const));
    const merged = byName(root);
    const remote = byName(theirs);
    for (const n of names) {
      const line = remote.get(n);
      if (line) merged.set(n, line);
    }
    return this.git.text('mktree-merged', ['mktree'], { input: `${[...merged.values()].join('\n')}\n` });
  }

  private async updateRef(next: string, expected: string | null): Promise<void> {
    // Compare-and-swap: refused if the branch moved since we read it.
    await this.git.run('update-branch', ['update-ref', '-m', 'breakglass: merge', `refs/heads/${this.branch}`, next, expected ?? '0'.repeat(40)]);
  }

  private async commitInitialPolicy(author: { name: string; email: string }): Promise<void> {
    const when = `${Math.floor(Date.now() / 1000)} +0000`;
    const who = `${author.name} <${author.email}>`;
    const readme = [
      '# Break-glass evidence',
      '',
      'Written by the Break-Glass Console: one JSON record per file, one commit per record,',
      'hash-chained per session. Verify with `breakglass verify --repo <this folder>`.',
      'Never rewrite or force-push this history.',
      '',
    ].join('\n');
    const commit = await this.fastImport(null, who, when, when, 'breakglass: initialise evidence repository with the default policy\n', [
      { path: 'policy.yaml', content: defaultPolicyYaml() },
      { path: 'README.md', content: readme },
    ]);
    await this.refresh(commit);
  }
}

/** git's default syncs neither refs nor loose objects; evidence must survive a power cut (issue 2). */
async function ensureDurableConfig(git: Git): Promise<void> {
  const current = (await git.run('read-config', ['config', '--local', '--get-regexp', '^core\\.fsync'], { ok: [0, 1] })).text();
  if (!/core\.fsync objects,reference,index/.test(current)) await git.run('set-config', ['config', '--local', 'core.fsync', 'objects,reference,index']);
  if (!/core\.fsyncmethod fsync/.test(current)) await git.run('set-config', ['config', '--local', 'core.fsyncMethod', 'fsync']);
}

function defaultSystemAuthor(): { name: string; email: string } {
  const user = os.userInfo().username;
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'localhost';
  return { name: `${user} on ${host}`, email: `${user}@${host}` };
}

/** Turns git's stderr into a reason a person can act on. */
export function describeGitWriteFailure(stderr: string): string {
  if (/Read-only file system|Permission denied|unable to create temporary|insufficient permission/i.test(stderr)) {
    return 'the evidence repository is not writable (read-only or wrong permissions). Make it writable and retry.';
  }
  if (/No space left on device/i.test(stderr)) return 'the disk is full. Free space and retry.';
  if (/\.lock': File exists|Unable to create .*\.lock/i.test(stderr)) return 'a git lock file is held by another process. Retry in a moment.';
  if (/not updating|does not contain/i.test(stderr)) return 'another writer changed the evidence branch at the same moment. Retry.';
  return stderr.trim().split('\n').slice(0, 2).join(' ') || 'git failed without a message.';
}
