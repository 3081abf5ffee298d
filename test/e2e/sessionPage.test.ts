import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, launchConsole, type ConsoleHost, type LaunchOptions } from '../browser/host';
import { screenshot, seriousAxeViolations } from '../browser/inPage';
import { CLOSURE, REVIEW, cleanup, declaration, git, jsonFile, runCli, tempDir } from '../support/cli';
import { assertCliBuilt } from '../support/lifecycleKit';
import { removeWorkspaces, workspace, type Workspace } from '../support/workspace';

/**
 * A session's page (issue 6) in Debian's Chromium through the browser test host, on real
 * temporary evidence repositories written by the real CLI (another process, as an operator's
 * terminal would be). Every wait is on a selector or on state, never a fixed sleep.
 */

interface LogEntry {
  seq: number;
  type: string;
  at: string;
  commit: string;
  path: string;
  record: { hash: string; redactions: number; payload: Record<string, unknown> };
}

const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
/** The CLI writes as a host other than the console's: the page must say how fresh that host's records are. */
const OPERATOR_HOST = { BREAKGLASS_HOST_ID: 'ops-laptop', BREAKGLASS_HOST_NAME: 'ops-laptop-7' };

const hosts: ConsoleHost[] = [];
const dirs: string[] = [];

async function launch(ws: Workspace, options: Omit<LaunchOptions, 'repo' | 'env'> = {}): Promise<ConsoleHost> {
  const host = await launchConsole({ repo: ws.repo, env: ws.env, ...options });
  hosts.push(host);
  await host.page.locator('main[aria-busy="false"]').waitFor();
  return host;
}

/** Runs the CLI on the workspace as the operator's host; throws with stderr unless it exits with `expect`. */
async function cli(ws: Workspace, args: string[], expectCode = 0): Promise<string> {
  const r = await runCli(['--repo', ws.repo, ...args], { env: { ...ws.env, ...OPERATOR_HOST }, cwd: ws.dir });
  if (r.code !== expectCode) throw new Error(`breakglass ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function sessionLog(ws: Workspace, sessionId: string): Promise<LogEntry[]> {
  return JSON.parse(await cli(ws, ['--json', 'log', '--session', sessionId])) as LogEntry[];
}

/** A whole session through the CLI: declare, note, two commands (one leaking a key), close, review, a correcting review. */
async function fullSession(ws: Workspace): Promise<{ sessionId: string; firstReviewHash: string }> {
  const decl = declaration({
    governedPathsTried: [
      { path: 'CI/CD pipeline apply', failure: 'State lock held by crashed job 7f3c' },
      { path: 'Platform on-call force-unlock', failure: 'Force-unlock job needs the unreachable backend' },
    ],
  });
  const declared = JSON.parse(await cli(ws, ['--json', 'declare', '--file', jsonFile(ws.dir, 'decl.json', decl)])) as { sessionId: string };
  const { sessionId } = declared;
  await cli(ws, ['note', 'lock released, apply running']);
  await cli(ws, ['exec', '--', 'sh', '-c', `echo out; echo ${AWS_KEY} >&2; exit 7`], 7);
  await cli(ws, ['exec', '--', 'seq', '1', '40']);
  await cli(ws, ['close', '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)]);
  await cli(ws, ['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'review.json', REVIEW)]);
  const first = (await sessionLog(ws, sessionId)).find((e) => e.type === 'reviewed')!;
  const correction = {
    ...REVIEW,
    reviewer: { name: 'Alan Turing', email: 'alan@example.com' },
    outcome: 'justified-with-findings',
    findings: 'The pipeline lock alert fired 20 minutes late.',
    supersedes: first.record.hash,
  };
  await cli(ws, ['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'review-2.json', correction)]);
  return { sessionId, firstReviewHash: first.record.hash };
}

function expectCleanConsole(host: ConsoleHost): void {
  expect(host.cspViolations()).toEqual([]);
  expect(host.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
}

async function openSession(host: ConsoleHost, sessionId: string): Promise<void> {
  await host.page.goto(`${host.url}#/sessions/${sessionId}`);
  await host.page.locator('main[aria-busy="false"]').waitFor();
}

beforeAll(() => {
  assertCliBuilt();
  assertRendererBuilt();
});

afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  cleanup(...dirs.splice(0));
  removeWorkspaces();
});

describe('session page', () => {
  it('shows the declaration, every record with its commit, the redacted output, the verified chain and both reviews', async () => {
    const ws = await workspace();
    const { sessionId, firstReviewHash } = await fullSession(ws);
    const log = await sessionLog(ws, sessionId);
    // Each command's start is committed before it runs (issue 12 item 7), its result after.
    expect(log.map((e) => e.type)).toEqual(['declared', 'note', 'action-started', 'action', 'action-started', 'action', 'closed', 'reviewed', 'reviewed']);
    // The CLI's commits are the repository's: what the page shows is checked against git itself.
    // Issue 14: the records are on the writing hosts' own refs (the reviews on the reviewer's).
    const gitCommits = git(ws.repo, ['log', '--format=%H', '--topo-order', '--branches=hosts/*', '--', `sessions/*/${sessionId}/*`]).split('\n').reverse();
    expect(log.map((e) => e.commit)).toEqual(gitCommits);

    const host = await launch(ws);
    const { page } = host;
    await openSession(host, sessionId);

    await page.getByRole('heading', { level: 2, name: 'Session INC-12345' }).waitFor();
    expect(await page.getByText(sessionId, { exact: true }).isVisible()).toBe(true);
    expect(await page.locator('.sp-head .state').textContent()).toBe('Reviewed: justified with findings');
    expect(await page.getByRole('link', { name: /Back to the board/ }).getAttribute('href')).toBe('#/board');
    // Another host's session on a console with no remote: the page says plainly that nothing newer can arrive.
    expect(await page.getByTestId('staleness').textContent()).toBe('Recorded on another host. Local only: this console has no remote, so nothing newer from ops-laptop-7 can arrive here.');

    // The chain.
    expect(await page.getByRole('status').filter({ hasText: 'Chain verified' }).textContent()).toBe('Chain verified: 9 records, hashes and links intact.');

    // The declaration in full.
    const decl = page.getByRole('region', { name: 'Declaration' });
    const declText = (await decl.textContent()) ?? '';
    for (const expected of [
      'Backend lock integrity prevents recovery',
      'CI/CD pipeline apply', 'Failed: State lock held by crashed job 7f3c',
      'Platform on-call force-unlock', 'Failed: Force-unlock job needs the unreachable backend',
      'Customer API degraded; SLA breach in 45 minutes.',
      'State lock held by a crashed pipeline blocks every governed apply; manual repair is the only path.',
      'Attested: Not for expediency', 'Attested: Not a routine change', 'Attested: Not to avoid governance',
      '30 minutes', 'state-lock', 'production', 'Ada Lovelace <ada@example.com>',
    ]) expect(declText).toContain(expected);

    // Every record, in order, with the commit git has for it (whole id as the text, short on screen).
    const rows = page.locator('table.sp-timeline tbody tr');
    expect(await rows.count()).toBe(log.length);
    for (const [i, e] of log.entries()) {
      const row = rows.nth(i);
      expect(await row.getAttribute('data-seq')).toBe(String(e.seq));
      const commit = row.locator('code.sp-commit');
      expect(await commit.textContent()).toBe(e.commit);
      expect(await commit.getAttribute('title')).toBe(e.commit);
      expect(await row.locator('time').getAttribute('dateTime')).toBe(e.at);
      expect(await row.textContent()).toContain('Local only');
      expect(await row.textContent()).toContain('ops-laptop-7');
    }
    expect(await rows.nth(1).textContent()).toContain('lock released, apply running');
    const leaked = log.find((e) => e.type === 'action')!;
    expect(leaked.record.redactions).toBeGreaterThan(0);
    expect(await rows.nth(log.indexOf(leaked)).locator('.sp-redacted').textContent()).toMatch(/^\d+ secrets? redacted$/);

    // The actions: the command line and output as committed, redacted; exit, duration, hash.
    const actions = page.locator('article.sp-action');
    expect(await actions.count()).toBe(2);
    const first = actions.nth(0);
    expect(await first.locator('.sp-exit').textContent()).toBe('Exit 7');
    const firstOut = (await first.locator('pre.sp-output-text').textContent()) ?? '';
    expect(firstOut).toContain('out');
    expect(firstOut).toContain('[REDACTED:');
    expect(await first.locator('pre.sp-command').textContent()).toMatch(/^sh -c 'echo out; echo .+ >&2; exit 7'$/);
    // Issue 13: the output's HMAC under the host key, not a plain SHA-256 (which would let anyone test a guess).
    expect(await first.textContent()).toContain((leaked.record.payload as { outputHmac: { value: string } }).outputHmac.value);
    expect(await first.getByText(/^Duration$/).count()).toBe(1);
    // The raw key is nowhere on the page.
    expect(await page.content()).not.toContain(AWS_KEY);

    // A long output starts collapsed, and opens with a button.
    const second = actions.nth(1);
    const out = second.locator('pre.sp-output-text');
    expect(await out.textContent()).not.toContain('40');
    const expand = second.getByRole('button', { name: 'Show all 40 lines' });
    expect(await expand.getAttribute('aria-expanded')).toBe('false');
    await expand.click();
    expect(await second.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
    expect(await out.textContent()).toBe(`${Array.from({ length: 40 }, (_, i) => i + 1).join('\n')}\n`);
    await second.getByRole('button', { name: 'Show less' }).click();
    expect(await out.textContent()).not.toContain('40');

    // The closure.
    const closure = (await page.getByRole('region', { name: 'Closure' }).textContent()) ?? '';
    for (const expected of [CLOSURE.summary, 'Re-enabled the pipeline lock', 'Backend locks restored: Yes', 'Signing keys restored: Not applicable', 'Alert on lock age', 'owner Grace Hopper']) {
      expect(closure).toContain(expected);
    }

    // The review in force, and the one it corrected, named as superseded by it.
    const current = page.getByRole('article', { name: /^Current review/ });
    expect(await current.getByRole('heading').textContent()).toBe('Current review: Justified with findings');
    expect(await current.textContent()).toContain('Alan Turing <alan@example.com>');
    expect(await current.textContent()).toContain('The pipeline lock alert fired 20 minutes late.');
    expect(await current.locator('code.sp-hash-short').getAttribute('title')).toBe(firstReviewHash);
    const superseded = page.getByRole('article', { name: 'Superseded review by Grace Hopper' });
    expect(await superseded.locator('.sp-superseded-by').textContent()).toMatch(/^Justified by Grace Hopper, superseded by the review of Alan Turing at /);

    // The session's audit report, from its page: saved where the console keeps reports, with every commit.
    const exportRegion = page.getByRole('region', { name: 'Audit report' });
    await exportRegion.getByRole('button', { name: 'Export Markdown' }).click();
    const saved = await exportRegion.getByText(/^Saved to /).textContent();
    const savedTo = /^Saved to (.+\.md) \(/.exec(saved ?? '')?.[1];
    expect(savedTo, saved ?? '').toBeDefined();
    const markdown = readFileSync(savedTo!, 'utf8');
    for (const c of gitCommits) expect(markdown).toContain(c);
    expect(markdown).toContain(sessionId);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'session-page');
    expectCleanConsole(host);
  });

  it('follows new records as they are committed, for an observer too, and says so when a session is unknown', async () => {
    const ws = await workspace();
    const { sessionId } = JSON.parse(await cli(ws, ['--json', 'declare', '--file', jsonFile(ws.dir, 'decl.json', declaration())])) as { sessionId: string };
    // A remote appears after the declaration: nothing fetched from it, nothing pushed to it yet.
    const shared = path.join(ws.dir, 'shared.git');
    git(ws.dir, ['init', '--quiet', '--bare', shared]);
    await cli(ws, ['remote', 'set', shared]);
    const host = await launch(ws, { observer: true });
    const { page } = host;
    expect(await page.getByText('Observer (read-only)').isVisible()).toBe(true);
    await openSession(host, sessionId);
    const rows = page.locator('table.sp-timeline tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.nth(0).locator('.sp-badge').textContent()).toBe('Pending');
    // Another host's session: how fresh the page is, in words, and updated by a fetch.
    // (The board, where the observer's console opens, fetches once on opening: until that fetch has
    // ended the page truthfully says it never fetched, so wait for it rather than race it.)
    const staleness = page.getByTestId('staleness');
    const asOf = /^Recorded on another host\. As of the last fetch (now|\d+ seconds? ago) \(.+\): records made on ops-laptop-7 since then are not shown yet\.$/;
    await expect.poll(() => staleness.textContent(), { timeout: 10_000 }).toMatch(asOf);
    const fetched = await host.backend.dispatch('sync.fetch', {});
    if (!fetched.ok) throw new Error(fetched.error.message);
    const lastFetchAt = (fetched.value as { lastFetchAt: string | null }).lastFetchAt;
    expect(lastFetchAt).not.toBeNull();
    await expect.poll(() => staleness.locator('time').getAttribute('dateTime')).toBe(lastFetchAt);
    expect(await staleness.textContent()).toMatch(asOf);
    // Active: a live countdown from the absolute expiry.
    expect(await page.getByRole('timer').textContent()).toMatch(/^\d{2}:\d{2} left$/);
    expect(await page.locator('.sp-head .state').textContent()).toBe('Active');
    expect(await page.getByRole('region', { name: 'Closure' }).textContent()).toContain('Not closed: the session is still active.');

    // The operator's terminal commits a note: the page shows it without a reload.
    await cli(ws, ['note', 'second note from the terminal']);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    expect(await rows.nth(1).textContent()).toContain('second note from the terminal');
    const log = await sessionLog(ws, sessionId);
    expect(await rows.nth(1).locator('code.sp-commit').textContent()).toBe(log[1]!.commit);
    expect(await page.getByRole('status').filter({ hasText: 'Chain verified' }).textContent()).toBe('Chain verified: 2 records, hashes and links intact.');
    // Nothing on the page writes: an observer's page has no form and no button but the output toggles.
    expect(await page.locator('main form').count()).toBe(0);

    await openSession(host, 'bg-20200101-000000-deadbeef');
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toContain('No session bg-20200101-000000-deadbeef in this evidence repository.');
    expect(await alert.getByRole('link', { name: 'Go to the board' }).getAttribute('href')).toBe('#/board');
    expectCleanConsole(host);
  });

  it('states plainly which record breaks the chain when the evidence was altered', async () => {
    const ws = await workspace();
    const { sessionId } = JSON.parse(await cli(ws, ['--json', 'declare', '--file', jsonFile(ws.dir, 'decl.json', declaration())])) as { sessionId: string };
    await cli(ws, ['note', 'the original words']);
    const note = (await sessionLog(ws, sessionId)).find((e) => e.type === 'note')!;
    // Someone with write access rewrites the note's text in a later commit (git history is append-only; the record is not).
    const work = tempDir('bg-tamper-');
    dirs.push(work);
    git(work, ['clone', '--quiet', ws.repo, '.']);
    // The record is on the operator host's own ref (issue 14): the edit is a fast-forward of it.
    const ownRef = `hosts/${OPERATOR_HOST.BREAKGLASS_HOST_ID}`;
    git(work, ['checkout', '--quiet', '-B', 'edit', `origin/${ownRef}`]);
    const file = path.join(work, note.path);
    writeFileSync(file, readFileSync(file, 'utf8').replace('the original words', 'some other words'));
    git(work, ['commit', '--quiet', '-am', 'edit a record']);
    git(work, ['push', '--quiet', 'origin', `HEAD:refs/heads/${ownRef}`]);

    const host = await launch(ws);
    await openSession(host, sessionId);
    const alert = host.page.getByRole('alert').filter({ hasText: 'Chain verification failed' });
    await alert.waitFor();
    expect(await alert.getByRole('heading').textContent()).toMatch(/^Chain verification failed: \d+ problems?$/);
    expect(await alert.locator('li').first().textContent()).toMatch(/^Record #2: /);
    expect(await host.page.getByText('Chain verified').count()).toBe(0);
    expectCleanConsole(host);
  });
});
