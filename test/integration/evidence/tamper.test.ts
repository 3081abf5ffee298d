import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSURE, cleanup, declaration, jsonFile, runCli, tempDir } from '../../support/cli';
import { assertCliBuilt, copyOfRepo, gitx, sessionLog, workspace, type LogEntry, type Workspace } from '../../support/lifecycleKit';
import { sealRecord } from '../../../app/ledger';
import type { LedgerEntry } from '../../../app/ports';
import type { EvidenceRecord, UnsealedRecord } from '../../../app/records';
import type { VerifyJson } from '../../support/cliJson';

const ADA = { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada Lovelace', GIT_COMMITTER_EMAIL: 'ada@example.com' };
const MALLORY = { GIT_AUTHOR_NAME: 'Mallory Tamper', GIT_AUTHOR_EMAIL: 'mallory@example.com', GIT_COMMITTER_NAME: 'Mallory Tamper', GIT_COMMITTER_EMAIL: 'mallory@example.com' };

let base: Workspace;
let sessionA = '';
let sessionB = '';
let logA: LogEntry[] = [];
let logB: LogEntry[] = [];
const scratch: string[] = [];

/** A fresh copy of the evidence repository built in beforeAll, for one tampering. */
function copyOfBase(): { dir: string; repo: string; env: NodeJS.ProcessEnv } {
  return copyOfRepo(base.repo, scratch, 'bg-tamper-case-');
}

/** The host's own ref, where its records are (issue 14). */
const OWN = 'refs/heads/hosts/test-host';

/** Tampers through a working clone of the host's own ref: `edit` changes files, the result is committed as `author` and pushed back. */
function tamperViaClone(repo: string, edit: (work: string) => void, author: NodeJS.ProcessEnv = MALLORY): void {
  const work = tempDir('bg-tamper-work-');
  try {
    gitx(work, ['clone', '--quiet', '--branch', 'hosts/test-host', repo, '.']);
    edit(work);
    gitx(work, ['add', '-A']);
    gitx(work, ['commit', '--quiet', '-m', 'fix up evidence'], { env: author });
    gitx(work, ['push', '--quiet', 'origin', `HEAD:${OWN}`]);
  } finally {
    cleanup(work);
  }
}

async function verify(repo: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; report: VerifyJson }> {
  const r = await runCli(['--json', '--repo', repo, 'verify'], { env });
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyJson };
}

/** Asserts that verify named this record (session, seq and path), with a message matching `message`. */
function expectNamed(report: VerifyJson, where: { sessionId: string; seq: number; path: string }, message: RegExp): void {
  const hit = report.problems.find((p) => p.sessionId === where.sessionId && p.seq === where.seq && p.path === where.path && message.test(p.message));
  expect(hit, `no problem for ${where.path} matching ${message}; problems: ${JSON.stringify(report.problems, null, 2)}`).toBeDefined();
}

const recordJson = (r: unknown) => `${JSON.stringify(r, null, 2)}\n`;
const entries = (log: LogEntry[]) => log.map((e) => ({ record: e.record as unknown as EvidenceRecord, commit: e.commit, path: e.path })) as LedgerEntry[];
const where = (e: LogEntry) => ({ sessionId: (e.record as unknown as EvidenceRecord).sessionId, seq: e.seq, path: e.path });

/** A note sealed onto session B's chain after `previous`, as a forger with the code would make it. */
function forgedNote(previous: LogEntry[], text: string): EvidenceRecord {
  const last = previous[previous.length - 1]!.record as unknown as EvidenceRecord;
  return sealRecord(entries(previous), {
    sessionId: last.sessionId, type: 'note', at: new Date().toISOString(), host: last.host, actor: last.actor, redactions: 0, payload: { text },
  } as UnsealedRecord);
}

beforeAll(async () => {
  assertCliBuilt();
  base = await workspace();
  const a = await base.cli(['--json', 'declare', '--file', jsonFile(base.dir, 'a.json', declaration())]);
  expect(a.code, a.stderr).toBe(0);
  sessionA = (JSON.parse(a.stdout) as { sessionId: string }).sessionId;
  expect((await base.cli(['note', 'A: lock holder identified as job 7f3c'])).code).toBe(0);
  expect((await base.cli(['exec', '--', 'sh', '-c', 'echo lock released'], { cwd: base.dir })).code).toBe(0);
  expect((await base.cli(['close', '--file', jsonFile(base.dir, 'closure.json', CLOSURE)])).code).toBe(0);

  const b = await base.cli(['--json', 'declare', '--file', jsonFile(base.dir, 'b.json', declaration({ incidentId: 'INC-22222', environment: 'pre-production' }))]);
  expect(b.code, b.stderr).toBe(0);
  sessionB = (JSON.parse(b.stdout) as { sessionId: string }).sessionId;
  expect((await base.cli(['note', 'B: first observation'])).code).toBe(0);
  expect((await base.cli(['note', 'B: second observation'])).code).toBe(0);

  logA = await sessionLog(base, sessionA);
  logB = await sessionLog(base, sessionB);
  // The command's start is a record of its own, committed before it ran (issue 12 item 7).
  expect(logA.map((e) => e.type)).toEqual(['declared', 'note', 'action-started', 'action', 'closed']);
  expect(logB.map((e) => e.type)).toEqual(['declared', 'note', 'note']);
});

afterAll(() => cleanup(base?.dir, ...scratch));

describe('verify detects tampering with committed evidence', () => {
  it('the untouched repository verifies clean', async () => {
    const { repo, env } = copyOfBase();
    const { code, report } = await verify(repo, env);
    expect(code).toBe(0);
    // Eight records: the command's action-started record comes before its action (issue 12 item 7).
    expect(report).toMatchObject({ ok: true, problems: [], sessions: 2, records: 8 });
  });

  it('(a) a record edited in a later commit', async () => {
    const { repo, env } = copyOfBase();
    const target = logA[1]!;
    tamperViaClone(repo, (work) => {
      const file = path.join(work, target.path);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('job 7f3c');
      writeFileSync(file, text.replace('job 7f3c', 'job 0000'));
    });
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expectNamed(report, where(target), /changed after it was committed/);
    expectNamed(report, where(target), /does not match its hash/);
  });

  it('(b) a record deleted in a later commit', async () => {
    const { repo, env } = copyOfBase();
    const target = logA[1]!;
    tamperViaClone(repo, (work) => rmSync(path.join(work, target.path)));
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expectNamed(report, where(target), /removed/);
    // The gap is visible in the chain too: the following record lost its predecessor.
    expectNamed(report, where(logA[2]!), /gap|chain/i);
  });

  it('(c) two records of one session reordered (contents swapped) in a later commit', async () => {
    const { repo, env } = copyOfBase();
    const [first, second] = [logB[1]!, logB[2]!];
    tamperViaClone(repo, (work) => {
      const f1 = path.join(work, first.path);
      const f2 = path.join(work, second.path);
      const t1 = readFileSync(f1, 'utf8');
      writeFileSync(f1, readFileSync(f2, 'utf8'));
      writeFileSync(f2, t1);
    });
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expectNamed(report, where(first), /changed after it was committed/);
    expectNamed(report, where(second), /changed after it was committed/);
  });

  it('(d) a record inserted between existing ones in a later commit (chain re-sealed, files renumbered)', async () => {
    const { repo, env } = copyOfBase();
    const forged = forgedNote(logB.slice(0, 2), 'B: rollback approved by the CAB');
    const moved = logB[2]!.record as unknown as EvidenceRecord;
    const { seq: _s, hash: _h, prev: _p, v: _v, controls: _c, ...unsealed } = moved;
    const renumbered = sealRecord([...entries(logB.slice(0, 2)), { record: forged, commit: '', path: '' }], unsealed as UnsealedRecord);
    expect(renumbered.seq).toBe(4);
    const renumberedPath = logB[2]!.path.replace('000003-note.json', '000004-note.json');
    tamperViaClone(repo, (work) => {
      writeFileSync(path.join(work, logB[2]!.path), recordJson(forged));
      writeFileSync(path.join(work, renumberedPath), recordJson(renumbered));
    }, ADA);
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    // The chain of records is consistent again; the history shows seq 3 was replaced after it was committed.
    expectNamed(report, where(logB[2]!), /changed after it was committed/);
  });

  it('(e) a rewrite of history that was already pushed', async () => {
    const { dir, repo, env } = copyOfBase();
    const remote = path.join(dir, 'remote.git');
    gitx(dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    expect((await runCli(['--repo', repo, 'remote', 'set', remote], { env })).code).toBe(0);
    const pushed = await runCli(['--json', '--repo', repo, 'push'], { env });
    expect(pushed.code, pushed.stderr).toBe(0);
    const head = gitx(repo, ['rev-parse', OWN]).trim();
    expect(gitx(repo, ['rev-parse', 'refs/remotes/origin/hosts/test-host']).trim()).toBe(head);
    const before = await verify(repo, env);
    expect(before.code).toBe(0);
    expect(before.report.comparedWithRemote).toBe('refs/remotes/origin/hosts/test-host');

    // Rewrite the last pushed commit (session B's seq 3) with an edited, correctly re-sealed record, keeping
    // author and message: the rewritten history is self-consistent, only the pushed copy shows the change.
    const target = logB[2]!;
    expect(target.commit).toBe(head);
    const edited = forgedNote(logB.slice(0, 2), 'B: nothing was changed in production');
    const blob = gitx(repo, ['hash-object', '-w', '--stdin'], { input: recordJson(edited) }).trim();
    const index = path.join(dir, 'rewrite.index');
    const idx = { GIT_INDEX_FILE: index };
    gitx(repo, ['read-tree', head], { env: idx });
    gitx(repo, ['update-index', '--cacheinfo', `100644,${blob},${target.path}`], { env: idx });
    const tree = gitx(repo, ['write-tree'], { env: idx }).trim();
    const [an, ae, ad, cn, ce] = gitx(repo, ['show', '-s', '--format=%an%n%ae%n%ad%n%cn%n%ce', '--date=raw', head]).trim().split('\n');
    const message = gitx(repo, ['show', '-s', '--format=%B', head]);
    const rewritten = gitx(repo, ['commit-tree', tree, '-p', `${head}^`, '-F', '-'], {
      input: message,
      env: { GIT_AUTHOR_NAME: an, GIT_AUTHOR_EMAIL: ae, GIT_AUTHOR_DATE: ad, GIT_COMMITTER_NAME: cn, GIT_COMMITTER_EMAIL: ce },
    }).trim();
    gitx(repo, ['update-ref', OWN, rewritten, head]);

    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expectNamed(report, where(target), /history rewritten/);
  });

  it('(f) a record committed by someone other than its actor', async () => {
    const { repo, env } = copyOfBase();
    const forged = forgedNote(logB, 'B: approved by Ada');
    const forgedPath = logB[2]!.path.replace('000003-note.json', '000004-note.json');
    tamperViaClone(repo, (work) => writeFileSync(path.join(work, forgedPath), recordJson(forged)), MALLORY);
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expectNamed(report, { sessionId: sessionB, seq: 4, path: forgedPath }, /Committed by Mallory Tamper <mallory@example\.com>, but the record names Ada Lovelace/);
  });

  it.each([
    ['the actor\'s name with another e-mail', { ...MALLORY, GIT_AUTHOR_NAME: 'Ada Lovelace' }, 'Ada Lovelace <mallory@example.com>'],
    ['the actor\'s e-mail with another name', { ...MALLORY, GIT_AUTHOR_EMAIL: 'ada@example.com' }, 'Mallory Tamper <ada@example.com>'],
  ])('(f) a record whose commit author is %s', async (_what, author, shown) => {
    const { repo, env } = copyOfBase();
    const forged = forgedNote(logB, 'B: approved by Ada');
    const forgedPath = logB[2]!.path.replace('000003-note.json', '000004-note.json');
    tamperViaClone(repo, (work) => writeFileSync(path.join(work, forgedPath), recordJson(forged)), author);
    expect(gitx(repo, ['log', '-1', '--format=%an <%ae>', OWN]).trim()).toBe(shown);
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expectNamed(report, { sessionId: sessionB, seq: 4, path: forgedPath }, /Committed by .*, but the record names Ada Lovelace/);
  });

  it('a record file that is not valid JSON is reported as unreadable, with its path', async () => {
    const { repo, env } = copyOfBase();
    const badPath = logB[2]!.path.replace('000003-note.json', '000004-note.json');
    tamperViaClone(repo, (work) => {
      mkdirSync(path.dirname(path.join(work, badPath)), { recursive: true });
      writeFileSync(path.join(work, badPath), '{"v": 1, "sessionId": "');
    }, ADA);
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expectNamed(report, { sessionId: sessionB, seq: 4, path: badPath }, /unreadable/i);
  });

  it('a record renamed in a later commit (same content, new path) is reported', async () => {
    const { repo, env } = copyOfBase();
    const target = logA[4]!;
    const renamed = target.path.replace('000005-closed.json', '000006-closed.json');
    tamperViaClone(repo, (work) => renameSync(path.join(work, target.path), path.join(work, renamed)));
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expectNamed(report, where(target), /removed/);
  });
});
