import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateLedger } from './generate';
import { report, summarise, timeN } from './stats';
import { openContext } from '../main/application/context';
import { nodeHostInfo } from '../main/host/hostInfo';
import { verifyRepository } from '../main/evidence/verify';
import { GitEvidenceStore } from '../main/evidence/store';
import { editPolicyInBareRepo } from './policy';
import { verifyModesBench } from './verifyModes';

/**
 * Evidence-core benchmarks (issue 2). Each figure is printed with a baseline measured in the same
 * run on the same repository. Scale with BENCH_SESSIONS (default 10,000 sessions = 100,000 records).
 */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const REPS = Number(process.env.BENCH_REPS ?? 100);
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

function rawFastImport(gitDir: string, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', ['fast-import', '--quiet', '--done', '--date-format=raw'], { cwd: gitDir, stdio: ['pipe', 'ignore', 'inherit'] });
    const body = `{"bench":${i}}\n`;
    const msg = `raw ${i}\n`;
    c.stdin.end(`commit refs/heads/bench-raw\nauthor B <b@example.com> ${Math.floor(Date.now() / 1000)} +0000\ncommitter B <b@example.com> ${Math.floor(Date.now() / 1000)} +0000\ndata ${msg.length}\n${msg}${i > 0 ? 'from refs/heads/bench-raw^0\n' : ''}M 100644 inline raw/${i}.json\ndata ${body.length}\n${body}\ndone\n`);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import ${code}`))));
  });
}

async function appendBench(sessions: number): Promise<{ median: number }> {
  const repo = tmp('bg-bench-append-');
  await generateLedger(repo, { sessions });
  editPolicyInBareRepo(repo, { allowRootOperator: true, extension: undefined });
  const host = nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'bench-live' });
  const ctx = await openContext({ repo, host });
  await ctx.service.read(); // the warm state a running console has
  const decl = JSON.parse(spawnSync(process.execPath, [path.resolve('bin/breakglass.js'), '--repo', repo, 'declare', '--template'], { encoding: 'utf8' }).stdout);
  const declared = await ctx.service.declare({ ...decl, durationMinutes: 60 });
  const sessionId = declared.state.sessionId;
  // Interleave store and baseline so drift on a shared machine hits both alike.
  const store: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < REPS; i++) {
    store.push(...(await timeN(1, () => ctx.service.note({ sessionId }, `bench note ${i}`))));
    raw.push(...(await timeN(1, () => rawFastImport(ctx.store.gitDir, i))));
  }
  const s = summarise(store);
  const b = summarise(raw);
  report(`append one record, ${sessions * 10} records in repo`, s, b, '≤ 1.5× raw fast-import');
  rmSync(repo, { recursive: true, force: true });
  return s;
}

async function loadBench(sessions: number): Promise<void> {
  const repo = tmp('bg-bench-load-');
  await generateLedger(repo, { sessions });
  // The generated sessions carry no commander's acknowledgement: optional here, so the cold verify finds nothing (bench/verifyModes.ts does the same).
  editPolicyInBareRepo(repo, { acknowledgement: { declared: 'optional', withinMinutes: 15 } });
  const coldLoad: number[] = [];
  const coldVerify: number[] = [];
  const runs = Number(process.env.BENCH_LOAD_REPS ?? 3);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const store = await GitEvidenceStore.open(repo);
    const ctx = { store };
    await ctx.store.read();
    coldLoad.push(performance.now() - t0);
    const t1 = performance.now();
    const fresh = await GitEvidenceStore.open(repo);
    const r = await verifyRepository(fresh);
    coldVerify.push(performance.now() - t1);
    if (!r.ok) throw new Error(`verify failed on generated repo: ${r.problems[0]?.message}`);
  }
  report(`cold load of all sessions, ${sessions} sessions / ${sessions * 10} records`, summarise(coldLoad), null, sessions >= 10_000 ? '≤ 1500 ms' : 'linear');
  report(`cold verify, ${sessions} sessions / ${sessions * 10} records`, summarise(coldVerify), null, sessions >= 10_000 ? '≤ 3000 ms' : 'linear');
  // Incremental: 10 new records, then the reload a running console does.
  editPolicyInBareRepo(repo, { allowRootOperator: true });
  const host = nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'bench-live' });
  const ctx = await openContext({ repo, host });
  await ctx.service.read();
  const writer = await openContext({ repo, host });
  const decl = JSON.parse(spawnSync(process.execPath, [path.resolve('bin/breakglass.js'), '--repo', repo, 'declare', '--template'], { encoding: 'utf8' }).stdout);
  const declared = await writer.service.declare({ ...decl, durationMinutes: 60 });
  const incr: number[] = [];
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 10; i++) await writer.service.note({ sessionId: declared.state.sessionId }, `incremental ${round}-${i}`);
    const t = performance.now();
    await ctx.service.sessions();
    incr.push(performance.now() - t);
  }
  report(`incremental reload after 10 new records, ${sessions} sessions`, summarise(incr), null, '≤ 50 ms');
  rmSync(repo, { recursive: true, force: true });
}

async function pushBench(): Promise<void> {
  // The same 1,000-record backlog pushed again and again, each time to a fresh empty remote:
  // through the outbox (fetch + merge + push + bookkeeping) and by a raw `git push`, interleaved.
  const repo = tmp('bg-bench-push-');
  await generateLedger(repo, { sessions: 100 }); // 1,000 records
  const store = await GitEvidenceStore.open(repo);
  const ctx = await openContext({ repo });
  const reps = Number(process.env.BENCH_PUSH_REPS ?? 100);
  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = tmp('bg-bench-remote-a-');
    const b = tmp('bg-bench-remote-b-');
    spawnSync('git', ['init', '--quiet', '--bare', a]);
    spawnSync('git', ['init', '--quiet', '--bare', b]);
    await ctx.remote.set(a);
    spawnSync('git', ['update-ref', '-d', `refs/remotes/origin/${store.branch}`], { cwd: store.gitDir });
    let t = performance.now();
    // The background push the outbox does after each record (push first; fetch + merge only if refused).
    const s = await ctx.outbox.syncOnce({ fetchFirst: false });
    ours.push(performance.now() - t);
    if (s.state !== 'synced') throw new Error(`push failed: ${JSON.stringify(s)}`);
    t = performance.now();
    const r = spawnSync('git', ['push', '--quiet', b, `refs/heads/${store.branch}:refs/heads/${store.branch}`], { cwd: store.gitDir });
    raw.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`raw push failed: ${r.stderr}`);
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
  report('push a backlog of 1,000 records (fetch+merge+push)', summarise(ours), summarise(raw), '≤ 1.5× raw git push');
  rmSync(repo, { recursive: true, force: true });
}

export async function ledgerBenchmarks(): Promise<void> {
  console.log(`# Evidence core (git ${spawnSync('git', ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${os.cpus().length} cores)`);
  if (process.env.BENCH_ONLY_PUSH) return pushBench();
  // Issue 18: the two verify modes beside their raw-git floors (BENCH_ONLY_VERIFY: these alone).
  await verifyModesBench(Math.max(1, Math.round(SESSIONS / 10)));
  await verifyModesBench(SESSIONS);
  if (process.env.BENCH_ONLY_VERIFY) return;
  await appendBench(100);
  await appendBench(SESSIONS);
  await loadBench(Math.max(1, Math.round(SESSIONS / 10)));
  await loadBench(SESSIONS);
  await pushBench();
}
