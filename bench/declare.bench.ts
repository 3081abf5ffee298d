import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitEvidenceStore } from '../main/evidence/store';
import { launchConsole, RENDERER_DIR, ROOT } from '../test/browser/host';
import { editPolicyInBareRepo } from './policy';
import { report, summarise } from './stats';

/**
 * The declaration benchmark (issue 4), through the browser test host in Debian's Chromium, the
 * real backend and real git:
 *   - from the click on "Declare" (review step, everything filled and the checks run) to the
 *     active session on screen (its countdown in the DOM, at the next animation frame), measured
 *     in the page with performance.now(); median of BENCH_DECLARE_REPS (30) after one warm-up;
 *   - baseline, in the same run and interleaved: `git add` + `git commit` of one file in a plain
 *     work-tree repository.
 * Target: ≤ 2 × baseline + 100 ms. Each round starts from a saved draft at the review step and
 * ends by closing the session, so every declaration is a first one for its environment.
 */
const REPS = Number(process.env.BENCH_DECLARE_REPS ?? 30);

const CLOSURE = {
  summary: 'Benchmark round finished.',
  reversalSteps: ['Nothing was changed'],
  controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'not-applicable', breakGlassCredentialsRotated: 'not-applicable' },
  followUps: [],
};

function draftFields(incidentId: string): Record<string, unknown> {
  return {
    trigger: 'backend-lock-integrity',
    governedPaths: [{ path: 'CI/CD pipeline apply', failure: 'State lock held by crashed job 7f3c', required: false }],
    materialRisk: 'Customer API degraded; SLA breach in 45 minutes.',
    attestations: { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true },
    incidentId,
    justification: 'State lock held by a crashed pipeline blocks every governed apply; manual lock repair is the only path to restore service.',
    operatorName: 'Ada Lovelace',
    operatorEmail: 'ada@example.com',
    environment: 'production',
    scopes: ['state-lock'],
    duration: '30',
    confirmation: incidentId,
    maxStep: 4,
  };
}

/** In the page: clicks "Declare" and resolves with the ms until the countdown is in the DOM and a frame is due. */
const MEASURE = `new Promise((resolve, reject) => {
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Declare');
  if (!button) return reject(new Error('No Declare button'));
  const observer = new MutationObserver(() => {
    if (!document.querySelector('[role="timer"]')) return;
    observer.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - t0));
  });
  observer.observe(document.body, { childList: true, subtree: true });
  const t0 = performance.now();
  button.click();
})`;

function git(cwd: string, args: string[]): void {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr}`);
}

async function ensureBuilt(): Promise<void> {
  if (existsSync(path.join(RENDERER_DIR, 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** Runs the declaration benchmark and prints its figure with the baseline; returns both. */
export async function declareBenchmarks(): Promise<{ declare: ReturnType<typeof summarise>; baseline: ReturnType<typeof summarise> }> {
  await ensureBuilt();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-declare-'));
  const repo = path.join(dir, 'repo');
  const plain = path.join(dir, 'plain');
  const env: NodeJS.ProcessEnv = { ...process.env, BREAKGLASS_DATA_DIR: path.join(dir, 'data'), BREAKGLASS_HOST_ID: 'bench-declare' };
  delete env.BREAKGLASS_REPO;

  await GitEvidenceStore.open(repo, { create: true });
  // Benchmarks run as root here, like the tests: a policy that lets uid 0 declare.
  editPolicyInBareRepo(repo, { allowRootOperator: true });
  git(repo, ['config', 'user.name', 'Ada Lovelace']);
  git(repo, ['config', 'user.email', 'ada@example.com']);

  mkdirSync(plain);
  git(plain, ['init', '--quiet', '--initial-branch=main']);
  git(plain, ['config', 'user.name', 'Ada Lovelace']);
  git(plain, ['config', 'user.email', 'ada@example.com']);
  writeFileSync(path.join(plain, 'README'), 'baseline\n');
  git(plain, ['add', 'README']);
  git(plain, ['commit', '--quiet', '-m', 'init']);

  const host = await launchConsole({ repo, env });
  const { page, backend } = host;
  page.setDefaultTimeout(30_000);
  const declared: number[] = [];
  const raw: number[] = [];
  try {
    for (let i = 0; i <= REPS; i++) {
      const incident = `INC-${1000 + i}`;
      // Set-up, not timed: a complete draft at the review step, offered back and resumed; the checks have run.
      const saved = await backend.dispatch('draft.save', { step: 4, fields: draftFields(incident) });
      if (!saved.ok) throw new Error(`draft.save: ${saved.error.message}`);
      await page.reload();
      await page.getByText('An unfinished declaration is saved on this host').waitFor();
      await page.getByRole('button', { name: 'Declare break-glass', exact: true }).click();
      await page.getByRole('heading', { name: 'Step 5 of 5: Review and declare' }).waitFor();
      await page.locator('tr[data-check="os-account"]').getByText('Passed').waitFor();
      await page.getByRole('button', { name: 'Declare', exact: true }).waitFor();

      const ms = (await page.evaluate(MEASURE)) as number;

      // The baseline, interleaved: one file, git add + git commit, in a plain work tree.
      const file = path.join(plain, `f-${i}.txt`);
      writeFileSync(file, `round ${i}\n`);
      const t = performance.now();
      git(plain, ['add', path.basename(file)]);
      git(plain, ['commit', '--quiet', '-m', `round ${i}`]);
      const rawMs = performance.now() - t;

      if (i > 0) {
        declared.push(ms);
        raw.push(rawMs);
      }
      // Tear-down, not timed: close the session so the next round declares afresh.
      const snapshot = await backend.snapshot();
      const open = snapshot.open.find((s) => s.incidentId === incident);
      if (!open) throw new Error(`round ${i}: the declared session is not open`);
      const closed = await backend.dispatch('session.close', { sessionId: open.sessionId, closure: CLOSURE });
      if (!closed.ok) throw new Error(`session.close: ${closed.error.message}`);
      await page.getByRole('button', { name: 'Declare break-glass', exact: true }).waitFor();
    }
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const d = summarise(declared);
  const b = summarise(raw);
  const target = 2 * b.median + 100;
  report('declare: "Declare" → active session on screen', d, b, `≤ 2× + 100 ms = ${target.toFixed(1)} ms${d.median <= target ? '' : '  OVER TARGET'}`);
  return { declare: d, baseline: b };
}

// Run directly: `npx tsx bench/declare.bench.ts`.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(ROOT, 'bench', 'declare.bench.ts')) {
  await declareBenchmarks();
}
