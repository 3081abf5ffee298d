import os from 'node:os';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { launchConsole } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { CLOSURE, declaration, jsonFile } from '../support/cli';
import { gitx } from '../support/lifecycleKit';
import { startPeople, type People } from '../support/signingKit';
import { consoleHostsPerTest } from '../support/consoleHosts';
import { workspace, type Workspace } from '../support/workspace';
import { computeRecordHash } from '../../app/chain';
import { Git } from '../../main/git';
import { hostIdentity } from '../../main/host/hostInfo';
import { RecordCommitter } from '../../main/signing/recordCommit';
import { agentSigner } from '../../main/signing/signer';

/**
 * Issue 15, "the board marks sessions with unsigned or invalid records", in Chromium through the
 * browser test host on a repository written by the real CLI with real ssh-agents: a session from
 * before the roster (unsigned), a session proven by the operator's key (no mark), and a session
 * whose note commit is signed by a key the roster does not list (invalid). The mark is words with
 * an accessible name, not colour alone. Screenshot: test-artifacts/screenshots/board-signatures.png.
 */

let people: People;
const hosts = consoleHostsPerTest({ stopShared: () => people?.stop() });


async function cli(ws: Workspace, args: string[], socket?: string): Promise<string> {
  const r = await ws.cli(args, socket ? { env: { ...ws.env, SSH_AUTH_SOCK: socket } } : {});
  if (r.code !== 0) throw new Error(`breakglass ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function board(ws: Workspace): Promise<Page> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env });
  hosts.push(host);
  const { page } = host;
  await page.locator('main[aria-busy="false"]').waitFor();
  await page.goto(`${host.url}#/board`);
  await page.getByRole('heading', { name: 'Sessions board' }).waitFor();
  await page.getByTestId('board-scroll').locator('[role="row"][data-session]').first().waitFor({ timeout: 30_000 });
  return page;
}

const rowOf = (page: Page, incident: string) => page.getByTestId('board-scroll').locator('[role="row"][data-session]').filter({ has: page.getByRole('link', { name: incident, exact: true }) });

describe('the board marks sessions with records no roster key proves (issue 15)', () => {
  it('marks the unsigned and the invalidly signed sessions in words, and not the proven one', async () => {
    const ws = await workspace();
    people = await startPeople(ws.dir);
    const ada = people.ada.agent.socket;
    // Before the roster: declared and closed unsigned (2 records).
    await cli(ws, ['declare', '--file', jsonFile(ws.dir, 'd1.json', declaration({ incidentId: 'INC-100' }))]);
    await cli(ws, ['close', '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)]);
    await cli(ws, ['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--account', os.userInfo().username], ada);
    // Proven: declared through Ada's agent.
    await cli(ws, ['declare', '--file', jsonFile(ws.dir, 'd2.json', declaration({ incidentId: 'INC-200' }))], ada);
    // Invalid: after a real note, a next note (chained and hashed as the console would) committed with Mallory's key, which the roster does not list.
    const third = JSON.parse(await cli(ws, ['--json', 'declare', '--file', jsonFile(ws.dir, 'd3.json', declaration({ incidentId: 'INC-300', environment: 'pre-production', scopes: ['diagnostics'] }))], ada)) as { sessionId: string };
    await cli(ws, ['note', '--session', third.sessionId, 'Lock released by hand.'], ada);
    const ref = `refs/heads/hosts/${hostIdentity(ws.env).hostId}`;
    const note = gitx(ws.repo, ['rev-parse', ref]).trim();
    const file = gitx(ws.repo, ['show', '--format=', '--name-only', note]).trim();
    const real = JSON.parse(gitx(ws.repo, ['show', `${note}:${file}`])) as Record<string, unknown> & { seq: number; hash: string; payload: Record<string, unknown> };
    const forged: Record<string, unknown> = { ...real, seq: real.seq + 1, prev: real.hash, payload: { ...real.payload, text: 'Nothing else was changed.' } };
    delete forged.hash;
    forged.hash = computeRecordHash(forged);
    const stamp = { name: 'Ada Lovelace', email: 'ada@example.com', seconds: Math.floor(Date.now() / 1000) };
    const committer = await RecordCommitter.open(new Git(ws.repo));
    await committer.append({ ref, parent: note, path: file.replace(/\/\d{6}-note\.json$/, `/${String(real.seq + 1).padStart(6, '0')}-note.json`), content: `${JSON.stringify(forged, null, 2)}\n`, message: 'breakglass: note', author: stamp, committer: stamp },
      agentSigner(people.mallory.key.publicKey, { agentSocket: people.mallory.agent.socket }));

    const page = await board(ws);
    expect(await page.getByTestId('board-unsigned').count()).toBe(0);
    const unsigned = rowOf(page, 'INC-100').getByRole('note');
    expect(await unsigned.innerText()).toBe('⚠ 2 unsigned');
    expect(await unsigned.getAttribute('aria-label')).toBe('Signatures not proven: 2 records unsigned');
    const invalid = rowOf(page, 'INC-300').getByRole('note');
    expect(await invalid.innerText()).toBe('⚠ 1 invalid');
    expect(await invalid.getAttribute('aria-label')).toBe('Signatures not proven: 1 record with a signature that is not valid');
    expect(await invalid.getAttribute('data-sigmark')).toBe('invalid');
    expect(await rowOf(page, 'INC-200').count()).toBe(1);
    expect(await rowOf(page, 'INC-200').getByRole('note').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await screenshot(page, 'board-signatures');
  });

  it('without a roster says once that the board is unsigned, and marks no row', async () => {
    const ws = await workspace();
    await cli(ws, ['declare', '--file', jsonFile(ws.dir, 'd1.json', declaration({ incidentId: 'INC-400' }))]);
    const page = await board(ws);
    expect(await page.getByTestId('board-unsigned').innerText()).toBe('Unsigned: this repository has no roster, so the names on this board are claimed, not proven.');
    expect(await rowOf(page, 'INC-400').getByRole('note').count()).toBe(0);
    await screenshot(page, 'board-signatures-no-roster');
  });
});
