import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, launchConsole, type ConsoleHost } from '../browser/host';
import { CLOSURE, REVIEW, declaration, jsonFile } from '../support/cli';
import { assertCliBuilt } from '../support/lifecycleKit';
import { startPeople, type People } from '../support/signingKit';
import { hostIdentity } from '../../main/host/hostInfo';
import { removeWorkspaces, workspace, type Workspace } from '../support/workspace';

/**
 * Issue 15 in the console (Chromium through the browser test host): the session page says, for
 * each record, whether it is proven by a roster key (with the signer's name and key fingerprint)
 * or only claimed, on real repositories written by the real CLI with real ssh-agents.
 */

const hosts: ConsoleHost[] = [];
let people: People;

beforeAll(() => {
  assertRendererBuilt();
  assertCliBuilt();
});
afterAll(async () => {
  for (const h of hosts.splice(0)) await h.close();
  people?.stop();
  removeWorkspaces();
});

async function session(ws: Workspace, as: { ada: string; grace: string } | null): Promise<string> {
  const env = (socket: string | undefined) => (socket ? { env: { ...ws.env, SSH_AUTH_SOCK: socket } } : {});
  const run = async (args: string[], socket?: string) => {
    const r = await ws.cli(args, env(socket));
    if (r.code !== 0) throw new Error(`breakglass ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const { sessionId } = JSON.parse(await run(['--json', 'declare', '--file', jsonFile(ws.dir, 'decl.json', declaration())], as?.ada)) as { sessionId: string };
  await run(['close', '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)], as?.ada);
  await run(['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'review.json', REVIEW)], as?.grace);
  return sessionId;
}

async function open(ws: Workspace, sessionId: string): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env });
  hosts.push(host);
  await host.page.locator('main[aria-busy="false"]').waitFor();
  await host.page.goto(`${host.url}#/sessions/${sessionId}`);
  await host.page.locator('[aria-label="Signatures"]').waitFor();
  return host;
}

describe('signatures on the session page (issue 15)', () => {
  it('a repository with a roster: every record proven, with the signer and key', async () => {
    const ws = await workspace();
    people = await startPeople(ws.dir);
    const init = await ws.cli(['roster', 'init', '--id', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com'], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
    expect(init.code, init.stderr).toBe(0);
    const add = await ws.cli(['roster', 'add', '--id', 'grace', '--name', 'Grace Hopper', '--email', 'grace@example.com', '--roles', 'reviewer', '--public-key', people.grace.key.line], { env: { ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket } });
    expect(add.code, add.stderr).toBe(0);
    const sessionId = await session(ws, { ada: people.ada.agent.socket, grace: people.grace.agent.socket });
    const { page } = await open(ws, sessionId);
    const section = page.locator('[aria-label="Signatures"]');
    expect(await section.getAttribute('data-signatures')).toBe('proven');
    expect(await section.getByRole('status').innerText()).toBe('Signed: 3 records proven by roster keys.');
    const items = await section.locator('li').allInnerTexts();
    expect(items.map((t) => t.replace(/\(commit \w+\)/, '').trim())).toEqual([
      `Record #1: proven, signed by Ada Lovelace (key ${people.ada.key.publicKey.fingerprint})`,
      `Record #2: proven, signed by Ada Lovelace (key ${people.ada.key.publicKey.fingerprint})`,
      // The review is filed outside the chain on the reviewer's host (issue 14): its own count, named by host.
      `Review 1 from ${hostIdentity(ws.env).hostId}: proven, signed by Grace Hopper (key ${people.grace.key.publicKey.fingerprint})`,
    ]);
  });

  it('a repository without a roster: every record claimed, not proven', async () => {
    const ws = await workspace();
    const sessionId = await session(ws, null);
    const { page } = await open(ws, sessionId);
    const section = page.locator('[aria-label="Signatures"]');
    expect(await section.getAttribute('data-signatures')).toBe('unsigned');
    expect(await section.getByRole('status').innerText()).toBe('Unsigned: this repository has no roster, so the names in these 3 records are claimed, not proven.');
    expect(await section.locator('li[data-signature="claimed"]').count()).toBe(3);
  });
});
