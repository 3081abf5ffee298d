import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';
import type { Person } from '../../app/identity';
import { Git, GitFailure } from '../git';
import { REMOTE_NAME } from './layout';

/** An evidence repository on disk, opened (and with `create`, initialised bare). */
export interface OpenedRepository {
  dir: string;
  gitDir: string;
  branch: string;
  git: Git;
  /** The repository's object format (sha1 or sha256), for computing blob ids of what we write. */
  objectFormat: 'sha1' | 'sha256';
  /** True when this call created the repository (an absent or empty folder, with `create`). */
  created: boolean;
  /** Every local branch and every branch of the configured remote as opening read them (ref → commit, tree): the first tips (layout.ts tipSetOf). */
  refs: ReadonlyMap<string, { commit: string; tree: string }>;
}

/** The README committed beside the default policy when a repository is initialised. */
export const EVIDENCE_README = [
  '# Break-glass evidence',
  '',
  'Written by the Break-Glass Console: one JSON record per file, one commit per record,',
  'hash-chained per session. Verify with `breakglass verify --repo <this folder>`.',
  'Never rewrite or force-push this history.',
  '',
].join('\n');

/**
 * Opens the git repository at `dir`; an absent or empty folder is initialised (bare, branch
 * `main`) only with `create`. Refuses, saying what to do, a folder that is not a repository or
 * belongs to another account. Sets the durable fsync configuration (issue 2), except when opened
 * `readOnly`: reading never writes anything (issue 12 item 1).
 *
 * Issue 18: three git processes in the common case (every command pays them at start-up): the
 * repository's own config, read once by main/git.ts's safety check (names and values; the fsync
 * settings are decided on that read); one `rev-parse` for the git dir and the object format; one
 * `for-each-ref` over the local branches and the configured remote's, which names the organisation
 * branch and is the first set of tips (`refs`, see tipSetOf in layout.ts). HEAD's branch is read
 * from the git dir's HEAD file when it is a plain symbolic ref, else asked of `git symbolic-ref`.
 */
export async function openRepository(dir: string, create: boolean, readOnly = false): Promise<OpenedRepository> {
  const abs = path.resolve(dir);
  let created = false;
  if (!existsSync(abs) || (await fs.readdir(abs)).length === 0) {
    if (!create) {
      throw new BreakGlassError('invalid-input', `No evidence repository at ${abs}. Run any breakglass command without --repo to use the default, or point --repo at a clone of your organisation's evidence repository.`);
    }
    await fs.mkdir(abs, { recursive: true, mode: 0o700 });
    await new Git(abs).run('init-repository', ['init', '--quiet', '--bare', '--initial-branch=main', abs]);
    created = true;
  }
  const git = new Git(abs);
  let located: string[];
  try {
    // One process for both (git prints one line per option, in order). Opening only reads: spawned
    // directly (git.ts readText()), so a command that reads nothing else never loads simple-git.
    located = (await git.readText('open-repository', ['rev-parse', '--absolute-git-dir', '--show-object-format'])).split('\n');
  } catch (e) {
    if (e instanceof BreakGlassError) throw e;
    if (e instanceof GitFailure && /dubious ownership/.test(e.stderr)) {
      const asRoot = process.getuid?.() === 0 ? 'You are running as root (uid 0) and ' : '';
      throw new BreakGlassError('refused', `${asRoot}git refuses the evidence repository at ${abs} because it belongs to another user account. Log in with your own named account that owns it.`, { cause: e });
    }
    throw new BreakGlassError('invalid-input', `${abs} is not a git repository. Point --repo at an evidence repository (or an empty folder to create one).`, { cause: e });
  }
  const gitDir = located[0]!.trim();
  const format = located[1]?.trim();
  const config = await git.localConfig();
  const { branch, refs } = await organisationBranch(git, await headBranch(git, gitDir, config));
  if (!readOnly) await ensureDurableConfig(git, config);
  return { dir: abs, gitDir, branch, git, objectFormat: format === 'sha256' ? 'sha256' : 'sha1', created, refs };
}

/** A branch name git itself could have written into HEAD (check-ref-format's rules, narrowed): anything else is asked of git. */
const PLAIN_BRANCH = /^(?!.*\.\.)(?!.*\.lock(?:\/|$))[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/**
 * The branch HEAD names ('main' when HEAD is detached). The files ref store keeps HEAD as the file
 * `<git dir>/HEAD`, `ref: refs/heads/<branch>`: read directly when it is exactly that, with a plain
 * branch name, and the repository's config names no other ref store (reftable keeps a placeholder
 * there). Anything else — detached, another ref store, an unreadable file, an unusual name — is
 * asked of `git symbolic-ref`, as before issue 18.
 */
async function headBranch(git: Git, gitDir: string, config: ReadonlyMap<string, readonly string[]> | null): Promise<string> {
  const store = config?.get('extensions.refstorage')?.at(-1);
  if (config !== null && (store === undefined || store === 'files')) {
    const head = await fs.readFile(path.join(gitDir, 'HEAD'), 'utf8').catch(() => '');
    const named = /^ref: refs\/heads\/(\S+)\n?$/.exec(head)?.[1];
    if (named !== undefined && PLAIN_BRANCH.test(named)) return named;
  }
  return (await git.bytes('current-branch', ['symbolic-ref', '--quiet', '--short', 'HEAD'], { ok: [0, 1] })).toString('utf8').trim() || 'main';
}

/**
 * The organisation branch's name (issue 12 item 1): the branch HEAD names when it exists, here or
 * as the configured remote's tracking ref. A plain `git clone` of a remote whose HEAD names a branch
 * that does not exist (`git init --bare` says master; the console pushes main) has no local branch
 * at all: then the remote's branch is found among `refs/remotes/origin/*` (main first, else the only
 * one). Other remotes never count (issue 12 item 4). With it, every local branch and every one of
 * the remote's, each with its commit and tree: what readTips (layout.ts) lists is among them.
 */
async function organisationBranch(git: Git, head: string): Promise<{ branch: string; refs: Map<string, { commit: string; tree: string }> }> {
  const out = (await git.bytes('list-branches', ['for-each-ref', '--format=%(refname) %(objectname) %(tree)', 'refs/heads/', `refs/remotes/${REMOTE_NAME}/`])).toString('utf8');
  const refs = new Map<string, { commit: string; tree: string }>();
  const listed: string[] = [];
  for (const line of out.split('\n')) {
    const [ref, commit, tree] = line.trim().split(' ');
    if (!ref) continue;
    listed.push(ref);
    // A ref at something other than a commit (no tree) is listed, as before, but is no tip.
    if (commit && tree) refs.set(ref, { commit, tree });
  }
  const branchOf = (branch: string) => ({ branch, refs });
  if (listed.includes(`refs/heads/${head}`) || listed.includes(`refs/remotes/${REMOTE_NAME}/${head}`)) return branchOf(head);
  const prefix = `refs/remotes/${REMOTE_NAME}/`;
  const candidates = listed.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length)).filter((b) => b !== 'HEAD' && !b.startsWith('hosts/'));
  if (candidates.includes('main')) return branchOf('main');
  return branchOf(candidates.length === 1 ? candidates[0]! : head);
}

/**
 * git's default syncs neither refs nor loose objects; evidence must survive a power cut (issue 2).
 * Decided on the repository's own config as git.ts's safety check read it (`config`; without it,
 * read here), set only when missing.
 */
async function ensureDurableConfig(git: Git, config: ReadonlyMap<string, readonly string[]> | null): Promise<void> {
  const current = config !== null
    ? [...config].filter(([key]) => key.startsWith('core.fsync')).flatMap(([key, values]) => values.map((v) => `${key} ${v}`)).join('\n')
    : (await git.bytes('read-config', ['config', '--local', '--get-regexp', '^core\\.fsync'], { ok: [0, 1] })).toString('utf8');
  if (!/core\.fsync objects,reference,index/.test(current)) await git.run('set-config', ['config', '--local', 'core.fsync', 'objects,reference,index']);
  if (!/core\.fsyncmethod fsync/.test(current)) await git.run('set-config', ['config', '--local', 'core.fsyncMethod', 'fsync']);
}

/** The identity of commits no named person makes (the initial policy, merges): this account on this host. */
export function defaultSystemAuthor(): Person {
  const user = os.userInfo().username;
  const local = user.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'account';
  const host = os.hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'host';
  // The reserved .invalid domain: a well-formed address that is never a person's mailbox.
  return { name: `${user} on ${os.hostname()}`, email: `${local}@${host}.invalid` };
}

/** git's configured user (user.name and user.email, every scope), or null when either is missing. */
export async function readGitIdentity(git: Git): Promise<Person | null> {
  // Both keys in one git process; core.repositoryformatversion is always set, so git always prints
  // a line (a silent command costs a fixed 50 ms wait in simple-git).
  const out = (await git.run('read-identity', ['config', '--get-regexp', '^(user\\.name|user\\.email|core\\.repositoryformatversion)$'], { ok: [0, 1] })).text();
  // Listed from every scope, system to local: the last one wins, as with `git config --get`.
  const value = (key: string) => out.split('\n').findLast((l) => l.startsWith(`${key} `))?.slice(key.length + 1).trim() ?? '';
  const name = value('user.name');
  const email = value('user.email');
  return name && email ? { name, email } : null;
}
