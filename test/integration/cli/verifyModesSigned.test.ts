import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSURE, cleanup, declaration, jsonFile, tempDir } from '../../support/cli';
import { assertCliBuilt, gitx, sessionLog, workspace, type Workspace } from '../../support/lifecycleKit';
import { startPeople, type People } from '../../support/signingKit';
import { sealRecord } from '../../../app/ledger';
import type { LedgerEntry } from '../../../app/ports';
import type { EvidenceRecord, UnsealedRecord } from '../../../app/records';
import type { VerifyResult } from '../../../app/verifyResult';

// Issue 18 with signed evidence (issue 15): the incremental verify goes on from the roster in force
// at its checkpoint, proves the records signed since as the full verify does, and names an
// unsigned one; a roster change since the checkpoint makes it full.

let ws: Workspace;
let people: People;
let sessionId = '';
const ada = () => ({ ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket });
const verify = async (args: string[] = []) => {
  const r = await ws.cli(['verify', '--json', ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyResult };
};

beforeAll(async () => {
  assertCliBuilt();
  ws = await workspace();
  people = await startPeople(ws.dir);
  const init = await ws.cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--account', 'root'], { env: ada() });
  expect(init.code, init.stderr).toBe(0);
  const declared = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'd.json', declaration())], { env: ada() });
  expect(declared.code, declared.stderr).toBe(0);
  sessionId = (JSON.parse(declared.stdout) as { sessionId: string }).sessionId;
});
afterAll(() => people?.stop());

describe('incremental verify of signed evidence (issue 18)', () => {
  it('proves the records signed since the checkpoint, names an unsigned one, and a roster change since makes it full', async () => {
    const first = await verify();
    expect(first.code, JSON.stringify(first.report.problems)).toBe(0);
    expect(first.report.mode).toBe('full');
    for (const text of ['signed note one', 'signed note two']) expect((await ws.cli(['note', text], { env: ada() })).code).toBe(0);
    expect((await ws.cli(['close', '--session', sessionId, '--file', jsonFile(ws.dir, 'c.json', CLOSURE)], { env: ada() })).code).toBe(0);
    const later = await verify();
    expect(later.code, JSON.stringify(later.report.problems)).toBe(0);
    expect(later.report).toMatchObject({ mode: 'incremental', incremental: { commits: 3 } });
    const full = await verify(['--full']);
    expect(full.code).toBe(0);
    expect(later.report.signatures).toMatchObject({ roster: true, anchor: full.report.signatures!.anchor, proven: full.report.signatures!.proven, claimed: full.report.signatures!.claimed, invalid: 0 });

    // A note committed unsigned through plain git, after the roster: not proven.
    const log = await sessionLog(ws, sessionId);
    const entries = log.map((e) => ({ record: e.record as unknown as EvidenceRecord, commit: e.commit, path: e.path })) as LedgerEntry[];
    const last = entries[entries.length - 1]!.record;
    const note = sealRecord(entries, { sessionId, type: 'note', at: new Date().toISOString(), host: last.host, actor: last.actor, redactions: 0, payload: { text: 'unsigned' } } as UnsealedRecord);
    const file = log[0]!.path.replace(/\d{6}-declared\.json$/, `${String(note.seq).padStart(6, '0')}-note.json`);
    const work = tempDir('bg-verify-signed-work-');
    try {
      gitx(work, ['clone', '--quiet', '--branch', 'hosts/test-host', ws.repo, '.']);
      writeFileSync(path.join(work, file), `${JSON.stringify(note, null, 2)}\n`);
      gitx(work, ['add', '-A']);
      gitx(work, ['commit', '--quiet', '-m', 'note'], { env: { GIT_AUTHOR_NAME: last.actor.name, GIT_AUTHOR_EMAIL: last.actor.email, GIT_COMMITTER_NAME: last.actor.name, GIT_COMMITTER_EMAIL: last.actor.email } });
      gitx(work, ['push', '--quiet', 'origin', 'HEAD:refs/heads/hosts/test-host']);
    } finally {
      cleanup(work);
    }
    const unsigned = await verify();
    expect(unsigned.code).toBe(1);
    expect(unsigned.report.mode).toBe('incremental');
    const named = (r: VerifyResult) => r.problems.filter((p) => p.path === file).map((p) => p.message);
    expect(named(unsigned.report).length).toBeGreaterThan(0);
    expect(named((await verify(['--full'])).report)).toEqual(named(unsigned.report));

    // A roster change (Grace added, adopted at once with one admin) since the checkpoint: full again.
    const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer,roster-admin', '--public-key', people.grace.key.line], { env: ada() });
    expect(add.code, add.stderr).toBe(0);
    const afterRoster = await verify();
    expect(afterRoster.report.mode).toBe('full');
    expect(afterRoster.report.fallback).toMatch(/changes (roster\.yaml|governance\/)/);
  });
});
