import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { RemoteTest } from '../app/contract';
import { Git, GitFailure } from './git';
import { urlHasPassword } from './outbox';

const TIMEOUT_MS = 15_000;

/** Reads a git failure as the stage a person can fix. */
function classify(e: unknown): RemoteTest {
  const text = e instanceof GitFailure ? e.stderr : String(e);
  const line = text.trim().split('\n').find((l) => l.trim()) ?? '';
  if (e instanceof GitFailure && e.exitCode === null) return { ok: false, stage: 'unreachable', detail: `No answer within ${TIMEOUT_MS / 1000} s: check the address and the network.` };
  if (/Authentication failed|Permission denied \(publickey|could not read Username|403|401/i.test(text)) return { ok: false, stage: 'auth', detail: `The remote refused our credentials (${line}). Set them up in git's credential helper or the ssh agent.` };
  if (/does not appear to be a git repository|not a git repository|repository .* not found|not exported|No such file or directory/i.test(text)) return { ok: false, stage: 'not-a-repository', detail: `Reached, but it is not a git repository (${line}).` };
  return { ok: false, stage: 'unreachable', detail: `Cannot reach the remote (${line || 'no message'}).` };
}

/**
 * "Test connection" (issue 6): reads the remote, then asks it whether a push would be accepted,
 * without changing anything (a dry-run push, and for a folder the file system's own answer).
 */
export async function testRemote(git: Git, url: string): Promise<RemoteTest> {
  if (urlHasPassword(url)) return { ok: false, stage: 'invalid-url', detail: 'The URL contains a password: give it without, and let git\'s credential helper or the ssh agent hold credentials.' };
  try {
    await git.run('test-remote-read', ['ls-remote', '--heads', url], { timeoutMs: TIMEOUT_MS });
  } catch (e) {
    return classify(e);
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
  try {
    const head = await git.text('test-remote-head', ['rev-parse', 'HEAD']);
    await git.run('test-remote-write', ['push', '--dry-run', '--porcelain', url, `${head}:refs/heads/breakglass-connection-test`], { timeoutMs: TIMEOUT_MS });
  } catch (e) {
    const c = classify(e);
    if (c.stage === 'unreachable' || c.stage === 'not-a-repository') return { ok: false, stage: 'no-write-access', detail: `Readable, but a push would be refused (${(e as GitFailure).stderr?.trim().split('\n')[0] ?? ''}).` };
    return c;
  }
  return { ok: true, stage: 'reachable', detail: 'Reachable; a push would be accepted.' };
}
