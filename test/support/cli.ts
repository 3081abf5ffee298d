import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

/** Repository root (tests run the real built CLI from here). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'bin', 'breakglass.js');

/** A temporary folder removed after the test run. */
export function tempDir(prefix = 'bg-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes temporary folders (best effort). */
export function cleanup(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Result of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a CLI child: its own data dir and host id, no inherited repo. */
export function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BREAKGLASS_DATA_DIR: dataDir, BREAKGLASS_HOST_ID: 'test-host', ...extra };
  delete env.BREAKGLASS_REPO;
  return env;
}

/** Runs the real CLI as a child process. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; uid?: number; gid?: number; via?: string[] } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // `via`: a wrapper the CLI runs under, e.g. ['faketime', '-f', '-10m'] (issue 16).
    const [command, ...prefix] = [...(options.via ?? []), process.execPath];
    const child = spawn(command!, [...prefix, CLI, ...args], {
      env: options.env ?? process.env,
      cwd: options.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git synchronously in `cwd` (tests only; the product runs git through main/git.ts). */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Policy Admin', GIT_AUTHOR_EMAIL: 'policy@example.com', GIT_COMMITTER_NAME: 'Policy Admin', GIT_COMMITTER_EMAIL: 'policy@example.com', ...env } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Changes the evidence repository's policy the way an organisation would: clone, edit policy.yaml,
 * commit, push back. `patch` receives the parsed YAML and returns the new one.
 */
export function editPolicy(repo: string, patch: (policy: Record<string, unknown>) => Record<string, unknown>): void {
  const work = tempDir('bg-policy-');
  try {
    git(work, ['clone', '--quiet', repo, '.']);
    const file = path.join(work, 'policy.yaml');
    const current = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, stringify(patch(current)));
    git(work, ['commit', '--quiet', '-am', 'policy: test change']);
    git(work, ['push', '--quiet', 'origin', 'HEAD:main']);
  } finally {
    cleanup(work);
  }
}

/** CI runs as root: tests that declare as root use a policy that allows uid 0 (issue 2). */
export function allowRoot(repo: string, extra: Record<string, unknown> = {}): void {
  editPolicy(repo, (p) => ({ ...p, allowRootOperator: true, ...extra }));
}

/** A valid declaration for the default policy. */
export function declaration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    trigger: 'backend-lock-integrity',
    governedPathsTried: [{ path: 'CI/CD pipeline apply', failure: 'State lock held by crashed job 7f3c' }],
    materialRisk: 'Customer API degraded; SLA breach in 45 minutes.',
    attestations: { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true },
    incidentId: 'INC-12345',
    justification: 'State lock held by a crashed pipeline blocks every governed apply; manual repair is the only path.',
    environment: 'production',
    scopes: ['state-lock'],
    durationMinutes: 30,
    operator: { name: 'Ada Lovelace', email: 'ada@example.com' },
    ...overrides,
  };
}

/** Writes JSON to a temp file and returns its path. */
export function jsonFile(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

export const CLOSURE = {
  summary: 'Released the stale state lock and re-ran the governed apply.',
  reversalSteps: ['Re-enabled the pipeline lock'],
  controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' },
  followUps: [{ action: 'Alert on lock age', owner: 'Grace Hopper' }],
};

export const REVIEW = {
  reviewer: { name: 'Grace Hopper', email: 'grace@example.com' },
  outcome: 'justified',
  drill: false,
  findings: '',
  followUps: [],
};
