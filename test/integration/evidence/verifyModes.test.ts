import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, declaration, jsonFile, runCli, tempDir } from '../../support/cli';
import { assertCliBuilt, copyOfRepo, gitx, sessionLog, workspace, type LogEntry, type Workspace } from '../../support/lifecycleKit';
import { sealRecord } from '../../../app/ledger';
import type { LedgerEntry } from '../../../app/ports';
import type { EvidenceRecord, UnsealedRecord } from '../../../app/records';
import type { VerifyJson } from '../../support/cliJson';
import type { Envelope, VerifyView } from '../../../app/contract';
import { ConsoleBackend } from '../../../main/console/backend';

/**
 * Issue 18: `verify` goes on from the checkpoint of the last verify (incremental), `verify --full`
 * re-checks everything and never reads it, `--full --deep` adds the full `git fsck`; each report
 * says which produced it. Real repositories made by the real CLI, tampered with real git.
 */

const ADA = { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada Lovelace', GIT_COMMITTER_EMAIL: 'ada@example.com' };
const OWN = 'refs/heads/hosts/test-host';
const CHECKPOINT = 'breakglass-verified';

let base: Workspace;
let sessionId = '';
const scratch: string[] = [];

/** A fresh copy of the repository built in beforeAll (with no checkpoint in it). */
function copyOfBase(): { dir: string; repo: string; env: NodeJS.ProcessEnv } {
  return copyOfRepo(base.repo, scratch, 'bg-verify-modes-');
}

async function verify(repo: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; report: VerifyJson }> {
  const r = await runCli(['--json', '--repo', repo, 'verify', ...args], { env });
  expect(r.stdout, r.stderr).not.toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyJson };
}

async function note(repo: string, env: NodeJS.ProcessEnv, text: string): Promise<void> {
  const r = await runCli(['--repo', repo, 'note', text], { env });
  expect(r.code, r.stderr).toBe(0);
}

/** Commits `files` on the host's own ref through a working clone, as `author`, and pushes them back. */
function commitOnOwnRef(repo: string, files: Record<string, string>, author: NodeJS.ProcessEnv = ADA): void {
  const work = tempDir('bg-verify-modes-work-');
  try {
    gitx(work, ['clone', '--quiet', '--branch', 'hosts/test-host', repo, '.']);
    for (const [p, text] of Object.entries(files)) writeFileSync(path.join(work, p), text);
    gitx(work, ['add', '-A']);
    gitx(work, ['commit', '--quiet', '-m', 'evidence'], { env: author });
    gitx(work, ['push', '--quiet', 'origin', `HEAD:${OWN}`]);
  } finally {
    cleanup(work);
  }
}

const entries = (log: LogEntry[]) => log.map((e) => ({ record: e.record as unknown as EvidenceRecord, commit: e.commit, path: e.path })) as LedgerEntry[];

/** The next note on the session's chain, sealed as the product seals it. */
function nextNote(log: LogEntry[], text: string): EvidenceRecord {
  const last = log[log.length - 1]!.record as unknown as EvidenceRecord;
  return sealRecord(entries(log), { sessionId: last.sessionId, type: 'note', at: new Date().toISOString(), host: last.host, actor: last.actor, redactions: 0, payload: { text } } as UnsealedRecord);
}

const pathOf = (log: LogEntry[], seq: number) => log[0]!.path.replace(/\d{6}-declared\.json$/, `${String(seq).padStart(6, '0')}-note.json`);

/** A session declared through the CLI in `ws`, with three notes: its id. */
async function sessionWithNotes(ws: Workspace): Promise<string> {
  const declared = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'a.json', declaration())]);
  expect(declared.code, declared.stderr).toBe(0);
  for (const text of ['first observation', 'second observation', 'third observation']) await note(ws.repo, ws.env, text);
  return (JSON.parse(declared.stdout) as { sessionId: string }).sessionId;
}

beforeAll(async () => {
  assertCliBuilt();
  base = await workspace();
  sessionId = await sessionWithNotes(base);
});

afterAll(() => cleanup(base?.dir, ...scratch));

describe('verify: incremental from its checkpoint, or full (issue 18)', () => {
  it('goes on from the last verify, re-checks only what was added since, and counts as the full verify does', async () => {
    const { repo, env } = copyOfBase();
    const first = await verify(repo, env);
    expect(first.code).toBe(0);
    expect(first.report.mode).toBe('full');
    expect(first.report.fallback).toMatch(/no checkpoint/);
    expect(existsSync(path.join(repo, CHECKPOINT))).toBe(true);
    const head = gitx(repo, ['rev-parse', OWN]).trim();

    const same = await verify(repo, env);
    expect(same.code).toBe(0);
    expect(same.report).toMatchObject({ mode: 'incremental', incremental: { from: head, commits: 0 }, records: first.report.records, sessions: 1, commitsChecked: first.report.commitsChecked });

    for (let i = 0; i < 3; i++) await note(repo, env, `later observation ${i}`);
    const later = await verify(repo, env);
    expect(later.code, JSON.stringify(later.report.problems)).toBe(0);
    expect(later.report).toMatchObject({ mode: 'incremental', incremental: { from: head, commits: 3 }, records: first.report.records + 3 });
    const full = await verify(repo, env, '--full');
    expect(full.code).toBe(0);
    expect(full.report).toMatchObject({ mode: 'full', records: later.report.records, sessions: later.report.sessions, commitsChecked: later.report.commitsChecked });
    expect(full.report.fallback).toBeUndefined();

    // The human output states the mode.
    const human = await runCli(['--repo', repo, 'verify'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`Mode: incremental from ${gitx(repo, ['rev-parse', OWN]).trim().slice(0, 12)} (+0 commits).`);
    const humanFull = await runCli(['--repo', repo, 'verify', '--full'], { env });
    expect(humanFull.stdout).toMatch(/^Mode: full\.$/m);
  });

  it('still finds a tampered record added after the checkpoint, and keeps finding it (carried forward)', async () => {
    const { repo, env } = copyOfBase();
    expect((await verify(repo, env)).code).toBe(0);
    const log = await sessionLog({ ...base, repo, env, cli: (args) => runCli(['--repo', repo, ...args], { env }) }, sessionId);
    const forged = { ...nextNote(log, 'the change was approved'), payload: { text: 'nothing was changed' } };
    commitOnOwnRef(repo, { [pathOf(log, log.length + 1)]: `${JSON.stringify(forged, null, 2)}\n` });

    const after = await verify(repo, env);
    expect(after.code).toBe(1);
    expect(after.report).toMatchObject({ mode: 'incremental', incremental: { commits: 1 } });
    const named = (r: VerifyJson) => r.problems.filter((p) => p.path === pathOf(log, log.length + 1) && /content does not match its hash/.test(p.message));
    expect(named(after.report)).toHaveLength(1);
    // The full verify finds the same; the next incremental one, with nothing new, still does.
    expect(named((await verify(repo, env, '--full')).report)).toHaveLength(1);
    const again = await verify(repo, env);
    expect(again.code).toBe(1);
    expect(again.report.mode).toBe('incremental');
    expect(named(again.report)).toHaveLength(1);
    expect(named(again.report)[0]!.commit).toBe(named(after.report)[0]!.commit);
  });

  it('names an object of the commits added since that the repository lost (connectivity of the new commits)', async () => {
    const { repo, env } = copyOfBase();
    expect((await verify(repo, env)).code).toBe(0);
    const log = await sessionLog({ ...base, repo, env, cli: (args) => runCli(['--repo', repo, ...args], { env }) }, sessionId);
    const added = pathOf(log, log.length + 1);
    commitOnOwnRef(repo, { [added]: `${JSON.stringify(nextNote(log, 'checked the replica'), null, 2)}\n` });
    // A push this small arrives as loose objects: the new record's blob is one file to lose.
    const blob = gitx(repo, ['rev-parse', `${OWN}:${added}`]).trim();
    const loose = path.join(repo, 'objects', blob.slice(0, 2), blob.slice(2));
    expect(existsSync(loose)).toBe(true);
    chmodSync(loose, 0o644);
    rmSync(loose);

    const after = await verify(repo, env);
    expect(after.code).toBe(1);
    expect(after.report).toMatchObject({ mode: 'incremental', incremental: { commits: 1 } });
    expect(after.report.problems.some((p) => p.message === `Objects of the commits added since the checkpoint are missing: ${blob}.`)).toBe(true);
  });

  it('walks the commits added since: an old record edited in a new commit, and a new record committed by someone else', async () => {
    const { repo, env } = copyOfBase();
    expect((await verify(repo, env)).code).toBe(0);
    const log = await sessionLog({ ...base, repo, env, cli: (args) => runCli(['--repo', repo, ...args], { env }) }, sessionId);
    const edited = { ...(log[1]!.record as unknown as EvidenceRecord), payload: { text: 'edited later' } };
    commitOnOwnRef(repo, { [log[1]!.path]: `${JSON.stringify(edited, null, 2)}\n` });
    const mallory = { GIT_AUTHOR_NAME: 'Mallory Tamper', GIT_AUTHOR_EMAIL: 'mallory@example.com', GIT_COMMITTER_NAME: 'Mallory Tamper', GIT_COMMITTER_EMAIL: 'mallory@example.com' };
    commitOnOwnRef(repo, { [pathOf(log, log.length + 1)]: `${JSON.stringify(nextNote(log, 'a later note'), null, 2)}\n` }, mallory);
    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expect(report).toMatchObject({ mode: 'incremental', incremental: { commits: 2 } });
    expect(report.problems.some((p) => p.path === log[1]!.path && /changed after it was committed/.test(p.message))).toBe(true);
    expect(report.problems.some((p) => p.path === pathOf(log, log.length + 1) && /Committed by Mallory Tamper/.test(p.message))).toBe(true);
    // The full verify agrees on both.
    const full = await verify(repo, env, '--full');
    for (const p of report.problems.filter((x) => x.path !== null)) expect(full.report.problems.some((q) => q.path === p.path && q.message === p.message), p.message).toBe(true);
  });

  it('falls back to a full verify when history before the checkpoint was rebuilt (a record dropped), and reports it', async () => {
    const { repo, env } = copyOfBase();
    expect((await verify(repo, env)).code).toBe(0);
    // Rebuild the host's ref without session's seq 2: every later commit re-made on top of seq 1.
    const commits = gitx(repo, ['rev-list', '--reverse', OWN]).trim().split('\n');
    const log = await sessionLog({ ...base, repo, env, cli: (args) => runCli(['--repo', repo, ...args], { env }) }, sessionId);
    const dropped = log[1]!;
    let parent = gitx(repo, ['rev-parse', `${dropped.commit}^`]).trim();
    for (const c of commits.slice(commits.indexOf(dropped.commit) + 1)) {
      const [an, ae, ad, cn, ce] = gitx(repo, ['show', '-s', '--format=%an%n%ae%n%ad%n%cn%n%ce', '--date=raw', c]).trim().split('\n');
      const tree = gitx(repo, ['rev-parse', `${c}^{tree}`]).trim();
      const index = path.join(repo, 'rebuild.index');
      gitx(repo, ['read-tree', tree], { env: { GIT_INDEX_FILE: index } });
      gitx(repo, ['update-index', '--index-info'], { input: `0 ${'0'.repeat(40)}\t${dropped.path}\n`, env: { GIT_INDEX_FILE: index } });
      const without = gitx(repo, ['write-tree'], { env: { GIT_INDEX_FILE: index } }).trim();
      parent = gitx(repo, ['commit-tree', without, '-p', parent, '-F', '-'], { input: gitx(repo, ['show', '-s', '--format=%B', c]), env: { GIT_AUTHOR_NAME: an, GIT_AUTHOR_EMAIL: ae, GIT_AUTHOR_DATE: ad, GIT_COMMITTER_NAME: cn, GIT_COMMITTER_EMAIL: ce } }).trim();
    }
    gitx(repo, ['update-ref', OWN, parent]);

    const { code, report } = await verify(repo, env);
    expect(code).toBe(1);
    expect(report.mode).toBe('full');
    expect(report.fallback).toMatch(/checkpoint could not be used: refs\/heads\/hosts\/test-host was moved to .* which does not descend from the checkpoint/);
    expect(report.problems.some((p) => p.sessionId === sessionId && /Sequence gap|Chain broken/.test(p.message))).toBe(true);
  });

  it('falls back to a full verify when the ref is reset to an ancestor (records dropped from the tip)', async () => {
    const { repo, env } = copyOfBase();
    expect((await verify(repo, env)).code).toBe(0);
    gitx(repo, ['update-ref', OWN, `${OWN}~1`]);
    const { report } = await verify(repo, env);
    expect(report.mode).toBe('full');
    expect(report.fallback).toMatch(/does not descend from the checkpoint/);
  });

  it('a corrupt or invalid checkpoint file is discarded: the verify is full and says why', async () => {
    const { repo, env } = copyOfBase();
    expect((await verify(repo, env)).code).toBe(0);
    const file = path.join(repo, CHECKPOINT);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.slice(0, Math.floor(good.length / 2)));
    const torn = await verify(repo, env);
    expect(torn.code).toBe(0);
    expect(torn.report).toMatchObject({ mode: 'full', fallback: expect.stringMatching(/not valid JSON/) });
    // The full verify wrote a fresh checkpoint; one whose fields were edited is no checkpoint either.
    expect((await verify(repo, env)).report.mode).toBe('incremental');
    const edited = JSON.parse(readFileSync(file, 'utf8')) as { tips: Array<{ commit: string }> };
    edited.tips[0]!.commit = 'not a commit';
    writeFileSync(file, JSON.stringify(edited));
    expect((await verify(repo, env)).report).toMatchObject({ mode: 'full', fallback: expect.stringMatching(/not a valid checkpoint/) });
    // A different pinned anchor is not the checkpoint's either.
    const pinned = await verify(repo, env, '--anchor', gitx(repo, ['rev-parse', OWN]).trim());
    expect(pinned.report.mode).toBe('full');
    expect(pinned.report.fallback).toMatch(/trust anchor/);
  });

  it('the console\'s verify is the incremental one and says so', async () => {
    const { dir, repo, env } = copyOfBase();
    const backend = await ConsoleBackend.create({ repo, env: { ...env, BREAKGLASS_DATA_DIR: path.join(dir, 'console-data') } });
    try {
      const value = (r: Envelope<unknown>) => {
        if (!r.ok) throw new Error(r.error.message);
        return r.value as VerifyView;
      };
      const first = value(await backend.dispatch('ledger.verify', {}));
      expect(first).toMatchObject({ ok: true, mode: 'full', modeText: expect.stringMatching(/^full \(there is no checkpoint/) });
      await note(repo, env, 'seen by the console');
      const second = value(await backend.dispatch('ledger.verify', {}));
      expect(second).toMatchObject({ ok: true, mode: 'incremental', modeText: expect.stringMatching(/^incremental from [0-9a-f]{12} \(\+1 commit\)$/) });
    } finally {
      backend.stop();
    }
  });

  it('--full never reads the checkpoint, and --full --deep runs the full git fsck (a corrupt blob only it finds)', async () => {
    const { repo, env } = copyOfBase();
    expect((await verify(repo, env)).code).toBe(0);
    // A checkpoint claiming a finding: the incremental verify carries it; --full does not read it.
    const file = path.join(repo, CHECKPOINT);
    const cp = JSON.parse(readFileSync(file, 'utf8')) as { problems: unknown[] };
    cp.problems.push({ problem: { sessionId: null, seq: null, path: null, commit: null, message: 'planted in the checkpoint' }, session: false });
    writeFileSync(file, JSON.stringify(cp));
    expect((await verify(repo, env)).report.problems.map((p) => p.message)).toContain('planted in the checkpoint');
    const full = await verify(repo, env, '--full');
    expect(full.code).toBe(0);
    expect(full.report.mode).toBe('full');

    // README.md's blob rewritten in place with other content: its id no longer names it. Only hashing finds that.
    const blob = gitx(repo, ['rev-parse', 'main:README.md']).trim();
    const loose = path.join(repo, 'objects', blob.slice(0, 2), blob.slice(2));
    expect(existsSync(loose)).toBe(true);
    const body = Buffer.from('tampered readme\n');
    chmodSync(loose, 0o644);
    writeFileSync(loose, deflateSync(Buffer.concat([Buffer.from(`blob ${body.length}\0`), body])));
    const connectivity = await verify(repo, env, '--full');
    expect(connectivity.code).toBe(0);
    expect(connectivity.report.mode).toBe('full');
    const deep = await verify(repo, env, '--full', '--deep');
    expect(deep.code).toBe(1);
    expect(deep.report.mode).toBe('full+deep');
    expect(deep.report.problems.some((p) => /git fsck reports damage/.test(p.message))).toBe(true);
    const human = await runCli(['--repo', repo, 'verify', '--full', '--deep'], { env });
    expect(human.stdout).toMatch(/^Mode: full\+deep\.$/m);
    // --deep alone is refused: it goes with --full.
    const alone = await runCli(['--repo', repo, 'verify', '--deep'], { env });
    expect(alone.code).not.toBe(0);
    expect(alone.stderr).toMatch(/--deep goes with --full/);
  });
});
