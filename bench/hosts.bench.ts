import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openContext, type ConsoleContext } from '../main/application/context';
import { GitEvidenceStore } from '../main/evidence/store';
import { nodeHostInfo } from '../main/host/hostInfo';
import { CLOSURE, allowRoot, declaration } from '../test/support/cli';
import { ConsoleBackend } from '../main/console/backend';
import type { BoardData } from '../app/views';
import { report, summarise, unwrap } from './stats';
import { GitDaemon } from '../test/support/gitDaemon';

/**
 * Many hosts, one remote (issue 14): N hosts (separate repositories, one host id each) with 10
 * records each push at the same moment to one `git daemon` on 127.0.0.1. Printed per N: failed
 * pushes, records that did not reach the remote, time until every record had arrived, and one
 * host's push time; beside, measured in the same run, a lone raw `git push` of the same 10 commits
 * to an empty bare remote (goal: the 20-host push time ≤ 1.5× the 1-host one; no failure, nothing lost).
 */
const RECORDS = 10;

/** A git command as a child process, timed from spawn to close. */
function timedGit(cwd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const c = spawn('git', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`git ${args[0]} exited ${code}: ${err}`))));
  });
}

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
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

async function hostWithRecords(base: string, url: string, id: string): Promise<ConsoleContext> {
  const ctx = await openHost(base, url, id);
  const d = await ctx.service.declare(declaration());
  for (let i = 1; i < RECORDS; i++) await ctx.service.note({ sessionId: d.state.sessionId }, `note ${i}`);
  return ctx;
}

async function round(n: number): Promise<{ failed: number; lost: number; allArrivedMs: number; medianPushMs: number; slowestPushMs: number; rawMs: number; rawConcurrentMedianMs: number }> {
  return withOrgRemote('bg-bench-hosts-', async ({ base, org, url, daemon }) => {
    const hosts: ConsoleContext[] = [];
    for (let i = 0; i < n; i++) hosts.push(await hostWithRecords(base, url, `host-${i + 1}`));
    const t0 = performance.now();
    const times: number[] = [];
    const states = await Promise.all(hosts.map(async (h) => {
      const t = performance.now();
      const s = await h.outbox.syncOnce({ fetchFirst: false });
      times.push(performance.now() - t);
      return s.state;
    }));
    const allArrivedMs = performance.now() - t0;
    const onRemote = new Set(git(org, ['rev-list', '--all']).split('\n'));
    let lost = 0;
    for (const h of hosts) {
      for (const c of git(h.store.dir, ['rev-list', `refs/heads/hosts/${h.host.hostId}`, '--not', 'main']).split('\n').filter(Boolean)) if (!onRemote.has(c)) lost += 1;
    }
    // Baseline: the first host's same commits pushed by raw git to an empty bare remote.
    const raw = path.join(base, 'raw.git');
    git(base, ['init', '--quiet', '--bare', raw]);
    const r0 = performance.now();
    git(hosts[0]!.store.dir, ['push', '--quiet', raw, `refs/heads/hosts/host-1:refs/heads/hosts/host-1`]);
    const rawMs = performance.now() - r0;
    // Baseline for the machine's own contention: the same N hosts' refs pushed by raw git, all at
    // once, to a second empty remote through the same daemon. On 2 cores N pushes share the CPU
    // whatever the layout; what the layout must not add is contention of its own (lost races, retries).
    git(base, ['init', '--quiet', '--bare', path.join(base, 'raw-all.git')]);
    const rawAll = await Promise.all(hosts.map((h) => timedGit(h.store.dir, ['push', '--quiet', daemon.url('raw-all.git'), `refs/heads/hosts/${h.host.hostId}:refs/heads/hosts/${h.host.hostId}`])));
    const rawSorted = [...rawAll].sort((a, b) => a - b);
    const sorted = [...times].sort((a, b) => a - b);
    return { failed: states.filter((s) => s !== 'synced').length, lost, allArrivedMs, medianPushMs: sorted[Math.floor((sorted.length - 1) / 2)]!, slowestPushMs: sorted.at(-1)!, rawMs, rawConcurrentMedianMs: rawSorted[Math.floor((rawSorted.length - 1) / 2)]! };
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
        if (i % 2 === 0) {
          await timedConsole();
          await timedRaw();
        } else {
          await timedRaw();
          await timedConsole();
        }
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
  console.log(`hosts (issue 14): one host's push of ${RECORDS} records while N other hosts push theirs at the same moment, through git daemon`);
  // The figures: 1, 10 and 20 *other* hosts, so 2, 11 and 21 pushing in all.
  const others = (process.env.BENCH_OTHER_HOSTS ?? '1,10,20').split(',').map(Number);
  let first: { ours: number; raw: number } | null = null;
  for (const n of others) {
    const r = await round(n + 1);
    first ??= { ours: r.medianPushMs, raw: r.rawConcurrentMedianMs };
    const growth = r.medianPushMs / first.ours;
    const machine = r.rawConcurrentMedianMs / first.raw;
    console.log(`  ${String(n).padStart(2)} other hosts: failed pushes ${r.failed}, records lost ${r.lost}, all arrived ${r.allArrivedMs.toFixed(0)} ms, one host's push median ${r.medianPushMs.toFixed(0)} ms (slowest ${r.slowestPushMs.toFixed(0)} ms), ${growth.toFixed(2)}× the ${others[0]}-other-host figure (goal ≤ 1.5×)`
      + `  | baselines: lone raw git push of the same ${RECORDS} commits ${r.rawMs.toFixed(0)} ms; ${n + 1} raw git pushes at once, median ${r.rawConcurrentMedianMs.toFixed(0)} ms (${machine.toFixed(2)}× its ${others[0]}-other-host figure: the machine's own contention); ours beyond the machine's ${(growth / machine).toFixed(2)}×`);
  }
  const hostCount = Number(process.env.BENCH_BOARD_HOSTS ?? 20);
  const b = await boardOverHosts(hostCount, Number(process.env.BENCH_BOARD_ROUNDS ?? 10));
  report(`commander's sync.fetch + board.get, ${hostCount} hosts (${b.rows} sessions)`, summarise(b.ours), summarise(b.raw), '≤ 2× raw git fetch of the same refs');
}
