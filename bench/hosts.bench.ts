import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openContext, type ConsoleContext } from '../main/application/context';
import { GitEvidenceStore } from '../main/evidence/store';
import { nodeHostInfo } from '../main/host/hostInfo';
import { CLOSURE, allowRoot, declaration } from '../test/support/cli';
import { ConsoleBackend } from '../main/console/backend';
import type { BoardData } from '../app/views';
import { inTurn, report, summarise, unwrap } from './stats';
import { GitDaemon } from '../test/support/gitDaemon';

/**
 * Many hosts, one remote (issue 14): N hosts (separate repositories, one host id each), each with
 * 10 records written since its last push, push at the same moment to one `git daemon` on
 * 127.0.0.1. Printed per N: failed pushes, records that did not reach the remote, time until every
 * record had arrived, and one host's push time (goal: the 20-other-host figure ≤ 1.5× the
 * 1-other-host one; no failure, nothing lost). Beside it, measured in the same run through the same
 * daemon: a lone raw `git push` of the same 10 commits, and the same N hosts' refs pushed by raw
 * git all at once. Both baselines push to a copy of the remote as it was before the timed push, so
 * raw git sends exactly the objects ours sends. Every push of a series is timed from one common
 * start, so a push that waits for the ones spawned before it pays for that in both series alike.
 * Each N runs BENCH_HOSTS_REPS (5) times over the same records (the remote and the hosts' tracking
 * refs restored each time), ours and raw alternating which goes first.
 */
const RECORDS = 10;
const REPS = Math.max(1, Number(process.env.BENCH_HOSTS_REPS ?? 5));

/** A git command as a child process, timed from `start` (the series' common start) to its close. */
function timedGit(cwd: string, args: string[], start: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`git ${args[0]} exited ${code}: ${err}`))));
  });
}

function git(cwd: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs `fn` over a new organisation remote (`org.git`, root allowed to declare) served by git daemon; removes it all after. */
async function withOrgRemote<T>(prefix: string, fn: (r: { base: string; org: string; url: string; daemon: GitDaemon }) => Promise<T>): Promise<T> {
  const base = mkdtempSync(path.join(os.tmpdir(), prefix));
  const org = path.join(base, 'org.git');
  await GitEvidenceStore.open(org, { create: true });
  allowRoot(org);
  const daemon = await GitDaemon.start(base);
  try {
    return await fn({ base, org, url: daemon.url('org.git'), daemon });
  } finally {
    await daemon.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

/** A host: a bare clone of the remote with its own host id, opened as the console opens it. */
async function openHost(base: string, url: string, id: string): Promise<ConsoleContext> {
  const repo = path.join(base, id);
  git(base, ['clone', '--quiet', '--bare', url, repo]);
  return openContext({ repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: id }) });
}

/**
 * A host as it is between two pushes: it has pushed before (its first record, the session's
 * declaration), so it knows what the remote has; then it writes RECORDS more, not yet pushed.
 */
async function hostWithBacklog(base: string, url: string, id: string): Promise<ConsoleContext> {
  const ctx = await openHost(base, url, id);
  const d = await ctx.service.declare(declaration());
  const s = await ctx.outbox.syncOnce({ fetchFirst: false });
  if (s.state !== 'synced') throw new Error(`${id}'s first push: ${JSON.stringify(s)}`);
  for (let i = 1; i <= RECORDS; i++) await ctx.service.note({ sessionId: d.state.sessionId }, `note ${i}`);
  return ctx;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/** A copy of the remote as it is now (the same objects and refs), under `base`. */
function copyOf(base: string, pristine: string, name: string): string {
  const to = path.join(base, name);
  rmSync(to, { recursive: true, force: true });
  cpSync(pristine, to, { recursive: true });
  return to;
}

interface Round { failed: number; lost: number; allArrivedMs: number; medianPushMs: number; slowestPushMs: number; rawMs: number; rawConcurrentMedianMs: number }

async function round(n: number): Promise<Round> {
  return withOrgRemote('bg-bench-hosts-', async ({ base, org, daemon }) => {
    const hosts: ConsoleContext[] = [];
    for (let i = 0; i < n; i++) hosts.push(await hostWithBacklog(base, daemon.url('org.git'), `host-${i + 1}`));
    // The remote, and what each host knows of it, before the timed push: each repetition (ours and
    // raw alike) starts from there, so every one pushes the same RECORDS commits per host.
    const pristine = copyOf(base, org, 'pristine.git');
    const tracked = hosts.map((h) => `update refs/remotes/origin/hosts/${h.host.hostId} ${git(h.store.dir, ['rev-parse', `refs/remotes/origin/hosts/${h.host.hostId}`])}\n`);
    const ours: number[] = [];
    const raw: number[] = [];
    const lone: number[] = [];
    let failed = 0;
    let lost = 0;
    let allArrivedMs = 0;
    const timeOurs = async () => {
      copyOf(base, pristine, 'org.git');
      hosts.forEach((h, i) => git(h.store.dir, ['update-ref', '--stdin'], tracked[i]));
      const t0 = performance.now();
      const states = await Promise.all(hosts.map(async (h) => {
        const s = await h.outbox.syncOnce({ fetchFirst: false });
        ours.push(performance.now() - t0);
        return s.state;
      }));
      allArrivedMs = Math.max(allArrivedMs, performance.now() - t0);
      failed += states.filter((s) => s !== 'synced').length;
      const onRemote = new Set(git(org, ['rev-list', '--all']).split('\n'));
      for (const h of hosts) {
        for (const c of git(h.store.dir, ['rev-list', `refs/heads/hosts/${h.host.hostId}`, '--not', 'main']).split('\n').filter(Boolean)) if (!onRemote.has(c)) lost += 1;
      }
    };
    // Baseline for the machine's own contention: the same N hosts' refs pushed by raw git, all at
    // once, through the same daemon. On 2 cores N pushes share the CPU whatever the layout; what the
    // layout must not add is contention of its own (lost races, retries, extra processes).
    const timeRaw = async () => {
      copyOf(base, pristine, 'raw-all.git');
      const t0 = performance.now();
      raw.push(...(await Promise.all(hosts.map((h) => timedGit(h.store.dir, ['push', '--quiet', daemon.url('raw-all.git'), `refs/heads/hosts/${h.host.hostId}:refs/heads/hosts/${h.host.hostId}`], t0)))));
      copyOf(base, pristine, 'raw-lone.git');
      lone.push(await timedGit(hosts[0]!.store.dir, ['push', '--quiet', daemon.url('raw-lone.git'), 'refs/heads/hosts/host-1:refs/heads/hosts/host-1'], performance.now()));
    };
    for (let rep = 0; rep < REPS; rep++) await inTurn(rep, timeOurs, timeRaw);
    return { failed, lost, allArrivedMs, medianPushMs: median(ours), slowestPushMs: Math.max(...ours), rawMs: median(lone), rawConcurrentMedianMs: median(raw) };
  });
}

/**
 * The commander's board over many hosts (issue 14): 20 hosts push one more closed session each
 * (20 × 10 sessions by the last round); the commander's observer console then times `sync.fetch` +
 * `board.get` against a raw `git fetch` of the same refs into an identical clone, interleaved, the
 * order alternating. Goal: ≤ 2× the raw fetch.
 */
async function boardOverHosts(hostCount: number, rounds: number): Promise<{ ours: number[]; raw: number[]; rows: number }> {
  return withOrgRemote('bg-bench-board-hosts-', async ({ base, url }) => {
    const hosts: ConsoleContext[] = [];
    for (let i = 0; i < hostCount; i++) hosts.push(await openHost(base, url, `host-${i + 1}`));
    const commanderRepo = path.join(base, 'commander.git');
    const rawRepo = path.join(base, 'raw.git');
    for (const r of [commanderRepo, rawRepo]) git(base, ['clone', '--quiet', '--bare', url, r]);
    const backend = await ConsoleBackend.create({ repo: commanderRepo, env: { ...process.env, BREAKGLASS_DATA_DIR: path.join(base, 'data-commander'), BREAKGLASS_HOST_ID: 'commander' }, observer: true });
    await backend.start();
    const ours: number[] = [];
    const raw: number[] = [];
    let rows = 0;
    try {
      for (let i = 0; i < rounds; i++) {
        // Every host declares and closes one more session and pushes it, all at once (not timed).
        await Promise.all(hosts.map(async (h) => {
          const d = await h.service.declare(declaration({ incidentId: `INC-${7000 + i}` }));
          await h.service.close({ sessionId: d.state.sessionId }, CLOSURE);
          const s = await h.outbox.syncOnce({ fetchFirst: false });
          if (s.state !== 'synced') throw new Error(`${h.host.hostId} push: ${JSON.stringify(s)}`);
        }));
        const timedConsole = async () => {
          const t = performance.now();
          unwrap(await backend.dispatch('sync.fetch', {}), 'sync.fetch');
          const b = unwrap<BoardData>(await backend.dispatch('board.get', {}), 'board.get');
          ours.push(performance.now() - t);
          rows = b.rows.length;
        };
        const timedRaw = async () => {
          const t = performance.now();
          git(rawRepo, ['fetch', '--quiet', '--no-tags', url, '+refs/heads/main:refs/remotes/origin/main', '+refs/heads/hosts/*:refs/remotes/origin/hosts/*']);
          raw.push(performance.now() - t);
        };
        await inTurn(i, timedConsole, timedRaw);
        if (rows !== hostCount * (i + 1)) throw new Error(`the board shows ${rows} rows after round ${i + 1}, expected ${hostCount * (i + 1)}`);
      }
    } finally {
      backend.stop();
    }
    return { ours, raw, rows };
  });
}

/** `BENCH_ONLY=hosts`. */
export async function hostsBenchmarks(): Promise<void> {
  console.log(`hosts (issue 14): one host's push of ${RECORDS} records while N other hosts push theirs at the same moment, through git daemon (${REPS} repetitions each, ${os.cpus().length} cores)`);
  // The issue's figures: 1, 10 and 20 *other* hosts, so 2, 11 and 21 pushing in all; 0 is a lone host's push.
  const others = (process.env.BENCH_OTHER_HOSTS ?? '0,1,10,20').split(',').map(Number);
  const rounds = new Map<number, Round>();
  for (const n of others) {
    const r = await round(n + 1);
    rounds.set(n, r);
    // Growth is against the 1-other-host figure (the issue's), or the first one measured without it.
    const ref = rounds.get(1) ?? rounds.get(others[0]!)!;
    const refName = rounds.has(1) ? 1 : others[0]!;
    const growth = r.medianPushMs / ref.medianPushMs;
    const machine = r.rawConcurrentMedianMs / ref.rawConcurrentMedianMs;
    console.log(`  ${String(n).padStart(2)} other hosts: failed pushes ${r.failed}, records lost ${r.lost}, all arrived ${r.allArrivedMs.toFixed(0)} ms, one host's push median ${r.medianPushMs.toFixed(0)} ms (slowest ${r.slowestPushMs.toFixed(0)} ms), ${growth.toFixed(2)}× the ${refName}-other-host figure (goal ≤ 1.5×)`
      + `  | baselines: lone raw git push of the same ${RECORDS} commits ${r.rawMs.toFixed(0)} ms (ours ÷ it ${(r.medianPushMs / r.rawMs).toFixed(2)}×); ${n + 1} raw git pushes at once, median ${r.rawConcurrentMedianMs.toFixed(0)} ms (${machine.toFixed(2)}× its ${refName}-other-host figure: the machine's own contention); ours ÷ raw at the same concurrency ${(r.medianPushMs / r.rawConcurrentMedianMs).toFixed(2)}×`);
  }
  const hostCount = Number(process.env.BENCH_BOARD_HOSTS ?? 20);
  const b = await boardOverHosts(hostCount, Number(process.env.BENCH_BOARD_ROUNDS ?? 10));
  report(`commander's sync.fetch + board.get, ${hostCount} hosts (${b.rows} sessions)`, summarise(b.ours), summarise(b.raw), '≤ 2× raw git fetch of the same refs');
}
