import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { RemoteTest } from '../../app/contract';
import type { Git } from '../git';
import { urlHasPassword, urlLooksLikeOption } from './remote';
import { classifyRemoteFailure, failureText, reasonLine } from './remoteFailure';

const TIMEOUT_MS = 15_000;

/** Reads a failed remote call as the stage a person can fix. */
function stageOf(e: unknown): RemoteTest {
  const { cause, message } = classifyRemoteFailure(e);
  switch (cause) {
    case 'timeout':
      return { ok: false, stage: 'unreachable', detail: `No answer within ${TIMEOUT_MS / 1000} s: check the address and the network.` };
    case 'auth':
      return { ok: false, stage: 'auth', detail: `The remote refused our credentials (${message}). Set them up in git's credential helper or the ssh agent.` };
    case 'not-a-repository':
      return { ok: false, stage: 'not-a-repository', detail: `Reached, but it is not a git repository (${message}).` };
    case 'unreachable':
    case 'push-rejected':
    case 'unknown':
      return { ok: false, stage: 'unreachable', detail: `Cannot reach the remote (${message || 'no message'}).` };
  }
}

/**
 * "Test connection" (issue 6): reads the remote, then asks it whether a push would be accepted,
 * without changing anything (a dry-run push, and for a folder the file system's own answer).
 */
export async function testRemote(git: Git, url: string): Promise<RemoteTest> {
  if (urlHasPassword(url)) return { ok: false, stage: 'invalid-url', detail: 'The URL contains a password: give it without, and let git\'s credential helper or the ssh agent hold credentials.' };
  // A "URL" starting with "-" would be read by git as an option (`--upload-pack=<command>` runs a command).
  if (urlLooksLikeOption(url)) return { ok: false, stage: 'invalid-url', detail: 'A remote URL cannot start with "-": give an ssh or https URL, or a folder path.' };
  try {
    await git.run('test-remote-read', ['ls-remote', '--heads', '--', url], { timeoutMs: TIMEOUT_MS });
  } catch (e) {
    return stageOf(e);
  }
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^[^/]+@[^:]+:/.test(url);
  if (local || url.startsWith('file://')) {
    const dir = path.resolve(url.replace(/^file:\/\//, ''));
    const target = existsSync(path.join(dir, 'objects')) ? path.join(dir, 'objects') : path.join(dir, '.git', 'objects');
    try {
      accessSync(target, constants.W_OK);
    } catch {
      return { ok: false, stage: 'no-write-access', detail: 'The repository can be read but not written by this account.' };
    }
    return { ok: true, stage: 'reachable', detail: 'Reachable and writable.' };
  }
  // A dry-run push needs a local commit to offer; a failure to find one must not read as "no write access".
  const commit = await localCommit(git);
  if (commit === null) return { ok: true, stage: 'reachable', detail: 'Reachable; write access is checked once this repository has a commit to push.' };
  try {
    await git.run('test-remote-write', ['push', '--dry-run', '--porcelain', '--', url, `${commit}:refs/heads/breakglass-connection-test`], { timeoutMs: TIMEOUT_MS });
  } catch (e) {
    const c = stageOf(e);
    if (c.stage === 'unreachable' || c.stage === 'not-a-repository') return { ok: false, stage: 'no-write-access', detail: `Readable, but a push would be refused (${reasonLine(failureText(e))}).` };
    return c;
  }
  return { ok: true, stage: 'reachable', detail: 'Reachable; a push would be accepted.' };
}

/** A commit of this repository to offer in the dry-run push: HEAD's, else any branch's; null when there is none. */
async function localCommit(git: Git): Promise<string | null> {
  // `rev-parse HEAD` on an unborn branch prints "HEAD" and succeeds: ask for a verified commit.
  const head = (await git.run('test-remote-head', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { ok: [0, 1, 128] })).text().trim();
  if (/^[0-9a-f]{40,64}$/.test(head)) return head;
  const any = (await git.run('test-remote-branch', ['for-each-ref', '--count=1', '--format=%(objectname)', 'refs/heads'])).text().trim();
  return /^[0-9a-f]{40,64}$/.test(any) ? any : null;
}
