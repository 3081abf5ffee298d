import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openContext, type ConsoleContext } from '../main/application/context';
import { GitEvidenceStore } from '../main/evidence/store';
import { nodeHostInfo } from '../main/host/hostInfo';
import { allowRoot, declaration } from '../test/support/cli';
import { GitDaemon } from '../test/support/gitDaemon';

/**
 * Many hosts, one remote (issue 14): N hosts (separate repositories, one host id each) with 10
 * records each push at the same moment to one `git daemon` on 127.0.0.1. Printed per N: failed
 * pushes, records that did not reach the remote, time until every record had arrived, and one
 * host's push time; beside, measured in the same run, a lone raw `git push` of the same 10 commits
 * to an empty bare remote (goal: the 20-host push time ≤ 1.5× the 1-host one; no failure, nothing lost).
 */
const RECORDS = 10;

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

async function hostWithRecords(base: string, url: string, id: string): Promise<ConsoleContext> {
  const repo = path.join(base, id);
  git(base, ['clone', '--quiet', '--bare', url, repo]);
  const ctx = await openContext({ repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: id }) });
  const d = await ctx.service.declare(declaration());
  for (let i = 1; i < RECORDS; i++) await ctx.service.note({ sessionId: d.state.sessionId }, `note ${i}`);
  return ctx;
}

async function round(n: number): Promise<{ failed: number; lost: number; allArrivedMs: number; onePushMs: number; rawMs: number }> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-hosts-'));
  const org = path.join(base, 'org.git');
  await GitEvidenceStore.open(org, { create: true });
  allowRoot(org);
  const daemon = await GitDaemon.start(base);
  try {
    const url = daemon.url('org.git');
    const hosts: ConsoleContext[] = [];
    for (let i = 0; i < n; i++) hosts.push(await hostWithRecords(base, url, `host-${i + 1}`));
    const t0 = performance.now();
    const times: number[] = [];
    const states = await Promise.all(hosts.map(async (h) => {
      const s = await h.outbox.syncOnce({ fetchFirst: false });
      times.push(performance.now() - t0);
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
    return { failed: states.filter((s) => s !== 'synced').length, lost, allArrivedMs, onePushMs: times[0]!, rawMs };
  } finally {
    await daemon.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

/** `BENCH_ONLY=hosts`. */
export async function hostsBenchmarks(): Promise<void> {
  console.log(`hosts (issue 14): N hosts × ${RECORDS} records pushing at once through git daemon`);
  const counts = (process.env.BENCH_HOSTS ?? '1,10,20').split(',').map(Number);
  for (const n of counts) {
    const r = await round(n);
    console.log(`  ${String(n).padStart(2)} hosts: failed pushes ${r.failed}, records lost ${r.lost}, all arrived ${r.allArrivedMs.toFixed(0)} ms, first host's push ${r.onePushMs.toFixed(0)} ms  | baseline: lone raw git push of the same ${RECORDS} commits ${r.rawMs.toFixed(0)} ms`);
  }
}
