import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Application } from '../../../main/application/application';
import { openContext, type ConsoleContext } from '../../../main/application/context';
import { GitEvidenceStore } from '../../../main/evidence/store';
import { nodeHostInfo } from '../../../main/host/hostInfo';
import { assertCliBuilt } from '../../support/lifecycleKit';
import { allowRoot, cliEnv, declaration, jsonFile, runCli } from '../../support/cli';
import { scratchFolder } from '../../support/scratch';

/**
 * A console that has not read the repository since another process on the same host committed
 * (the CLI, a second console) must still decide on what is there (procedure.md §5: one active
 * session per environment and host). The console's cached view is used optimistically; a read
 * inside the decision (the signing precondition asks for the roster) refreshed the index, so the
 * append chained onto the other process's commit that the decision never saw, and a second active
 * session in one environment was recorded (found by the wizard's e2e race test).
 */

const { fresh } = scratchFolder('bg-stale-view-');
let ctx: ConsoleContext | null = null;
beforeAll(() => assertCliBuilt());
afterAll(() => ctx?.outbox.stop());

it('refuses a second active session in an environment that another process declared since the console last read', async () => {
  const repo = fresh('evidence');
  await GitEvidenceStore.open(repo, { create: true });
  allowRoot(repo);
  const env = { ...cliEnv(fresh('data')), BREAKGLASS_HOST_ID: 'host-app' };
  ctx = await openContext({ repo, host: nodeHostInfo(env) });
  const app = new Application(ctx, { sessionEnvPath: path.join(fresh('console-data'), 'session.env'), observer: false });
  await app.declare(declaration({ incidentId: 'INC-777' }));

  const preProduction = { environment: 'pre-production', scopes: ['diagnostics'] };
  const other = await runCli(['--repo', repo, '--json', 'declare', '--file', jsonFile(path.dirname(repo), 'other.json', declaration({ incidentId: 'INC-779', ...preProduction }))], { env });
  expect(other.code, other.stderr).toBe(0);

  await expect(app.declare(declaration({ incidentId: 'INC-778', ...preProduction }))).rejects.toThrow(/is already active for pre-production on this host/);
  const subjects = spawnSync('git', ['log', '--format=%s', '--branches'], { cwd: repo, encoding: 'utf8' }).stdout;
  expect(subjects).not.toContain('INC-778');
});
