import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration, jsonFile, runCli } from '../../support/cli';
import { assertCliBuilt, gitx, type Workspace } from '../../support/lifecycleKit';
import type { People } from '../../support/signingKit';
import { commanderHosts } from '../../support/commanderHosts';
import type { VerifyResult } from '../../../app/verifyResult';

// Issue 18: the routine `verify` goes on from its checkpoint and reads only the commits since; the
// acknowledgements and the witnesses are still judged afresh on every verify, from what the
// checkpoint carries. What arrives after the checkpoint — a commander's acknowledgement that does
// not match, one of a code no session has, a witness statement proving a rewrite made before the
// checkpoint — is found by the incremental verify exactly as `verify --full` finds it. Ada operates
// on test-host, Grace (commander) on her own host; real CLI, git, ssh-agents and keys.

let ws: Workspace;
let people: People;
let remote = '';
let commanderRepo = '';
let commanderEnv: NodeJS.ProcessEnv = {};

const OWN = 'refs/heads/hosts/test-host';
const TRACKING = 'refs/remotes/origin/hosts/test-host';
const operator = (args: string[]) => runCli(['--repo', ws.repo, ...args], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
const commander = (args: string[]) => runCli(['--repo', commanderRepo, ...args], { env: commanderEnv });
const json = <T>(r: { code: number | null; stdout: string; stderr: string }, what: string): T => {
  expect(r.code, `${what}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
};
const verify = async (...extra: string[]) => JSON.parse((await operator(['--json', 'verify', ...extra])).stdout) as VerifyResult;
/** The findings of the checks made afresh (acknowledgements and witnesses), as both modes report them. */
const afreshFindings = (r: VerifyResult) => r.problems.filter((p) => /^Acknowledgement \(|acknowledged the .* code|witnessed/.test(p.message));

beforeAll(async () => {
  assertCliBuilt();
  ({ ws, people, remote, commanderRepo, commanderEnv } = await commanderHosts({ graceRoles: 'reviewer,commander' }));
}, 120_000);
afterAll(() => people?.stop());

describe('the incremental verify judges afresh what arrived after its checkpoint (issue 18)', () => {
  it('a mismatched acknowledgement and one of a code no session has, both recorded after the checkpoint', async () => {
    const d = json<{ sessionId: string; acknowledgement: { challenge: string } }>(await operator(['--json', 'declare', '--file', jsonFile(ws.dir, 'd1.json', declaration())]), 'declare');
    expect((await verify()).problems).toEqual([]); // the checkpoint: the acknowledgement is awaited, no finding

    const ack = json<{ response: string }>(await commander(['--json', 'acknowledge', d.acknowledgement.challenge]), 'acknowledge');
    const wrong = ack.response.startsWith('0') ? `1${ack.response.slice(1)}` : `0${ack.response.slice(1)}`;
    json(await operator(['--json', 'acknowledged', '--session', d.sessionId, wrong]), 'acknowledged');
    json(await commander(['--json', 'acknowledge', 'ABCDE-FGHJK']), 'acknowledge of a code no session has');
    expect((await commander(['push'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0); // fetches Grace's journal

    const incremental = await verify();
    expect(incremental.mode).toBe('incremental');
    expect(incremental.incremental!.commits).toBeGreaterThan(0);
    expect(incremental.acknowledgements!.find((a) => a.sessionId === d.sessionId && a.event === 'declared')).toMatchObject({ state: 'mismatched', finding: true });
    const found = afreshFindings(incremental);
    expect(found.some((p) => p.sessionId === d.sessionId && p.message.startsWith('Acknowledgement (mismatched)'))).toBe(true);
    expect(found.some((p) => p.message.includes('code ABCDE-FGHJK') && p.message.includes('no declaration or closing in this history has that code'))).toBe(true);

    const full = await verify('--full');
    expect(full.mode).toBe('full');
    expect(afreshFindings(incremental)).toEqual(afreshFindings(full));
    expect(new Set(incremental.acknowledgements)).toEqual(new Set(full.acknowledgements));
    // Carried forward: the next incremental verify, with nothing new, finds the same.
    const again = await verify();
    expect(again.mode).toBe('incremental');
    expect(afreshFindings(again)).toEqual(afreshFindings(full));
  });

  it('a witness statement fetched after the checkpoint proves a rewrite made before it; a checkpoint the rewrite left behind is not used', async () => {
    expect((await operator(['note', 'Restarted the payments deployment.'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0);
    const witnessed = gitx(ws.repo, ['rev-parse', OWN]).trim();
    expect((await verify()).mode).toBe('incremental'); // a checkpoint at the witnessed tip

    // Ada drops the note and writes another in its place, and hides it from the tracking ref; the
    // remote keeps what she pushed.
    const lost = gitx(ws.repo, ['diff-tree', '-r', '--name-only', '--no-commit-id', witnessed]).split('\n').find((p) => p.endsWith('-note.json'))!;
    gitx(ws.repo, ['update-ref', OWN, `${witnessed}^`]);
    expect((await operator(['note', 'Nothing was restarted.'])).code).toBe(0);
    gitx(ws.repo, ['update-ref', TRACKING, gitx(ws.repo, ['rev-parse', OWN]).trim()]);
    const before = await verify();
    expect(before.mode).toBe('full');
    expect(before.fallback).toContain('does not descend from the checkpoint');
    expect(before.problems.filter((p) => p.message.includes('witnessed'))).toEqual([]); // no statement yet

    // Grace fetches what Ada pushed and states it; her statement reaches Ada's repository as a new ref.
    expect(gitx(remote, ['rev-parse', OWN]).trim()).toBe(witnessed);
    expect((await commander(['witness'])).code).toBe(0);
    gitx(ws.repo, ['fetch', '--quiet', commanderRepo, '+refs/heads/hosts/commander-host:refs/remotes/origin/hosts/commander-host']);
    const incremental = await verify();
    expect(incremental.mode).toBe('incremental');
    const rewrites = incremental.problems.filter((p) => p.message.includes('history was rewritten after it was witnessed'));
    expect(rewrites).toHaveLength(1);
    expect(rewrites[0]!.message).toContain(`Grace Hopper (host commander-host) saw commit ${witnessed.slice(0, 12)}`);
    expect(rewrites[0]!.message).toContain(`The first record lost: ${lost}.`);
    expect(incremental.witnesses).toEqual([{ host: 'test-host', witnesses: [expect.objectContaining({ witnessHost: 'commander-host', commit: witnessed })] }]);
    const full = await verify('--full');
    expect(afreshFindings(incremental)).toEqual(afreshFindings(full));
    expect(incremental.witnesses).toEqual(full.witnesses);
  });

  it('a corrupt checkpoint, or one of an earlier version, is discarded: the verify is full and says why', async () => {
    const file = path.join(gitx(ws.repo, ['rev-parse', '--absolute-git-dir']).trim(), 'breakglass-verified');
    const full = await verify('--full');
    writeFileSync(file, '{"version":1');
    const corrupt = await verify();
    expect(corrupt).toMatchObject({ mode: 'full', fallback: 'the checkpoint file is not valid JSON' });
    expect(afreshFindings(corrupt)).toEqual(afreshFindings(full));
    const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...current, version: 1, carried: undefined }));
    expect(await verify()).toMatchObject({ mode: 'full', fallback: 'the checkpoint file is not a valid checkpoint' });
    expect((await verify()).mode).toBe('incremental');
  });
});
