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
  // The git dir and the object format in one process; a git too old for --show-object-format (or
  // no repository here) answers it with an error, and the two are asked apart, as before.
  let gitDir: string;
  let formatLine: string | undefined;
  try {
    const both = await git.run('open-repository', ['rev-parse', '--absolute-git-dir', '--show-object-format'], { ok: [0, 128, 129] });
    const lines = both.exitCode === 0 ? both.text().trim().split('\n') : [];
    formatLine = lines[1];
    gitDir = lines[0] || (await git.text('open-repository', ['rev-parse', '--absolute-git-dir']));
  } catch (e) {
    if (e instanceof BreakGlassError) throw e;
    if (e instanceof GitFailure && /dubious ownership/.test(e.stderr)) {
      const asRoot = process.getuid?.() === 0 ? 'You are running as root (uid 0) and ' : '';
      throw new BreakGlassError('refused', `${asRoot}git refuses the evidence repository at ${abs} because it belongs to another user account. Log in with your own named account that owns it.`, { cause: e });
    }
    throw new BreakGlassError('invalid-input', `${abs} is not a git repository. Point --repo at an evidence repository (or an empty folder to create one).`, { cause: e });
  }
  const branch = await organisationBranch(git);
  if (!readOnly) await ensureDurableConfig(git);
  const format = formatLine ?? (await git.run('object-format', ['rev-parse', '--show-object-format'], { ok: [0, 128] })).text().trim();
  return { dir: abs, gitDir, branch, git, objectFormat: format === 'sha256' ? 'sha256' : 'sha1', created };
}

/**
 * The organisation branch's name (issue 12 item 1): the branch HEAD names when it exists, here or
 * as the configured remote's tracking ref. A plain `git clone` of a remote whose HEAD names a branch
 * that does not exist (`git init --bare` says master; the console pushes main) has no local branch
 * at all: then the remote's branch is found among `refs/remotes/origin/*` (main first, else the only
 * one). Other remotes never count (issue 12 item 4).
 */
async function organisationBranch(git: Git): Promise<string> {
  const head = (await git.run('current-branch', ['symbolic-ref', '--quiet', '--short', 'HEAD'], { ok: [0, 1] })).text().trim() || 'main';
  const listed = (await git.text('list-branches', ['for-each-ref', '--format=%(refname)', `refs/heads/${head}`, `refs/remotes/${REMOTE_NAME}/`])).split('\n').filter(Boolean);
  if (listed.includes(`refs/heads/${head}`) || listed.includes(`refs/remotes/${REMOTE_NAME}/${head}`)) return head;
  const prefix = `refs/remotes/${REMOTE_NAME}/`;
  const candidates = listed.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length)).filter((b) => b !== 'HEAD' && !b.startsWith('hosts/'));
  if (candidates.includes('main')) return 'main';
  return candidates.length === 1 ? candidates[0]! : head;
}

/** git's default syncs neither refs nor loose objects; evidence must survive a power cut (issue 2). */
async function ensureDurableConfig(git: Git): Promise<void> {
  const current = (await git.run('read-config', ['config', '--local', '--get-regexp', '^core\\.fsync'], { ok: [0, 1] })).text();
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
