import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, declaration, jsonFile, runCli } from '../../support/cli';
import { assertCliBuilt, gitx, type Workspace } from '../../support/lifecycleKit';
import type { People } from '../../support/signingKit';
import { commanderHosts } from '../../support/commanderHosts';
import type { VerifyResult } from '../../../app/verifyResult';

// Issue 16, witnesses, through the real CLI and real git: Ada operates on host test-host; Grace,
// the incident commander, runs `breakglass witness` on her own host (a clone of the same bare
// remote). Once Grace's signed statement of Ada's tip exists, a rewrite of Ada's history is a
// verify finding — with the tracking ref that would have shown it moved, and in an auditor's
// fresh clone after a force-push. Real ssh-agents and keys.

let ws: Workspace;
let people: People;
let remote = '';
let witnessRepo = '';
let witnessEnv: NodeJS.ProcessEnv = {};

const OWN = 'refs/heads/hosts/test-host';
const TRACKING = 'refs/remotes/origin/hosts/test-host';
const asAda = () => ({ ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket });
const operator = (args: string[]) => runCli(['--repo', ws.repo, ...args], { env: asAda() });
const witness = (args: string[]) => runCli(['--repo', witnessRepo, ...args], { env: witnessEnv });
const verifyOn = async (run: (args: string[]) => ReturnType<typeof runCli>, extra: string[] = []) => {
  const r = await run(['--json', 'verify', ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyResult };
};
const rewrites = (report: VerifyResult) => report.problems.filter((p) => p.message.includes("history was rewritten after it was witnessed"));

beforeAll(async () => {
  assertCliBuilt();
  ({ ws, people, remote, commanderRepo: witnessRepo, commanderEnv: witnessEnv } = await commanderHosts({ graceRoles: 'reviewer,commander' }));
}, 120_000);
afterAll(() => people?.stop());

describe('witnesses of a host history (issue 16)', () => {
  let witnessed = '';

  it('a commander witnesses the operator host after a fetch: a signed statement on her own ref, pushed', async () => {
    expect((await operator(['declare', '--file', jsonFile(ws.dir, 'd1.json', declaration())])).code).toBe(0);
    expect((await operator(['note', 'Restarted the payments deployment.'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0);
    witnessed = gitx(ws.repo, ['rev-parse', OWN]).trim();

    const r = await witness(['witness']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Witnessed as Grace Hopper');
    expect(r.stdout).toContain(`test-host: commit ${witnessed.slice(0, 12)}, 2 record(s)`);
    expect(r.stdout).toContain('Pushed to');
    const statement = gitx(witnessRepo, ['ls-tree', '-r', '--name-only', 'refs/heads/hosts/commander-host']);
    expect(statement).toMatch(/^journal\/commander-host\/\d{6}-witnessed\.json$/m);
    expect(gitx(witnessRepo, ['cat-file', 'commit', 'refs/heads/hosts/commander-host'])).toContain('-----BEGIN SSH SIGNATURE-----');

    // Nothing new seen: no second statement.
    const again = await witness(['witness']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing new to witness');
  });

  it('verify on both hosts names the witness, and signs it off as proven', async () => {
    expect((await operator(['push'])).code).toBe(0); // fetches Grace's statement
    for (const run of [operator, witness]) {
      const { code, report } = await verifyOn(run, ['--full']);
      expect(report.problems).toEqual([]);
      expect(code).toBe(0);
      expect(report.witnesses).toEqual([{ host: 'test-host', witnesses: [expect.objectContaining({ witnessHost: 'commander-host', witness: 'Grace Hopper', commit: witnessed, records: 2 })] }]);
    }
    const text = await operator(['verify']);
    expect(text.stdout).toContain(`Witnesses of host test-host: Grace Hopper (host commander-host) saw ${witnessed.slice(0, 12)} with 2 record(s)`);
    // The audit report says who saw the session's host history.
    const sessionId = /sessions\/\d{4}\/\d{2}\/(bg-[0-9a-f-]+)\//.exec(gitx(ws.repo, ['ls-tree', '-r', '--name-only', OWN]))![1]!;
    const md = await operator(['report', '--session', sessionId, '--format', 'md']);
    expect(md.stdout).toContain('### Witnesses');
    expect(md.stdout).toContain(`Grace Hopper (host commander-host) saw commit ${witnessed.slice(0, 12)} with 2 record(s) of this host`);
  });

  it('a rewrite after the witness fetched is flagged, with the local tracking ref moved to hide it', async () => {
    // The operator drops the note and records another in its place, then moves the tracking ref
    // (what used to make the header say "synced" and verify compare with nothing rewritten).
    const note = gitx(ws.repo, ['ls-tree', '-r', '--name-only', OWN]).split('\n').find((p) => p.endsWith('-note.json'))!;
    expect(note).toBeDefined();
    gitx(ws.repo, ['update-ref', OWN, `${witnessed}^`]);
    expect((await operator(['note', 'Nothing was restarted.'])).code).toBe(0);
    const rewritten = gitx(ws.repo, ['rev-parse', OWN]).trim();
    gitx(ws.repo, ['update-ref', TRACKING, rewritten]);

    const { code, report } = await verifyOn(operator);
    expect(code).toBe(1);
    const found = rewrites(report);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(`Host test-host's history was rewritten after it was witnessed: Grace Hopper (host commander-host) saw commit ${witnessed.slice(0, 12)}`);
    expect(found[0]!.message).toContain(`The first record lost: ${note}.`);
    expect(found[0]!.path).toBe(note);
    // Deleting the tracking ref hides nothing either.
    gitx(ws.repo, ['update-ref', '-d', TRACKING]);
    expect(rewrites((await verifyOn(operator, ['--full'])).report)).toHaveLength(1);
  });

  it("an auditor's fresh clone flags the force-pushed rewrite from the witness's statement alone", async () => {
    gitx(ws.repo, ['push', '--quiet', '--force', remote, `${OWN}:${OWN}`]);
    const auditor = path.join(ws.dir, 'auditor.git');
    gitx(ws.dir, ['clone', '--quiet', '--bare', '--no-local', remote, auditor]);
    gitx(auditor, ['fetch', '--quiet', 'origin', '+refs/heads/*:refs/remotes/origin/*']);
    const r = await runCli(['--repo', auditor, '--json', 'verify', '--full'], { env: cliEnv(path.join(ws.dir, 'auditor-data'), { BREAKGLASS_HOST_ID: 'auditor-host' }) });
    const report = JSON.parse(r.stdout) as VerifyResult;
    expect(r.code).toBe(1);
    const found = rewrites(report);
    expect(found).toHaveLength(1);
    // The auditor's clone never had the witnessed commit: the statement alone proves the rewrite.
    expect(found[0]!.message).toContain(`saw commit ${witnessed.slice(0, 12)}`);
    expect(found[0]!.message).toContain('no longer in this repository');
  });
});
