import { mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Git, GitFailure } from '../../../main/git';
import { syncFailureOf } from '../../../main/sync/outbox';
import { classifyRemoteFailure, isLostPushRace, isMissingRemoteBranch, reasonLine } from '../../../main/sync/remoteFailure';
import { testRemote } from '../../../main/sync/remoteTest';
import { freePort, silentServer } from '../../support/gitDaemon';
import { scratchFolder } from '../../support/scratch';

/**
 * The one reading of git's remote failures (main/sync/remoteFailure.ts, issue 11), shared by
 * "Test connection" and the outbox: real failures of real git where this machine can make them
 * (a refused port, a folder that is no repository, a server that never answers, an empty remote),
 * git's own messages for what it cannot (ssh and https servers), and what each caller makes of it.
 */

const { dir: tmp, fresh } = scratchFolder('bg-remote-failure-');

function bareRepo(): string {
  const dir = fresh('repo.git');
  const r = spawnSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return dir;
}

/** What a failed `git ls-remote URL` threw. */
async function lsRemoteFailure(url: string, timeoutMs = 10_000): Promise<GitFailure> {
  const e = await new Git(tmp).run('test-ls-remote', ['ls-remote', '--heads', '--', url], { timeoutMs }).catch((x: unknown) => x);
  if (!(e instanceof GitFailure)) throw new Error(`expected a GitFailure, got ${String(e)}`);
  return e;
}

/** A GitFailure carrying git's message as a server we cannot run here would make it print. */
const failure = (stderr: string) => new GitFailure('test', ['push'], 128, stderr);

describe('real failures of real git', () => {
  it('a port where nothing listens: unreachable; the outbox waits (offline), the test says unreachable', async () => {
    const url = `git://127.0.0.1:${await freePort()}/evidence.git`;
    const f = classifyRemoteFailure(await lsRemoteFailure(url));
    expect(f.cause).toBe('unreachable');
    expect(f.message).toMatch(/^fatal: unable to connect to 127\.0\.0\.1: .*Connection refused/);
    expect(syncFailureOf(f)).toEqual({ kind: 'offline', reason: f.message.replace(/^fatal: /, '') });
    expect(await testRemote(new Git(tmp), url)).toEqual({ ok: false, stage: 'unreachable', detail: `Cannot reach the remote (${f.message}).` });
  });

  it('a folder that is not a repository: the outbox reports a rejection, the test says not a repository', async () => {
    const empty = fresh('empty');
    mkdirSync(empty);
    const f = classifyRemoteFailure(await lsRemoteFailure(empty));
    expect(f).toEqual({ cause: 'not-a-repository', message: `fatal: '${empty}' does not appear to be a git repository` });
    expect(syncFailureOf(f)).toEqual({ kind: 'rejected', reason: `the remote is not a git repository (${f.message})` });
    expect(await testRemote(new Git(tmp), empty)).toMatchObject({ ok: false, stage: 'not-a-repository', detail: expect.stringContaining('does not appear to be a git repository') });
  });

  it('a server that accepts and never answers: a timeout', async () => {
    const silent = await silentServer();
    try {
      const f = classifyRemoteFailure(await lsRemoteFailure(`git://127.0.0.1:${silent.port}/evidence.git`, 1_500));
      expect(f.cause).toBe('timeout');
      expect(syncFailureOf(f)).toEqual({ kind: 'offline', reason: 'the remote did not answer in time' });
    } finally {
      await silent.close();
    }
  });

  it('an empty remote has no branch to fetch yet (not a failure)', async () => {
    const remote = bareRepo();
    const local = bareRepo();
    const e = await new Git(local).run('test-fetch', ['fetch', remote, '+refs/heads/main:refs/remotes/origin/main']).catch((x: unknown) => x);
    expect(isMissingRemoteBranch(e)).toBe(true);
    expect(isMissingRemoteBranch(new Error("couldn't find remote ref main"))).toBe(false);
  });

  it('"Test connection" on a writable bare repository at a path: reachable, and refuses URLs git must not see', async () => {
    const git = new Git(tmp);
    expect(await testRemote(git, bareRepo())).toEqual({ ok: true, stage: 'reachable', detail: 'Reachable and writable.' });
    expect(await testRemote(git, 'https://ada:hunter2@git.example.com/sec/evidence.git')).toMatchObject({ ok: false, stage: 'invalid-url' });
    expect(await testRemote(git, '--upload-pack=touch /tmp/x')).toMatchObject({ ok: false, stage: 'invalid-url' });
  });
});

describe('git\'s messages from servers this machine cannot run', () => {
  const cases: Array<[string, string, ReturnType<typeof classifyRemoteFailure>['cause']]> = [
    ['ssh key refused', 'git@git.example.com: Permission denied (publickey).\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n', 'auth'],
    ['ssh host unknown', 'ssh: Could not resolve hostname git.example.invalid: Name or service not known\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n', 'unreachable'],
    ['https forbidden', "remote: Permission to sec/evidence.git denied to ada.\nfatal: unable to access 'https://git.example.com/sec/evidence.git/': The requested URL returned error: 403\n", 'auth'],
    ['https no credentials', "fatal: could not read Username for 'https://git.example.com': terminal prompts disabled\n", 'auth'],
    ['https not found', "remote: Repository not found.\nfatal: repository 'https://git.example.com/sec/evidence.git/' not found\n", 'not-a-repository'],
    ['daemon not exported', 'fatal: remote error: access denied or repository not exported: /evidence.git\n', 'not-a-repository'],
    ['http connect refused on a port with 401 in it', "fatal: unable to access 'http://127.0.0.1:40137/x.git/': Failed to connect to 127.0.0.1 port 40137 after 0 ms: Couldn't connect to server\n", 'unreachable'],
    ['hook declined', 'To /srv/evidence.git\n ! [remote rejected] main -> main (pre-receive hook declined)\nerror: failed to push some refs to \'/srv/evidence.git\'\n', 'push-rejected'],
    ['something else', 'fatal: the remote end hung up unexpectedly\n', 'unknown'],
  ];
  for (const [what, stderr, cause] of cases) {
    it(`${what}: ${cause}`, () => {
      expect(classifyRemoteFailure(failure(stderr)).cause).toBe(cause);
    });
  }

  it('the outbox makes a refusal of credentials or of the push a rejection, anything unknown a passing outage', () => {
    const ssh = classifyRemoteFailure(failure(cases[0]![1]));
    expect(syncFailureOf(ssh)).toEqual({ kind: 'rejected', reason: 'the remote refused our credentials (git@git.example.com: Permission denied (publickey).)' });
    const hook = classifyRemoteFailure(failure(cases[7]![1]));
    expect(syncFailureOf(hook)).toEqual({ kind: 'rejected', reason: 'the remote rejected the push ([remote rejected] main -> main (pre-receive hook declined))' });
    expect(syncFailureOf(classifyRemoteFailure(failure(cases[8]![1])))).toEqual({ kind: 'offline', reason: 'the remote end hung up unexpectedly' });
  });
});

describe('the reason line', () => {
  it('skips progress chatter and git\'s closing boilerplate, and joins a reason git split over two lines', () => {
    expect(reasonLine('Looking up 127.0.0.1 ... done.\nConnecting to 127.0.0.1 (port 9418) ... fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused\n'))
      .toBe('fatal: unable to connect to 127.0.0.1: 127.0.0.1[0: 127.0.0.1]: errno=Connection refused');
    expect(reasonLine('ssh: connect to host git.example.com port 22: Connection refused\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n'))
      .toBe('ssh: connect to host git.example.com port 22: Connection refused');
  });

  it('is bounded', () => {
    const line = reasonLine(`fatal: ${'x'.repeat(1_000)}`);
    expect(line).toHaveLength(300);
    expect(line.endsWith('…')).toBe(true);
  });

  it('tells a push that lost the race (fetch, merge, retry) from a refusal', () => {
    expect(isLostPushRace('To /srv/evidence.git\n ! [rejected]        main -> main (fetch first)\n')).toBe(true);
    expect(isLostPushRace('!\trefs/heads/main:refs/heads/main\t[remote rejected] (failed to update ref)\n')).toBe(true);
    expect(isLostPushRace('!\trefs/heads/main:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n')).toBe(false);
  });
});
