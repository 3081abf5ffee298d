import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

/** Commits a policy change into a bare evidence repository through a clone (as an organisation would). */
export function editPolicyInBareRepo(repo: string, patch: Record<string, unknown>): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-policy-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Policy Admin', GIT_AUTHOR_EMAIL: 'policy@example.com', GIT_COMMITTER_NAME: 'Policy Admin', GIT_COMMITTER_EMAIL: 'policy@example.com' };
  const git = (args: string[]) => {
    const r = spawnSync('git', args, { cwd: work, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr}`);
  };
  git(['clone', '--quiet', '--no-checkout', '--depth', '1', `file://${repo}`, '.']);
  git(['checkout', '--quiet', 'HEAD', '--', 'policy.yaml']);
  const file = path.join(work, 'policy.yaml');
  const current = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) current[k] = v;
  writeFileSync(file, stringify(current));
  git(['commit', '--quiet', '-m', 'policy: bench', '--', 'policy.yaml']);
  git(['push', '--quiet', 'origin', 'HEAD:main']);
  rmSync(work, { recursive: true, force: true });
}
