import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openContext } from '../main/application/context';
import { verifyRepository, type VerifyMode } from '../main/evidence/verify';
import { GitEvidenceStore } from '../main/evidence/store';
import { nodeHostInfo } from '../main/host/hostInfo';
import { generateLedger } from './generate';
import { editPolicyInBareRepo } from './policy';
import { report, summarise } from './stats';

/**
 * The two verify modes (issue 18), each beside its raw-git floor measured in the same run on the
 * same repository: `verify --full` (and `--full --deep`) against `git rev-list --all`, `git
 * cat-file --batch` of every record, `git fsck --connectivity-only` and `git fsck`; the
 * incremental `verify` after 10 new records against `git rev-list --objects` of the 10 new commits
 * plus `cat-file --batch` of their records. Every verify opens the store afresh, as the CLI does
 * (node's own start-up is not in these figures).
 */

const RUNS = Number(process.env.BENCH_VERIFY_REPS ?? 3);
const ROUNDS = Number(process.env.BENCH_VERIFY_ROUNDS ?? 10);

/** Milliseconds of one raw git command (stdout read whole, as verify reads it). */
function rawGit(gitDir: string, args: string[], input?: string): number {
  const t = performance.now();
  const r = spawnSync('git', args, { cwd: gitDir, input, maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`git ${args[0]} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function lines(gitDir: string, args: string[]): string[] {
  return spawnSync('git', args, { cwd: gitDir, encoding: 'utf8', maxBuffer: 1 << 30 }).stdout.split('\n').filter(Boolean);
}

async function timedVerify(repo: string, mode: VerifyMode, expect: (r: Awaited<ReturnType<typeof verifyRepository>>) => void): Promise<number> {
  const t = performance.now();
  const store = await GitEvidenceStore.open(repo);
  const r = await verifyRepository(store, { mode });
  const ms = performance.now() - t;
  if (!r.ok) throw new Error(`verify (${mode}) failed on the generated repository: ${r.problems[0]?.message}`);
  expect(r);
  return ms;
}

export async function verifyModesBench(sessions: number): Promise<void> {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-verify-'));
  await generateLedger(repo, { sessions });
  // Before any checkpoint: a policy change after one is a change of what is in force (a full verify).
  // The generated sessions carry no commander's acknowledgement: it is optional here, so they are no findings.
  editPolicyInBareRepo(repo, { allowRootOperator: true, acknowledgement: { declared: 'optional', withinMinutes: 15 } });
  const { gitDir } = await GitEvidenceStore.open(repo);
  const records = sessions * 10;
  const label = (what: string) => `${what}, ${records} records`;

  const blobs = [...new Set(lines(gitDir, ['for-each-ref', '--format=%(objectname)', 'refs/heads/']).flatMap((tip) => lines(gitDir, ['ls-tree', '-r', tip, '--', 'sessions', 'journal']).map((l) => l.split(/\s+/)[2]!)))];
  const floors = { revList: [] as number[], catFile: [] as number[], connectivity: [] as number[], fsck: [] as number[] };
  const full: number[] = [];
  const deep: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    full.push(await timedVerify(repo, 'full', (r) => { if (r.mode !== 'full' || r.records < records) throw new Error(`full verify read ${r.records} records in mode ${r.mode}`); }));
    floors.revList.push(rawGit(gitDir, ['rev-list', '--all']));
    floors.catFile.push(rawGit(gitDir, ['cat-file', '--batch', '--buffer'], `${blobs.join('\n')}\n`));
    floors.connectivity.push(rawGit(gitDir, ['fsck', '--connectivity-only', '--no-progress', '--no-dangling']));
  }
  for (let i = 0; i < Math.max(1, Math.floor(RUNS / 2)); i++) {
    deep.push(await timedVerify(repo, 'deep', (r) => { if (r.mode !== 'full+deep') throw new Error(`deep verify ran as ${r.mode}`); }));
    floors.fsck.push(rawGit(gitDir, ['fsck', '--no-progress', '--no-dangling']));
  }
  const floor = summarise(floors.revList.map((v, i) => v + floors.catFile[i]! + floors.connectivity[i]!));
  report(label('raw: git rev-list --all'), summarise(floors.revList), null, 'floor');
  report(label(`raw: git cat-file --batch of ${blobs.length} records`), summarise(floors.catFile), null, 'floor');
  report(label('raw: git fsck --connectivity-only'), summarise(floors.connectivity), null, 'floor');
  report(label('raw: git fsck'), summarise(floors.fsck), null, 'floor');
  report(label('verify --full (vs rev-list + cat-file + fsck --connectivity-only)'), summarise(full), floor, records >= 100_000 ? '≤ 3000 ms' : 'linear');
  report(label('verify --full --deep (vs git fsck)'), summarise(deep), summarise(floors.fsck), 'linear');

  // Incremental: 10 new records written by another process's store, then the routine `verify`.
  const host = nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'bench-live' });
  const writer = await openContext({ repo, host });
  const decl = JSON.parse(spawnSync(process.execPath, [path.resolve('bin/breakglass.js'), '--repo', repo, 'declare', '--template'], { encoding: 'utf8' }).stdout);
  const declared = await writer.service.declare({ ...decl, durationMinutes: 60 });
  await timedVerify(repo, 'incremental', () => undefined); // the checkpoint the rounds go on from
  const incremental: number[] = [];
  const rawIncremental: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = lines(gitDir, ['for-each-ref', '--format=%(objectname)', 'refs/heads/']);
    for (let i = 0; i < 10; i++) await writer.service.note({ sessionId: declared.state.sessionId }, `incremental ${round}-${i}`);
    incremental.push(await timedVerify(repo, 'incremental', (r) => { if (r.mode !== 'incremental' || r.incremental?.commits !== 10) throw new Error(`incremental verify: ${r.mode} ${r.fallback ?? ''} +${r.incremental?.commits}`); }));
    const range = ['--branches', ...before.map((c) => `^${c}`)];
    const added = lines(gitDir, ['log', '--no-renames', '--raw', '--no-abbrev', '--format=', ...range]).map((l) => l.split(/\s+/)[3]!);
    rawIncremental.push(rawGit(gitDir, ['rev-list', '--objects', ...range]) + rawGit(gitDir, ['cat-file', '--batch', '--buffer'], `${added.join('\n')}\n`));
  }
  report(label('verify after 10 new records (incremental; vs rev-list --objects + cat-file of the new)'), summarise(incremental), summarise(rawIncremental), records >= 100_000 ? '≤ 100 ms' : 'linear');
  rmSync(repo, { recursive: true, force: true });
}
