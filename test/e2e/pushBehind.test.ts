import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, launchConsole, type ConsoleHost } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { declaration, git } from '../support/cli';
import { assertCliBuilt } from '../support/lifecycleKit';
import { removeWorkspaces, workspace } from '../support/workspace';

/**
 * Issue 16: the header's "Synced" is never shown for a history the remote did not confirm. The
 * operator's quietest rewrite only drops records: this host's ref moved back to an ancestor of what
 * was pushed, nothing written after. The header must then say the history is behind the remote,
 * not "Synced". Real console in Chromium, real git, a bare remote at a path.
 */

let opened: ConsoleHost | null = null;
const pushRegion = (host: ConsoleHost) => host.page.getByRole('region', { name: /^Evidence push:/ });

beforeAll(() => (assertCliBuilt(), assertRendererBuilt()));
afterAll(async () => {
  await opened?.close();
  removeWorkspaces();
});

describe('the push state in the header after a rewrite that only drops records', () => {
  it('says the history is behind the remote, names how many records, and never "Synced"', async () => {
    const ws = await workspace();
    const remote = path.join(ws.dir, 'remote.git');
    git(ws.dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const host = (opened = await launchConsole({ repo: ws.repo, env: ws.env }));
    const { page, backend } = host;
    await page.getByRole('button', { name: 'Declare break-glass' }).waitFor();

    const declared = await backend.dispatch('session.declare', { declaration: declaration() });
    expect(declared.ok).toBe(true);
    await page.getByRole('timer').waitFor();
    const sessionId = (declared as { value: { record: { sessionId: string } } }).value.record.sessionId;
    for (const text of ['Took the state lock backup.', 'Released the stale lock.']) {
      expect((await backend.dispatch('session.note', { sessionId, text })).ok).toBe(true);
    }
    expect((await backend.dispatch('remote.set', { url: remote })).ok).toBe(true);
    expect((await backend.dispatch('push.now', {})).ok).toBe(true);
    await expect.poll(() => pushRegion(host).textContent(), { timeout: 15_000 }).toContain('Synced');

    // The rewrite: this host's ref back two records, as `git update-ref` does it.
    const own = git(ws.repo, ['for-each-ref', '--format=%(refname)', 'refs/heads/hosts/']);
    const tip = git(ws.repo, ['rev-parse', own]);
    git(ws.repo, ['update-ref', own, `${tip}~2`, tip]);

    await expect.poll(() => pushRegion(host).textContent(), { timeout: 15_000 }).toContain('History behind the remote');
    const text = (await pushRegion(host).textContent()) ?? '';
    expect(text).toContain(`2 records the remote confirmed (commit ${tip.slice(0, 12)}) are no longer in this host's history`);
    expect(text).not.toContain('Synced');
    // "Push now" cannot make it synced: the remote keeps the longer history.
    expect((await backend.dispatch('push.now', {})).ok).toBe(true);
    await expect.poll(() => pushRegion(host).textContent(), { timeout: 15_000 }).toContain('History behind the remote');
    await expect.poll(() => page.getByTestId('push-announcer').textContent()).toMatch(/Not synced: this host's history lost 2 records the remote confirmed/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'push-behind');
  });
});
