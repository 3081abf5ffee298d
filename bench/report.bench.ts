import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildReport } from '../app/report/build';
import { renderMarkdown } from '../app/report/markdown';
import { openContext } from '../main/application/context';
import { nodeHostInfo } from '../main/host/hostInfo';
import { produceReport } from '../main/report/produce';
import { generateLedger } from './generate';
import { report, summarise } from './stats';

/**
 * Issue 7: a period report (Markdown) over 1,000 sessions, target ≤ 5 s from the call to the text,
 * as `breakglass report` does it cold (open the repository, read the ledger, verify the whole
 * repository once, build and render). The repository-wide verify is also reported on its own.
 * Baseline, same run, same repository: `git log` listing the commits of the same range.
 * Scale with BENCH_REPORT_SESSIONS (default 1,000) and BENCH_REPORT_REPS (default 5).
 */
const SESSIONS = Number(process.env.BENCH_REPORT_SESSIONS ?? 1_000);
const REPS = Number(process.env.BENCH_REPORT_REPS ?? 5);

function gitLog(repo: string, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', ['log', '--format=%H %an <%ae> %aI %s', head, '--', 'sessions'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let lines = 0;
    c.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 10) lines += 1;
    });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`git log exited ${code}`))));
  });
}

export async function reportBenchmarks(): Promise<void> {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-report-'));
  try {
    const { head, records } = await generateLedger(repo, { sessions: SESSIONS });
    // generateLedger spreads sessions from 2024-01-01 to 2026-11-01: this period holds all of them.
    const scope = { from: '2024-01-01', to: '2026-11-01' };
    const host = nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'bench-report' });
    const total: number[] = [];
    const verify: number[] = [];
    const render: number[] = [];
    const baseline: number[] = [];
    let bytes = 0;
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      const ctx = await openContext({ repo, host, observer: true });
      const r = await produceReport(ctx, scope, 'md');
      total.push(performance.now() - t0);
      verify.push(r.verifyMs);
      if (r.model.sessions.length !== SESSIONS) throw new Error(`the period holds ${r.model.sessions.length} sessions, expected ${SESSIONS}`);
      if (!r.model.repositoryCheck?.ok) throw new Error(`verify failed on the generated repository: ${r.model.repositoryCheck?.problems[0]?.message}`);
      bytes = r.content.byteLength;
      // Build + render alone, on the view this run already read (what remains once verify is done).
      const view = await ctx.service.read();
      const t1 = performance.now();
      renderMarkdown(buildReport({ view, scope, nowMs: Date.now(), repository: { path: repo, remote: null }, repositoryCheck: r.model.repositoryCheck }));
      render.push(performance.now() - t1);
      const t2 = performance.now();
      const lines = await gitLog(repo, head);
      baseline.push(performance.now() - t2);
      if (lines < records) throw new Error(`git log listed ${lines} commits, expected ${records}`);
    }
    const b = summarise(baseline);
    report(`period report (md), ${SESSIONS} sessions / ${records} records, cold`, summarise(total), b, '≤ 5000 ms');
    report('  of which verifyRepository (whole repository)', summarise(verify), b, 'reported');
    report('  build + render Markdown alone', summarise(render), b, 'reported');
    console.log(`  report size ${(bytes / 1024 / 1024).toFixed(1)} MiB; baseline: git log of the same range (${records} commits)`);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
