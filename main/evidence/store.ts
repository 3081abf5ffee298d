import type { GovernedFiles, NotInForce } from './governedState';
import { AsyncLocalStorage } from 'node:async_hooks';
import '../host/nativeHash';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';
import { defaultPolicyYaml } from '../../app/policy';
import type { Person } from '../../app/identity';
import type { EvidenceRecord } from '../../app/records';
import type { AppendRecord, EvidenceStore, LedgerEntry, LedgerView, LockRecovery } from '../../app/ports';
import type { Git } from '../git';
import { BranchCommitter, StaleHead } from './commit';
import { ownRef, readTips, tipSetOf, type TipSet } from './layout';
import { commitRecordOn } from './recordCommit';
import { LedgerIndex } from './ledgerIndex';
import { OpenSliceFile, withRecord } from './openSlice';
import { takeFetched, type MergeOutcome } from './merge';
import { RecordSigning, type RecordSigningOptions } from './recordSigning';
import type { Roster } from '../../app/roster/schema';
import type { CommitSigner } from '../signing/signer';
import { defaultSystemAuthor, EVIDENCE_README, openRepository, readGitIdentity } from './repository';
import { WriterLock, DEFAULT_LOCK_WAIT_MS } from './writerLock';

/** Options to open an evidence repository. */
export interface OpenOptions {
  /** Create and initialise (the default policy committed) an absent or empty folder. An existing repository is never committed to by opening it. */
  create?: boolean;
  /**
   * Opened for reading only (verify, log, report, the commander's board: issue 12 item 1): no
   * configuration is written, and writing is refused.
   */
  readOnly?: boolean;
  /** This host: its own ref (`refs/heads/hosts/<id>`) is the view's head; its fetched copy is only compared with. */
  hostId?: string;
  lockWaitMs?: number;
  /** Identity for commits that have no named actor (the initial policy commit). */
  systemAuthor?: Person;
  /** Where the ssh-agent and the host key are (issue 15); default: SSH_AUTH_SOCK, and the host key in the git dir. */
  signing?: Partial<RecordSigningOptions>;
  /**
   * Reads are of this host's open sessions and the journals only (issue 18: `env`, `status`):
   * `read()` returns the open slice (main/evidence/openSlice.ts) when one was made from exactly
   * the current refs, else the whole view. Writes always decide on the whole view.
   */
  openOnly?: boolean;
}

/**
 * The Git evidence repository (architecture.md "Evidence repository", issue 14): read as the union
 * of the organisation branch and every host's own ref through the ledger index (cat-file over
 * git's objects), written — each record on the ref of the host that writes it — through the commit
 * path under the writer lock.
 */
export class GitEvidenceStore implements EvidenceStore {
  private index: LedgerIndex;
  private readonly committer: BranchCommitter;
  private readonly lock: WriterLock;
  /** Who signs each commit once the repository has a roster (issue 15). */
  readonly signing: RecordSigning;
  /**
   * One reader or writer of the in-memory ledger index at a time: a refresh and a commit both
   * mutate it, and two at once would place a record twice (forwarding reads it beside the
   * console's own reads, issue 19). Re-entrant within one call chain (a precondition read inside a write).
   */
  private indexTurn: Promise<unknown> = Promise.resolve();
  private readonly holdsTurn = new AsyncLocalStorage<true>();
  /** This host's open slice beside the repository (null without a host id). */
  private readonly slice: OpenSliceFile | null;
  /** The tips `open` read, used once by the first read (one `for-each-ref` fewer at start-up). */
  private openedTips: TipSet | null = null;
  /** The roster blob of the open slice the last read returned (null: the last read was of the whole view). */
  private sliceRoster: { viewId: string; roster: string | null } | null = null;

  private constructor(
    readonly dir: string,
    readonly gitDir: string,
    /** The organisation branch (policy.yaml, README.md, and records from before issue 14). */
    readonly branch: string,
    readonly git: Git,
    /** The repository's object format (sha1 or sha256), for computing blob ids of what we write. */
    readonly objectFormat: 'sha1' | 'sha256',
    /** This host, when known: its own ref is `refs/heads/hosts/<hostId>`. */
    readonly hostId: string | null,
    readonly readOnly: boolean,
    private readonly systemAuthor: Person,
    lockWaitMs: number,
    signing: Partial<RecordSigningOptions> = {},
    private readonly openOnly = false,
  ) {
    this.slice = hostId !== null ? new OpenSliceFile(path.join(gitDir, 'breakglass-open'), hostId) : null;
    this.lock = new WriterLock(gitDir, lockWaitMs);
    this.index = new LedgerIndex(git, branch, gitDir, objectFormat, { ownHostId: hostId });
    this.committer = new BranchCommitter(git, objectFormat);
    this.signing = new RecordSigning({ hostKeyDir: gitDir, ...signing }, async (blob) => {
      const text = (await this.index.catBlobs([blob])).get(blob);
      if (text === undefined) throw new BreakGlassError('evidence-not-committed', 'roster.yaml could not be read from the evidence repository: nothing was recorded. Run breakglass verify.');
      return text;
    });
  }

  /**
   * Opens the evidence repository at `dir`. With `create`, an absent or empty folder becomes a new
   * repository with the default policy committed; an existing one is never written by opening it
   * (its first write commits the default policy if it has none). Without `create`, a repository
   * with nothing to read is refused.
   */
  static async open(dir: string, options: OpenOptions = {}): Promise<GitEvidenceStore> {
    const readOnly = options.readOnly ?? false;
    const create = (options.create ?? false) && !readOnly;
    const repo = await openRepository(dir, create, readOnly);
    const store = new GitEvidenceStore(repo.dir, repo.gitDir, repo.branch, repo.git, repo.objectFormat, options.hostId ?? null, readOnly,
      options.systemAuthor ?? defaultSystemAuthor(), options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, options.signing, options.openOnly ?? false);
    // The refs opening listed hold every ref a view reads (issue 18: no second `for-each-ref` at start-up).
    const tips = tipSetOf(repo.refs, repo.branch, store.hostId);
    // Kept only for a store about this host's open sessions, whose first read follows at once (no fetch comes between).
    if (store.openOnly) store.openedTips = tips;
    if (tips.tips.length === 0) {
      if (!create) throw new BreakGlassError('invalid-input', `The evidence repository at ${repo.dir} has no commits on ${repo.branch}.`);
      if (repo.created) await store.write(async () => undefined);
    }
    return store;
  }

  /** The refs the view reads, in one git process (after which the ones `open` read are never used). */
  readTips(): Promise<TipSet> {
    this.openedTips = null;
    return readTips(this.git, this.branch, this.hostId);
  }

  /** Runs `fn` with the index to itself (see {@link indexTurn}). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.holdsTurn.getStore()) return fn();
    const run = this.indexTurn.catch(() => {}).then(() => this.holdsTurn.run(true, fn));
    this.indexTurn = run;
    return run;
  }

  /** @inheritdoc */
  read(): Promise<LedgerView> {
    return this.exclusive(() => (this.openOnly ? this.readOpen() : this.readIndex()));
  }

  /** The whole view, whatever this store was opened for (forwarding orders every record of this host). */
  readWhole(): Promise<LedgerView> {
    return this.exclusive(() => this.readIndex());
  }

  /** This host's open slice made from exactly the current refs, else the whole view (see {@link OpenOptions.openOnly}). */
  private async readOpen(): Promise<LedgerView> {
    const tips = this.takeOpenedTips() ?? (await this.readTips());
    if (this.index.view && tips.viewId === this.index.viewId) return this.index.view;
    const slice = await this.slice?.load(tips.viewId);
    if (slice) {
      this.sliceRoster = { viewId: tips.viewId!, roster: slice.roster };
      return slice.view;
    }
    return this.readIndex(tips);
  }

  private takeOpenedTips(): TipSet | null {
    const tips = this.openedTips;
    this.openedTips = null;
    return tips;
  }

  private async readIndex(known?: TipSet): Promise<LedgerView> {
    const tips = known ?? (await this.readTips());
    this.sliceRoster = null;
    if (!this.index.view || tips.viewId !== this.index.viewId) await this.index.refresh(tips);
    await this.saveSlice();
    return this.index.view!;
  }

  /**
   * Brings this host's open slice in step with the whole view just read or written (never from a
   * read-only store: it writes nothing). After one record committed (`appended`: the view it
   * followed, its ref and entry) the slice follows by that record, a line appended (openSlice.ts).
   */
  private async saveSlice(appended?: { from: string | null; ref: string; entry: LedgerEntry }): Promise<void> {
    if (!this.slice || !this.index.view || this.readOnly) return;
    const roster = this.index.governed?.roster ?? null;
    if (appended) await this.slice.saveAppended(appended.from, appended.ref, appended.entry, this.index.view, roster);
    else await this.slice.save(this.index.view, roster);
  }

  /**
   * @inheritdoc
   * Optimistic: under the lock, the cached view is used as is, and the commit path's
   * compare-and-swap on the writing host's own ref detects a view made stale by another process;
   * then the view is refreshed and `fn` runs again. The common case costs one git process per record.
   */
  async write<T>(fn: (view: LedgerView, append: AppendRecord, recovered: LockRecovery | null) => Promise<T>): Promise<T> {
    if (this.readOnly) throw new BreakGlassError('refused', 'This evidence repository was opened for reading only: nothing can be recorded here.');
    // Tips read before the lock are never decided on.
    this.openedTips = null;
    const held = await this.lock.acquire();
    try {
      return await this.exclusive(() => this.writeHeld(fn, held.recovered));
    } finally {
      await held.release();
    }
  }

  private async writeHeld<T>(fn: (view: LedgerView, append: AppendRecord, recovered: LockRecovery | null) => Promise<T>, lockRecovery: LockRecovery | null): Promise<T> {
    let recovered = lockRecovery;
    if (this.openOnly) {
      const sliced = await this.writeSliced(fn, recovered);
      if (sliced.done) return sliced.value as T;
      recovered = sliced.recovered;
    }
    for (let attempt = 0; ; attempt++) {
      const view = this.index.view ?? (await this.readIndex());
      // A repository with nothing at all (an empty folder, `git init`): its first write commits
      // the default policy on the organisation branch, then the record on the host's own ref.
      if (!view.tips || view.tips.length === 0) {
        await this.commitInitialPolicy();
        continue;
      }
      let appended = 0;
      // The view `fn` decides on. A read inside `fn` (a precondition asking for the roster, say) may
      // refresh the index to another process's newer commits; appending then would chain onto a tip
      // whose records `fn` never saw, and the compare-and-swap would pass. So each append checks
      // the index is still the view `fn` was given (or what its own appends made of it).
      let decidedOn = this.index.viewId;
      try {
        return await fn(view, async (record, incident) => {
          if (this.index.viewId !== decidedOn) throw new StaleHead();
          const commit = await this.append(record, incident);
          decidedOn = this.index.viewId;
          appended += 1;
          return commit;
        }, recovered);
      } catch (e) {
        if (!(e instanceof StaleHead) || attempt >= 3) throw e instanceof StaleHead ? e.asUserError() : e;
        if (appended > 0) recovered = null; // the recovery record (always first) is committed already
        this.index.invalidate();
        await this.readIndex();
      }
    }
  }

  /**
   * A write deciding on this host's open slice (issue 18), when one was made from exactly the
   * current refs and this host has its own ref: its records go on that ref with the slice's tip as
   * the compare-and-swap, the slice follows them. Another writer's commit in between (StaleHead)
   * sends the write to the whole view, as does a slice that is missing or old.
   */
  private async writeSliced<T>(fn: (view: LedgerView, append: AppendRecord, recovered: LockRecovery | null) => Promise<T>, recovered: LockRecovery | null): Promise<{ done: true; value: T } | { done: false; recovered: LockRecovery | null }> {
    const tips = await this.readTips();
    const slice = this.hostId !== null && tips.tips.some((t) => t.ref === ownRef(this.hostId!)) ? await this.slice?.load(tips.viewId) : null;
    if (!slice) return { done: false, recovered };
    let current = slice.view;
    let appended = 0;
    try {
      const value = await fn(current, async (record, incident) => {
        const c = await commitRecordOn(this.committer, this.signing, current, slice.roster, record, incident);
        if (c.fetched !== null || c.tip === null) throw new StaleHead();
        const from = current.viewId;
        const entry = { record, commit: c.commit, path: c.file };
        current = withRecord(current, c.ref, entry);
        appended += 1;
        this.sliceRoster = { viewId: current.viewId!, roster: slice.roster };
        await this.slice!.saveAppended(from, c.ref, entry, current, slice.roster);
        return c.commit;
      }, recovered);
      return { done: true, value };
    } catch (e) {
      if (!(e instanceof StaleHead)) throw e;
      // The recovery record (always first) is committed already when anything was.
      return { done: false, recovered: appended > 0 ? null : recovered };
    }
  }

  /**
   * Takes in what a fetch brought (the organisation branch follows its fetched copy, the view
   * refreshes over every host's ref), under the writer lock (see {@link takeFetched}).
   */
  async takeFetched(viewBeforeFetch: string | null = null): Promise<MergeOutcome> {
    const held = await this.lock.acquire();
    try {
      return await this.exclusive(() => takeFetched({ git: this.git, branch: this.branch, committer: this.committer, index: this.index, readTips: () => this.readTips() }, held.recovered, viewBeforeFetch));
    } finally {
      await held.release();
    }
  }

  /**
   * Deletes the derived caches beside the repository (the record cache, the commit index) and
   * forgets the view: the next read rebuilds them from git's objects (issue 12 item 3: verify
   * found them disagreeing with git).
   */
  async discardDerivedCaches(): Promise<void> {
    for (const f of ['breakglass-records', 'breakglass-commits', 'breakglass-open']) await fs.rm(path.join(this.gitDir, f), { force: true });
    this.index = new LedgerIndex(this.git, this.branch, this.gitDir, this.objectFormat, { ownHostId: this.hostId });
  }

  /** The git identity configured for this repository's user (the home screen shows it), or null. */
  gitIdentity(): Promise<Person | null> {
    return readGitIdentity(this.git);
  }

  /**
   * What the organisation branch's governance put in force (governedState.ts; `governed` null: no
   * organisation branch), and the governed files at its tip that are not in force, read after `read()`.
   */
  async governance(): Promise<{ governed: GovernedFiles | null; notInForce: NotInForce[] }> {
    await this.readWhole();
    return { governed: this.index.governed, notInForce: this.index.filesNotInForce() };
  }

  /** The roster in force on the organisation branch (null: none, records are unsigned), read after `read()`. */
  async roster(): Promise<Roster | null> {
    const view = await this.read();
    // Read from the open slice: the roster in force with the refs it was made from.
    if (this.sliceRoster && this.sliceRoster.viewId === view.viewId && this.index.view !== view) return this.signing.roster(this.sliceRoster.roster);
    return this.signing.roster((this.index.governed?.roster ?? null));
  }

  /**
   * Commits one governance file (roster.yaml at creation, a proposal or approval, an adopted
   * roster.yaml / policy.yaml) as a commit signed by `signer`, under the writer lock, on the
   * organisation branch (governance is the organisation's, never a host's: issue 14, issue 15);
   * `replace` names the governed file an approved change replaces.
   */
  async commitGovernance(c: { path: string; content: string; message: string; who: Person; replace?: 'roster.yaml' | 'policy.yaml' }, signer: CommitSigner | ((roster: Roster | null) => Promise<CommitSigner>)): Promise<string> {
    if (this.readOnly) throw new BreakGlassError('refused', 'This evidence repository was opened for reading only: nothing can be recorded here.');
    const held = await this.lock.acquire();
    try {
      return await this.exclusive(async () => {
        await this.readIndex();
        const sign = typeof signer === 'function' ? await signer(await this.signing.roster((this.index.governed?.roster ?? null))) : signer;
        const now = Math.floor(Date.now() / 1000);
        const local = `refs/heads/${this.branch}`;
        const commit = await this.committer.commitSignedFile({
          branch: this.branch,
          // A clone without a local organisation branch starts it at the fetched copy.
          parent: this.index.organisationTip?.commit ?? null,
          expected: this.index.tips.get(local)?.commit ?? null,
          who: c.who, authoredAt: now, committedAt: now, message: c.message,
          file: { path: c.path, content: c.content }, ...(c.replace ? { replace: c.replace } : {}),
        }, sign).catch((e: unknown) => {
          throw e instanceof StaleHead ? e.asUserError() : e;
        });
        this.index.invalidate();
        await this.readIndex();
        return commit;
      });
    } finally {
      await held.release();
    }
  }

  /**
   * Commits one record (one file, one commit, authored by the record's actor at the record's time)
   * on the own ref of the host that writes it (issue 14), signed when the organisation branch has a
   * roster (issue 15). A host's first record starts its ref at the organisation tip, so its
   * history contains the organisation's root and the roster it was signed under.
   */
  private async append(record: EvidenceRecord, incidentId: string | null): Promise<string> {
    const c = await commitRecordOn(this.committer, this.signing, this.index.view!, this.index.governed?.roster ?? null, record, incidentId);
    if (c.fetched !== null) {
      // Rare (the first record on a new clone): the view's refs change shape, so read it again.
      this.index.invalidate();
      await this.readIndex();
    } else {
      const from = this.index.viewId;
      await this.index.recordCommitted(c.ref, c.file, c.blob, c.commit, record, c.tip === null && c.org !== null);
      await this.saveSlice({ from, ref: c.ref, entry: { record, commit: c.commit, path: c.file } });
    }
    return c.commit;
  }

  private async commitInitialPolicy(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    await this.committer.commitFiles({
      branch: this.branch,
      parent: null,
      who: this.systemAuthor,
      authoredAt: now,
      committedAt: now,
      message: 'breakglass: initialise evidence repository with the default policy\n',
      files: [{ path: 'policy.yaml', content: defaultPolicyYaml() }, { path: 'README.md', content: EVIDENCE_README }],
    }).catch((e: unknown) => {
      // Another process initialised it first: read what it wrote.
      if (!(e instanceof StaleHead)) throw e;
    });
    this.index.invalidate();
    await this.read();
  }
}
