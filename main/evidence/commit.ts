import { createHash } from 'node:crypto';
import { BreakGlassError } from '../../app/errors';
import type { Person } from '../../app/identity';
import { Git, GitFailure } from '../git';
import { RecordCommitConflict, RecordCommitter } from '../signing/recordCommit';
import type { CommitSigner } from '../signing/signer';

/**
 * The commit path: the one place evidence commits are made and a branch is moved. Records are
 * committed on this host's own ref (`hosts/<id>`, issue 14), the initial policy and governance on
 * the organisation branch. In a repository without a roster, records are committed unsigned with
 * `git fast-import`; with a roster (issue 15) every commit is signed, made with plumbing
 * (main/signing/recordCommit.ts: fast-import cannot sign) and `update-ref` compare-and-swap,
 * behind this same class.
 */

/** One commit of files on top of a branch. */
export interface FilesCommit {
  /** The branch to commit on, below refs/heads/ (`hosts/<host id>`, or the organisation branch). */
  branch: string;
  /** The commit the new one builds on (null: the first commit): the branch's tip, or where a new branch starts. */
  parent: string | null;
  /**
   * Where the branch must point for the commit to land (null: it must not exist yet); default
   * `parent`. A host's first record starts its ref (expected null) at the organisation tip (parent).
   */
  expected?: string | null;
  /** Author and committer (the named operator; the system identity for the initial policy). */
  who: Person;
  /** Author time (the record's instant) and commit time, in epoch seconds. */
  authoredAt: number;
  committedAt: number;
  message: string;
  files: ReadonlyArray<{ path: string; content: string }>;
}

/** The branch moved under a cached view (another process wrote): refresh and retry. */
export class StaleHead extends Error {
  constructor() {
    super('evidence branch moved');
  }

  /** What the person is told when the branch keeps moving (another writer bypassed the lock). */
  asUserError(): BreakGlassError {
    return new BreakGlassError('evidence-not-committed', 'The evidence branch kept moving while committing (another writer bypassed the lock); nothing was recorded. Retry.');
  }
}

/** Commits evidence on the branches of one repository. */
export class BranchCommitter {
  private signedCommitter: RecordCommitter | null = null;

  constructor(
    private readonly git: Git,
    private readonly objectFormat: 'sha1' | 'sha256',
  ) {}

  /**
   * Commits one file on top of `parent` as a commit signed by `signer` and moves the branch
   * (compare-and-swap: a moved branch throws StaleHead). `replace` names a governed file that an
   * approved change replaces; records are never replaced.
   */
  async commitSignedFile(c: Omit<FilesCommit, 'files'> & { file: { path: string; content: string }; replace?: 'roster.yaml' | 'policy.yaml' }, signer: CommitSigner): Promise<string> {
    this.signedCommitter ??= new RecordCommitter(this.git, this.objectFormat);
    const stamp = (seconds: number) => ({ name: c.who.name, email: c.who.email, seconds });
    try {
      const result = await this.signedCommitter.append({
        ref: `refs/heads/${c.branch}`, parent: c.parent, ...(c.expected !== undefined ? { expected: c.expected } : {}), path: c.file.path, content: c.file.content, message: c.message,
        author: stamp(c.authoredAt), committer: stamp(c.committedAt), ...(c.replace ? { replace: c.replace } : {}),
      }, signer);
      return result.commit;
    } catch (e) {
      if (e instanceof RecordCommitConflict) throw new StaleHead();
      throw e;
    }
  }

  /**
   * Commits `files` on top of `parent` and moves the branch to it, in one `git fast-import`
   * (one process, no work tree, no index: ~20–40 ms whatever the repository's size). fast-import
   * refuses to move the branch unless the new commit contains its current tip, which makes the
   * update a compare-and-swap on the tip we read (a branch that does not exist yet must still not
   * exist): a moved branch throws StaleHead.
   */
  async commitFiles(c: FilesCommit): Promise<string> {
    const parts: Buffer[] = [];
    const push = (s: string | Buffer) => parts.push(typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
    const data = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      push(`data ${b.length}\n`);
      push(b);
      push('\n');
    };
    const who = `${c.who.name} <${c.who.email}>`;
    push(`commit refs/heads/${c.branch}\nmark :1\nauthor ${who} ${c.authoredAt} +0000\ncommitter ${who} ${c.committedAt} +0000\n`);
    data(c.message);
    if (c.parent) push(`from ${c.parent}\n`);
    for (const f of c.files) {
      push(`M 100644 inline ${f.path}\n`);
      data(f.content);
    }
    push('get-mark :1\ndone\n');
    let out;
    try {
      out = await this.git.run('append-record', ['fast-import', '--quiet', '--done', '--date-format=raw'], { input: Buffer.concat(parts) });
    } catch (e) {
      const reason = e instanceof GitFailure ? e.stderr : (e as Error).message;
      // fast-import exits 1 and leaves the branch alone when it no longer points where we read it.
      if (/Not updating refs\/heads\//.test(reason)) throw new StaleHead();
      throw new BreakGlassError('evidence-not-committed', `The evidence record could not be committed, so nothing changed: ${describeGitWriteFailure(reason)}`, { cause: e });
    }
    const commit = out.text().trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) {
      throw new BreakGlassError('evidence-not-committed', 'git fast-import did not report the new commit; nothing is counted as recorded. Retry, then run breakglass verify.');
    }
    return commit;
  }

  /** Moves a branch to `next`, compare-and-swap: refused if it no longer points at `expected` (null: must not exist). */
  async moveBranch(branch: string, next: string, expected: string | null): Promise<void> {
    await this.git.updateRefs('update-branch', [{ ref: `refs/heads/${branch}`, next, old: expected ?? '0'.repeat(this.objectFormat === 'sha256' ? 64 : 40) }]);
  }

  /** The id git gives a blob with this content (so records we write need no extra git call). */
  blobId(content: string): string {
    const body = Buffer.from(content, 'utf8');
    return createHash(this.objectFormat).update(`blob ${body.length}\0`).update(body).digest('hex');
  }
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
