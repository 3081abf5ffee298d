import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, declaration, jsonFile, runCli } from '../../support/cli';
import { assertCliBuilt, gitx, workspace, type Workspace } from '../../support/lifecycleKit';
import type { VerifyResult } from '../../../app/verifyResult';

// Issue 16: "a record dated before … a witness's time for a checkpoint that contains it, is
// refused by the service and flagged by verify". A witness's time bounds the clock of the host it
// saw: through the real CLI and real git, with faketime moving one process's clock.

let ws: Workspace;
let remote = '';
let witnessRepo = '';
let witnessEnv: NodeJS.ProcessEnv = {};
const OWN = 'refs/heads/hosts/test-host';

const operator = (args: string[]) => runCli(['--repo', ws.repo, ...args], { env: ws.env });
const witness = (args: string[], via?: string[]) => runCli(['--repo', witnessRepo, ...args], { env: witnessEnv, ...(via ? { via } : {}) });

beforeAll(async () => {
  assertCliBuilt();
  ws = await workspace();
  remote = path.join(ws.dir, 'remote.git');
  gitx(ws.dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  expect((await operator(['remote', 'set', remote])).code).toBe(0);
  expect((await operator(['declare', '--file', jsonFile(ws.dir, 'd.json', declaration())])).code).toBe(0);
  expect((await operator(['push'])).code).toBe(0);
  witnessRepo = path.join(ws.dir, 'witness.git');
  gitx(ws.dir, ['clone', '--quiet', '--bare', remote, witnessRepo]);
  witnessEnv = cliEnv(path.join(ws.dir, 'witness-data'), { BREAKGLASS_HOST_ID: 'witness-host' });
}, 120_000);

describe("a witness's time bounds the clock of the host it saw (issue 16)", () => {
  let seen = '';

  it('a record written after the witness saw the history but dated before it is flagged by verify', async () => {
    seen = gitx(ws.repo, ['rev-parse', OWN]).trim();
    // The witness states test-host's tip an hour ahead of this host's clock (its own clock, or a
    // late fetch: either way the operator's next record cannot honestly be dated before it).
    const w = await witness(['witness'], ['faketime', '-f', '+1h']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toContain(`test-host: commit ${seen.slice(0, 12)}`);
    // The operator has not fetched the statement yet: their host accepts a record dated now.
    expect((await operator(['note', 'Drained the node.'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0); // and now it has the statement
    const r = await operator(['--json', 'verify', '--full']);
    const report = JSON.parse(r.stdout) as VerifyResult;
    expect(r.code).toBe(1);
    const backdated = report.problems.filter((p) => p.message.includes('it was written later and backdated'));
    expect(backdated).toHaveLength(1);
    expect(backdated[0]!.path).toMatch(/\/000002-note\.json$/);
    expect(backdated[0]!.message).toContain(`(commit ${seen.slice(0, 12)})`);
  });

  it('once the host has the statement, its service refuses a record while its clock reads before the witness', async () => {
    const refused = await operator(['note', 'Checked the node again.']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(host witness-host) witnessed this host');
    expect(refused.stderr).toContain('witnessed this host\'s history');
    expect(refused.stderr).toContain('Nothing was recorded.');
    expect(gitx(ws.repo, ['ls-tree', '-r', '--name-only', OWN])).not.toMatch(/000003-note\.json/);
    // With the clock past the witness's time, the same note is recorded.
    const later = await runCli(['--repo', ws.repo, 'note', 'Checked the node again.'], { env: ws.env, via: ['faketime', '-f', '+1h'] });
    expect(later.code, later.stderr).toBe(0);
  });
});
