import { AsyncLocalStorage } from 'node:async_hooks';
import { BreakGlassError } from '../../app/errors';
import { defaultPolicyYaml } from '../../app/policy';
import type { Person } from '../../app/identity';
import { commitMessageFor, recordPath, type EvidenceRecord } from '../../app/records';
import type { AppendRecord, EvidenceStore, LedgerView, LockRecovery } from '../../app/ports';
import type { Git } from '../git';
import { BranchCommitter, StaleHead } from './commit';
import { LedgerIndex } from './ledgerIndex';
import { RecordSigning, type RecordSigningOptions } from './recordSigning';
import type { Roster } from '../../app/roster/schema';
import type { CommitSigner } from '../signing/signer';
import { mergeTrackingRef, type MergeOutcome } from './merge';
import { defaultSystemAuthor, EVIDENCE_README, openRepository, readGitIdentity } from './repository';
import { WriterLock, DEFAULT_LOCK_WAIT_MS } from './writerLock';

/** Options to open an evidence repository. */
export interface OpenOptions {
  /** Create and initialise the repository (with the default policy committed) when it does not exist. */
  create?: boolean;
  lockWaitMs?: number;
  /** Identity for commits that have no named actor (the initial policy commit). */
  systemAuthor?: Person;
  /** Where the ssh-agent and the host key are (issue 15); default: SSH_AUTH_SOCK, and the host key in the git dir. */
  signing?: Partial<RecordSigningOptions>;
}

/**
 * The Git evidence repository (architecture.md "Evidence repository"): read through the ledger
 * index (cat-file over git's objects), written through the commit path under the writer lock.
 */
export class GitEvidenceStore implements EvidenceStore {
  private readonly index: LedgerIndex;
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

  private constructor(
    readonly dir: string,
    readonly gitDir: string,
    readonly branch: string,
    readonly git: Git,
    /** The repository's object format (sha1 or sha256), for computing blob ids of what we write. */
    readonly objectFormat: 'sha1' | 'sha256',
    lockWaitMs: number,
    signing: Partial<RecordSigningOptions> = {},
  ) {
    this.lock = new WriterLock(gitDir, lockWaitMs);
    this.index = new LedgerIndex(git, branch, gitDir);
    this.committer = new BranchCommitter(git, branch, objectFormat);
    this.signing = new RecordSigning({ hostKeyDir: gitDir, ...signing }, async (blob) => {
      const text = (await this.index.catBlobs([blob])).get(blob);
      if (text === undefined) throw new BreakGlassError('evidence-not-committed', 'roster.yaml could not be read from the evidence repository: nothing was recorded. Run breakglass verify.');
      return text;
    });
  }

  /** Opens (and with `create`, initialises) the evidence repository at `dir`. */
  static async open(dir: string, options: OpenOptions = {}): Promise<GitEvidenceStore> {
    const repo = await openRepository(dir, options.create ?? false);
    const store = new GitEvidenceStore(repo.dir, repo.gitDir, repo.branch, repo.git, repo.objectFormat, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, options.signing);
    if ((await store.resolveHead()) === null) {
      if (!options.create) throw new BreakGlassError('invalid-input', `The evidence repository at ${repo.dir} has no commits on ${repo.branch}.`);
      await store.write(async () => {
        if (store.index.head === null) await store.commitInitialPolicy(options.systemAuthor ?? defaultSystemAuthor());
      });
    }
    return store;
  }

  /** The commit the branch points at, or null for an empty repository. */
  async resolveHead(): Promise<string | null> {
    const out = await this.git.run('resolve-head', ['rev-parse', '--verify', '--quiet', `refs/heads/${this.branch}^{commit}`], { ok: [0, 1] });
    return out.exitCode === 0 ? out.text().trim() : null;
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
    return this.exclusive(() => this.readIndex());
  }

  private async readIndex(): Promise<LedgerView> {
    const head = await this.resolveHead();
    if (this.index.view && head === this.index.head) return this.index.view;
    await this.index.refresh(head);
    return this.index.view!;
  }

  /**
   * @inheritdoc
   * Optimistic: under the lock, the cached view is used as is, and the commit path's
   * compare-and-swap on the branch detects a view made stale by another process; then the view is
   * refreshed and `fn` runs again. The common case costs one git process per record.
   */
  async write<T>(fn: (view: LedgerView, append: AppendRecord, recovered: LockRecovery | null) => Promise<T>): Promise<T> {
    const held = await this.lock.acquire();
    try {
      return await this.exclusive(() => this.writeHeld(fn, held.recovered));
    } finally {
      await held.release();
    }
  }

  private async writeHeld<T>(fn: (view: LedgerView, append: AppendRecord, recovered: LockRecovery | null) => Promise<T>, lockRecovery: LockRecovery | null): Promise<T> {
    let recovered = lockRecovery;
    for (let attempt = 0; ; attempt++) {
      const view = this.index.view ?? (await this.read());
      let appended = 0;
      try {
        return await fn(view, async (record, incident) => {
          const commit = await this.append(record, incident);
          appended += 1;
          return commit;
        }, recovered);
      } catch (e) {
        if (!(e instanceof StaleHead) || attempt >= 3) throw e instanceof StaleHead ? e.asUserError() : e;
        if (appended > 0) recovered = null; // the recovery record (always first) is committed already
        this.index.invalidate();
        await this.read();
      }
    }
  }

  /**
   * Merges another host's history (a fetched remote-tracking ref) into the branch, under the
   * writer lock (see {@link mergeTrackingRef}).
   */
  async mergeFrom(ref: string, fastForwarded?: { from: string; to: string }): Promise<MergeOutcome> {
    const held = await this.lock.acquire();
    try {
      return await this.exclusive(() => mergeTrackingRef({ git: this.git, branch: this.branch, committer: this.committer, index: this.index }, ref, fastForwarded, held.recovered));
    } finally {
      await held.release();
    }
  }

  /** The git identity configured for this repository's user (the home screen shows it), or null. */
  gitIdentity(): Promise<Person | null> {
    return readGitIdentity(this.git);
  }

  /** The roster in force at the branch head (null: none, records are unsigned), read after `read()`. */
  async roster(): Promise<Roster | null> {
    await this.read();
    return this.signing.roster(this.index.rosterBlob);
  }

  /**
   * Commits one governance file (roster.yaml at creation, a proposal or approval, an adopted
   * roster.yaml / policy.yaml) as a commit signed by `signer`, under the writer lock, on top of
   * the head; `replace` names the governed file an approved change replaces (issue 15).
   */
  async commitGovernance(c: { path: string; content: string; message: string; who: Person; replace?: 'roster.yaml' | 'policy.yaml' }, signer: CommitSigner | ((roster: Roster | null) => Promise<CommitSigner>)): Promise<string> {
    const held = await this.lock.acquire();
    try {
      await this.read();
      const sign = typeof signer === 'function' ? await signer(await this.signing.roster(this.index.rosterBlob)) : signer;
      const now = Math.floor(Date.now() / 1000);
      const commit = await this.committer.commitSignedFile({
        parent: this.index.head, who: c.who, authoredAt: now, committedAt: now, message: c.message,
        file: { path: c.path, content: c.content }, ...(c.replace ? { replace: c.replace } : {}),
      }, sign).catch((e: unknown) => {
        throw e instanceof StaleHead ? e.asUserError() : e;
      });
      await this.index.refresh(commit);
      return commit;
    } finally {
      await held.release();
    }
  }

  /** Commits one record (one file, one commit, authored by the record's actor at the record's time); signed when the repository has a roster. */
  private async append(record: EvidenceRecord, incidentId: string | null): Promise<string> {
    const view = this.index.view!;
    const sessionStart = record.seq === 1 ? record.at : view.sessions.get(record.sessionId)?.[0]?.record.at ?? record.at;
    const file = recordPath(record, sessionStart);
    const json = `${JSON.stringify(record, null, 2)}\n`;
    const roster = await this.signing.roster(this.index.rosterBlob);
    const c = {
      parent: this.index.head,
      who: record.actor,
      authoredAt: Math.floor(Date.parse(record.at) / 1000),
      committedAt: Math.floor(Date.now() / 1000),
      message: commitMessageFor(record, incidentId ? incidentId.replace(/[\r\n]/g, ' ') : null),
    };
    let commit: string;
    if (roster) {
      // Fail closed (issue 15): the signer is chosen and checked before anything is written.
      const operator = view.sessions.get(record.sessionId)?.[0]?.record.actor ?? null;
      const signer = await this.signing.signerFor(roster, record, operator, c.committedAt * 1000);
      commit = await this.committer.commitSignedFile({ ...c, file: { path: file, content: json } }, signer);
    } else {
      commit = await this.committer.commitFiles({ ...c, files: [{ path: file, content: json }] });
    }
    await this.index.recordCommitted(file, this.committer.blobId(json), commit, record);
    return commit;
  }

  private async commitInitialPolicy(author: Person): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const commit = await this.committer.commitFiles({
      parent: null,
      who: author,
      authoredAt: now,
      committedAt: now,
      message: 'breakglass: initialise evidence repository with the default policy\n',
      files: [{ path: 'policy.yaml', content: defaultPolicyYaml() }, { path: 'README.md', content: EVIDENCE_README }],
    });
    await this.index.refresh(commit);
  }
}
