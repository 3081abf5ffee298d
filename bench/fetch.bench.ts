import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConsoleBackend } from '../main/console/backend';
import { openContext } from '../main/application/context';
import { nodeHostInfo } from '../main/host/hostInfo';
import { toSessionView, type BoardData, type SyncStatus } from '../app/views';
import { sessionStatesAt } from '../app/ledger';
import { generateLedger } from './generate';
import { editPolicyInBareRepo } from './policy';
import { report, summarise, unwrap } from './stats';

/**
 * Incremental fetch to the commander's board (issue 6, third benchmark). A shared remote of
 * BENCH_SESSIONS (10,000) sessions / 100,000 records, generated once and cloned three times:
 *   - the console's clone, opened by a ConsoleBackend (observer, as on the commander's machine)
 *     that has already shown the board once (the warm state of an open board);
 *   - an identical clone for the baseline;
 *   - a writer clone, another host that appends 10 records and pushes them before each round.
 * Each round times `sync.fetch` + `board.get` through `dispatch` (fetch, fast-forward, re-read,
 * 10,000 rows derived) against a raw `git fetch` of the same 10 commits into the identical clone,
 * interleaved, the order alternating. Target: ≤ 2× the raw fetch. Then one more series breaks the
 * console's figure down by phase, so a miss says where the time goes.
 */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const REPS = Math.max(20, Number(process.env.BENCH_FETCH_REPS ?? 30));
const NEW_RECORDS = 10;

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

function gitSync(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A raw `git fetch` as a child process, awaited the way the product awaits its git (spawn, close). */
function rawFetch(repo: string, remote: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The same refs the console fetches: the organisation branch and every host's ref (issue 14).
    const c = spawn('git', ['fetch', '--quiet', '--no-tags', remote, '+refs/heads/main:refs/remotes/origin/main', '+refs/heads/hosts/*:refs/remotes/origin/hosts/*'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`raw fetch exited ${code}: ${err}`))));
  });
}

/** Wraps `obj[name]` (an async method) to add its duration to `into` on every call. */
function timeMethod(obj: object, name: string, into: number[]): void {
  const target = obj as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const original = target[name]!.bind(obj);
  target[name] = async (...a: unknown[]) => {
    const t = performance.now();
    try {
      return await original(...a);
    } finally {
      into.push(performance.now() - t);
    }
  };
}

export async function fetchBenchmarks(): Promise<void> {
  console.log(`# Incremental fetch to the board (git ${gitSync(process.cwd(), ['--version'])}, ${os.cpus().length} cores)`);
  const base = tmp('bg-bench-fetch-');
  // BENCH_FETCH_ORIGIN keeps the generated remote between runs (generation takes about a minute).
  const keep = process.env.BENCH_FETCH_ORIGIN;
  const origin = keep ? path.resolve(keep) : path.join(base, 'origin.git');
  if (!keep || !existsSync(origin)) {
    const t0 = performance.now();
    const generated = await generateLedger(origin, { sessions: SESSIONS });
    // The writer host declares as root on CI: the organisation's policy allows it.
    editPolicyInBareRepo(origin, { allowRootOperator: true });
    console.log(`  generated ${SESSIONS} sessions / ${generated.records} records in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const consoleRepo = path.join(base, 'console.git');
  const rawRepo = path.join(base, 'raw.git');
  const writerRepo = path.join(base, 'writer.git');
  for (const r of [consoleRepo, rawRepo, writerRepo]) gitSync(base, ['clone', '--quiet', '--bare', origin, r]);
  gitSync(rawRepo, ['update-ref', 'refs/remotes/origin/main', 'main']);

  const env = { ...process.env, BREAKGLASS_DATA_DIR: path.join(base, 'data-console'), BREAKGLASS_HOST_ID: 'commander' };
  const backend = await ConsoleBackend.create({ repo: consoleRepo, env, observer: true });
  // Started, as the console is: its tick re-reads for other writers and sends the home snapshot.
  await backend.start();
  // One writer host per run: a kept origin holds earlier runs' (still active) sessions.
  const writer = await openContext({ repo: writerRepo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: `bench-writer-${process.pid}` }) });
  const template = JSON.parse(spawnSync(process.execPath, [path.resolve('bin/breakglass.js'), '--repo', writerRepo, 'declare', '--template'], { encoding: 'utf8' }).stdout);
  const declared = await writer.service.declare({ ...template, durationMinutes: 60 });
  const sessionId = declared.state.sessionId;
  await writer.outbox.syncOnce({ fetchFirst: false });

  // The open board: fetched once and shown once (caches warm, as on the commander's screen).
  unwrap<SyncStatus>(await backend.dispatch('sync.fetch', {}), 'sync.fetch');
  const first = unwrap<BoardData>(await backend.dispatch('board.get', {}), 'board.get');
  await rawFetch(rawRepo, origin);
  const rowsNow = first.rows.length - 1; // the writer's session is one of them
  if (rowsNow < 1 || (!keep && rowsNow !== SESSIONS)) throw new Error(`board shows ${first.rows.length} rows, expected ${SESSIONS + 1}`);

  let round = 0;
  /** Another host appends 10 records and pushes them (not timed). */
  const appendAndPush = async () => {
    round += 1;
    for (let i = 0; i < NEW_RECORDS; i++) await writer.service.note({ sessionId }, `bench round ${round} note ${i}`);
    const s = await writer.outbox.syncOnce({ fetchFirst: false });
    if (s.state !== 'synced') throw new Error(`writer push: ${JSON.stringify(s)}`);
  };
  const timedConsole = async (): Promise<number> => {
    const t = performance.now();
    const s = unwrap<SyncStatus>(await backend.dispatch('sync.fetch', {}), 'sync.fetch');
    const b = unwrap<BoardData>(await backend.dispatch('board.get', {}), 'board.get');
    const ms = performance.now() - t;
    if (s.state !== 'ok') throw new Error(`sync.fetch: ${JSON.stringify(s)}`);
    const row = b.rows.find((r) => r.sessionId === sessionId);
    if (row?.lastAction?.summary !== `bench round ${round} note ${NEW_RECORDS - 1}`) throw new Error(`the board does not show round ${round}'s records: ${row?.lastAction?.summary}`);
    return ms;
  };
  const timedRaw = async (): Promise<number> => {
    const t = performance.now();
    await rawFetch(rawRepo, origin);
    return performance.now() - t;
  };

  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < REPS; i++) {
    await appendAndPush();
    if (i % 2 === 0) {
      ours.push(await timedConsole());
      raw.push(await timedRaw());
    } else {
      raw.push(await timedRaw());
      ours.push(await timedConsole());
    }
  }
  if (gitSync(rawRepo, ['rev-parse', 'refs/remotes/origin/main']) !== gitSync(consoleRepo, ['rev-parse', 'main'])) throw new Error('the two clones diverged');
  const s = summarise(ours);
  const b = summarise(raw);
  report(`fetch ${NEW_RECORDS} new records to the board, ${SESSIONS} sessions`, s, b, '≤ 2× raw git fetch');

  // Where the console's time goes: the same rounds again, with each phase timed.
  const phases = {
    gitFetch: [] as number[], merge: [] as number[], persist: [] as number[], onMerged: [] as number[],
    syncFetch: [] as number[], boardGet: [] as number[], statusAfter: [] as number[], rows: [] as number[],
  };
  timeMethod(backend.ctx.store, 'takeFetched', phases.merge);
  timeMethod(backend.ctx.outbox.state, 'update', phases.persist);
  // The fetch command alone: Git.run calls whose caller is 'fetch-remote'.
  const byCaller: Record<string, number[]> = {};
  let measuring = false;
  const gitRun = (backend.ctx.store.git as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>);
  const run = gitRun.run!.bind(backend.ctx.store.git);
  gitRun.run = async (...a: unknown[]) => {
    const t = performance.now();
    try {
      return await run(...a);
    } finally {
      const ms = performance.now() - t;
      if (a[0] === 'fetch-remote') phases.gitFetch.push(ms);
      if (measuring) (byCaller[a[0] as string] ??= []).push(ms);
    }
  };
  const schedule = backend.fetches as unknown as { options: { onMerged: (...a: unknown[]) => Promise<void> } };
  timeMethod(schedule.options, 'onMerged', phases.onMerged);
  timeMethod(backend.fetches, 'status', phases.statusAfter);
  const breakdownReps = Math.max(20, Math.round(REPS / 2));
  for (let i = 0; i < breakdownReps; i++) {
    await appendAndPush();
    await rawFetch(rawRepo, origin);
    measuring = true;
    let t = performance.now();
    unwrap<SyncStatus>(await backend.dispatch('sync.fetch', {}), 'sync.fetch');
    phases.syncFetch.push(performance.now() - t);
    t = performance.now();
    unwrap<BoardData>(await backend.dispatch('board.get', {}), 'board.get');
    phases.boardGet.push(performance.now() - t);
    measuring = false;
    const view = await backend.ctx.service.read();
    t = performance.now();
    sessionStatesAt(view, Date.now()).map((st) => toSessionView(st, 'commander'));
    phases.rows.push(performance.now() - t);
  }
  console.log('  breakdown of the console\'s figure (each phase on its own, same rounds):');
  report('  sync.fetch (whole call)', summarise(phases.syncFetch), null, '');
  report('    git fetch inside it (simple-git)', summarise(phases.gitFetch), null, '');
  report('    takeFetched (refresh over every host ref)', summarise(phases.merge), null, '');
  report('    status file writes', summarise(phases.persist), null, '');
  report('    onMerged (re-read + state.changed snapshot)', summarise(phases.onMerged), null, '');
  report('  board.get (10k rows derived)', summarise(phases.boardGet), null, '');
  report('    of which deriving the rows (JS only)', summarise(phases.rows), null, '');
  report('  SyncStatus reads (per call, all phases)', summarise(phases.statusAfter), null, '');
  // Every git process the console ran for sync.fetch + board.get, by caller (the tick's included).
  console.log('  git processes per round (sync.fetch + board.get), median ms each:');
  for (const [caller, ms] of Object.entries(byCaller).sort((x, y) => y[1].reduce((p, q) => p + q, 0) - x[1].reduce((p, q) => p + q, 0))) {
    console.log(`    ${caller.padEnd(24)} ${(ms.length / breakdownReps).toFixed(1).padStart(5)} per round  median ${summarise(ms).median.toFixed(1).padStart(7)} ms`);
  }

  backend.stop();
  writer.outbox.stop();
  rmSync(base, { recursive: true, force: true });
}
