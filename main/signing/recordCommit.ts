import { z } from 'zod';
import { BreakGlassError } from '../../app/errors';
import { PersonSchema } from '../../app/identity';
import { parseOrThrow } from '../../app/zodIssues';
import { GitFailure, type Git } from '../git';
import { addCommitSignature, parseCatFileBatch, type ObjectFormat } from './commitSignature';
import { mktreeInput, objectId, parseTree, serializeTree, type TreeEntry } from './gitObjects';
import type { CommitSigner } from './signer';
import { SshToolFailure } from './sshTools';

/**
 * The signed record commit (issue 15): one record file added on top of a parent, as a signed
 * commit, with a compare-and-swap on the branch. fast-import cannot sign, so this is plumbing:
 *   1. the trees on the record's path are read from a cache of tree objects (ids are content
 *      hashes, so a cached tree can never be stale), or in one `cat-file --batch` on a miss;
 *   2. the blob, the new trees and the commit payload are computed in-process;
 *   3. while the agent signs the payload (`ssh-keygen -Y sign`), git writes the blob
 *      (`hash-object -w`) and the trees (one `mktree -z --batch`);
 *   4. `hash-object -t commit -w` writes the signed commit; `update-ref` moves the branch only if
 *      it still points at the parent.
 * Every id git reports is compared with the one computed here. Nothing counts as recorded until
 * the branch has moved (fail closed: a failure anywhere leaves the branch where it was).
 */

const ObjectId = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'Not an object id.');

const Stamp = z.object({
  ...PersonSchema.shape,
  /** Seconds since the epoch. */
  seconds: z.number().int().min(0),
  offset: z.string().regex(/^[+-]\d{4}$/).default('+0000'),
}).strict();

/** What to commit: one new file at `path` on top of `parent` (null for the first commit), on `ref`. */
export const RecordCommitRequestSchema = z.object({
  ref: z.string().regex(/^refs\/(heads|breakglass)\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'Not a branch ref.').refine((r) => !r.includes('..') && !r.endsWith('.lock'), 'Not a valid ref name.'),
  parent: ObjectId.nullable(),
  /** Where `ref` must point for the commit to land (null: absent); default `parent`. A new host ref starts at the organisation tip. */
  expected: ObjectId.nullable().optional(),
  path: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/, 'Not a repository path of plain names.').max(4096),
  content: z.string().max(64 * 1024 * 1024),
  message: z.string().min(1).max(64 * 1024).refine((m) => !m.includes('\0'), 'The message may not contain NUL.'),
  author: Stamp,
  committer: Stamp,
  /** Replace the file if it exists: only for the governed files (roster.yaml, policy.yaml) adopted after approval; records are never rewritten. */
  replace: z.enum(['roster.yaml', 'policy.yaml']).optional(),
}).strict().refine((r) => r.replace === undefined || r.replace === r.path, 'Only the governed file named by replace may be replaced.');

/** A record commit request as the caller writes it. */
export type RecordCommitRequest = z.input<typeof RecordCommitRequestSchema>;

/** What was committed. */
export interface RecordCommitResult {
  commit: string;
  tree: string;
  blob: string;
}

/** The branch no longer points at the parent (another writer moved it): nothing was recorded; re-read and retry. */
export class RecordCommitConflict extends Error {
  constructor(readonly ref: string) {
    super(`${ref} moved while committing: nothing was recorded.`);
    this.name = 'RecordCommitConflict';
  }
}

const TREE_CACHE_SIZE = 1024;

/** Commits signed records into one repository; keeps a cache of tree objects between appends. */
export class RecordCommitter {
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly commitTrees = new Map<string, string>();

  constructor(private readonly git: Git, readonly format: ObjectFormat) {}

  /** A committer for the repository of `git`, in its object format. */
  static async open(git: Git): Promise<RecordCommitter> {
    const format = await git.text('object-format', ['rev-parse', '--show-object-format']);
    if (format !== 'sha1' && format !== 'sha256') throw new BreakGlassError('internal', 'The evidence repository uses an object format this console does not know.');
    return new RecordCommitter(git, format);
  }

  /** Adds one record file as a commit signed by `signer`, moving `ref` from `parent` (compare-and-swap). */
  async append(input: RecordCommitRequest, signer: CommitSigner): Promise<RecordCommitResult> {
    const req = parseOrThrow(RecordCommitRequestSchema, input, 'record commit');
    const dirs = req.path.split('/');
    const file = dirs.pop()!;
    const levels = await this.levels(req.parent, dirs);
    const deepest = levels[levels.length - 1]!;
    if (req.replace === undefined && deepest.some((e) => e.name === file)) throw new BreakGlassError('refused', 'A record already exists at this path: records are never rewritten.');

    const blobBody = Buffer.from(req.content, 'utf8');
    const blob = objectId('blob', blobBody, this.format);
    // Bottom-up: each level gets the new child in place of the old one.
    const written: Array<{ id: string; entries: TreeEntry[] }> = [];
    let child: TreeEntry = { mode: '100644', name: file, id: blob };
    for (let i = levels.length - 1; i >= 0; i--) {
      const entries = [...levels[i]!.filter((e) => e.name !== child.name), child];
      const id = objectId('tree', serializeTree(entries), this.format);
      written.push({ id, entries });
      if (i > 0) child = { mode: '40000', name: dirs[i - 1]!, id };
    }
    const tree = written[written.length - 1]!.id;
    const stamp = (s: typeof req.author) => `${s.name} <${s.email}> ${s.seconds} ${s.offset}`;
    const message = req.message.endsWith('\n') ? req.message : `${req.message}\n`;
    const payload = Buffer.from(`tree ${tree}\n${req.parent ? `parent ${req.parent}\n` : ''}author ${stamp(req.author)}\ncommitter ${stamp(req.committer)}\n\n${message}`, 'utf8');

    // The agent's signature (and a security key's touch) overlaps git writing the blob and trees.
    const [signed, objects] = await Promise.allSettled([signer.sign(payload), this.writeObjects(blobBody, blob, written)]);
    if (signed.status === 'rejected') throw notCommitted(signed.reason, 'The record could not be signed, so it was not committed');
    if (objects.status === 'rejected') throw notCommitted(objects.reason, 'The record could not be written, so it was not committed');
    const commitBody = addCommitSignature(payload, signed.value, this.format);
    const commit = objectId('commit', commitBody, this.format);
    await this.expectId('write-record-commit', ['hash-object', '-t', 'commit', '-w', '--stdin'], commitBody, commit);
    try {
      await this.git.updateRefs('update-record-branch', [{ ref: req.ref, next: commit, old: (req.expected !== undefined ? req.expected : req.parent) ?? '0'.repeat(this.format === 'sha256' ? 64 : 40) }]);
    } catch (e) {
      // update-ref's transaction refuses when the ref is not at `old`: another writer got there first.
      if (e instanceof GitFailure && /but expected|reference already exists|unable to resolve reference|cannot lock ref/i.test(e.stderr)) throw new RecordCommitConflict(req.ref);
      throw notCommitted(e, 'The evidence branch could not be moved, so nothing was recorded');
    }
    for (const t of written) this.remember(t.id, t.entries);
    this.commitTrees.set(commit, tree);
    return { commit, tree, blob };
  }

  private async writeObjects(blobBody: Buffer, blob: string, trees: ReadonlyArray<{ id: string; entries: TreeEntry[] }>): Promise<void> {
    await this.expectId('write-record-blob', ['hash-object', '-w', '--stdin'], blobBody, blob);
    // Deepest first: mktree checks that every entry's object exists, so each tree follows its child.
    const input = Buffer.concat(trees.map((t) => Buffer.concat([mktreeInput(t.entries), Buffer.from([0])])));
    const ids = (await this.git.text('write-record-trees', ['mktree', '-z', '--batch'], { input })).split('\n');
    if (ids.length !== trees.length || ids.some((id, i) => id !== trees[i]!.id)) throw new Error('git mktree wrote other trees than computed');
  }

  private async expectId(caller: string, args: string[], input: Buffer, expected: string): Promise<void> {
    const id = await this.git.text(caller, args, { input });
    if (id !== expected) throw new Error(`${caller}: git wrote another object than computed`);
  }

  /** The entries of the root tree and of each directory on `dirs` in `parent` ([] where a directory does not exist yet). */
  private async levels(parent: string | null, dirs: readonly string[]): Promise<TreeEntry[][]> {
    const out: TreeEntry[][] = [];
    if (parent === null) return [[], ...dirs.map(() => [])];
    let treeId = this.commitTrees.get(parent) ?? null;
    for (;;) {
      const entries = treeId ? this.recall(treeId) : undefined;
      if (!entries) break;
      out.push(entries);
      if (out.length === dirs.length + 1) return out;
      const next = entries.find((e) => e.name === dirs[out.length - 1]);
      if (!next) return [...out, ...dirs.slice(out.length - 1).map(() => [])];
      if (next.mode !== '40000') throw refusedPath();
      treeId = next.id;
    }
    // One cat-file for every level not in the cache: `<tree>` then `<tree>:a`, `<tree>:a/b`, …
    const base = treeId ?? `${parent}^{tree}`;
    const rest = dirs.slice(out.length);
    const specs = [base, ...rest.map((_, k) => `${treeId ?? parent}:${rest.slice(0, k + 1).join('/')}`)];
    let objects;
    try {
      objects = parseCatFileBatch((await this.git.run('read-record-trees', ['cat-file', '--batch'], { input: `${specs.join('\n')}\n` })).stdout);
    } catch (e) {
      throw notCommitted(e, 'The parent commit\'s trees could not be read, so nothing was recorded');
    }
    for (const [k, o] of objects.entries()) {
      if (o.type === 'missing') {
        if (k === 0) throw new BreakGlassError('evidence-not-committed', 'The parent commit is not in the evidence repository, so nothing was recorded.');
        out.push(...objects.slice(k).map(() => []));
        break;
      }
      if (o.type !== 'tree') throw refusedPath();
      const entries = parseTree(o.body, this.format);
      this.remember(o.id, entries);
      if (k === 0 && treeId === null) this.commitTrees.set(parent, o.id);
      out.push(entries);
    }
    return out;
  }

  private recall(id: string): TreeEntry[] | undefined {
    const entries = this.trees.get(id);
    if (entries) {
      this.trees.delete(id);
      this.trees.set(id, entries);
    }
    return entries;
  }

  private remember(id: string, entries: TreeEntry[]): void {
    this.trees.set(id, entries);
    if (this.trees.size > TREE_CACHE_SIZE) this.trees.delete(this.trees.keys().next().value!);
    if (this.commitTrees.size > TREE_CACHE_SIZE) this.commitTrees.delete(this.commitTrees.keys().next().value!);
  }
}

function refusedPath(): BreakGlassError {
  return new BreakGlassError('refused', 'A file stands where the record path needs a folder: nothing was recorded.');
}

/** A failure as the user sees it: what did not happen, and a fixed reason (never tool output). */
function notCommitted(cause: unknown, what: string): BreakGlassError {
  if (cause instanceof BreakGlassError) return cause;
  const reason = cause instanceof SshToolFailure ? cause.message.replace(/^[^:]+: /, '') : 'git refused the write (run breakglass verify).';
  return new BreakGlassError('evidence-not-committed', `${what}: ${reason}`, { cause });
}
