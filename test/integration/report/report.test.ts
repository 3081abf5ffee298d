import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSURE, REVIEW, ROOT, cleanup, declaration, jsonFile } from '../../support/cli';
import { assertCliBuilt, gitx, sessionLog, workspace, type Workspace } from '../../support/lifecycleKit';
import { openContext } from '../../../main/application/context';
import { nodeHostInfo } from '../../../main/host/hostInfo';

/**
 * Issue 7, "Report": the real CLI on a real evidence repository. Sessions are declared, acted in,
 * closed and reviewed through the CLI; one older session through the service with its clock ten
 * days back (only the clock is faked), so the period boundaries are exercised.
 */

const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const DAY = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const tenDaysAgo = new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10);

beforeAll(() => assertCliBuilt());

/** The commits that added a session's records, from git itself (not from the CLI). */
function commitsOf(ws: Workspace, sessionId: string): string[] {
  // Issue 14: the records are on the host's own ref (every branch is read).
  return gitx(ws.repo, ['log', '--format=%H', '--branches', '--', `sessions/*${sessionId}/*`]).split('\n').filter(Boolean);
}

/** A session's commits other than the branch head (which every report names as the head it was made at). */
function commitsBelowHead(ws: Workspace, sessionId: string): string[] {
  const head = gitx(ws.repo, ['rev-parse', 'refs/heads/hosts/test-host']).trim();
  return commitsOf(ws, sessionId).filter((c) => c !== head);
}

describe('breakglass report', () => {
  let ws: Workspace;
  const ids: Record<'main' | 'preprod' | 'old', string> = { main: '', preprod: '', old: '' };

  const declare = async (overrides: Record<string, unknown>, name: string): Promise<string> => {
    const r = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, name, declaration(overrides))]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { sessionId: string }).sessionId;
  };

  beforeAll(async () => {
    // Sessions of ten days ago that no commander acknowledged: this policy does not ask for it
    // (issue 16's default would make each a verify finding, which is not what these reports test).
    ws = await workspace({ policy: { acknowledgement: { declared: 'optional', withinMinutes: 15 } } });
    // Ten days ago: declared and closed through the service with its clock set back.
    const past = await openContext({
      repo: ws.repo,
      clock: { now: () => Date.now() - 10 * DAY, monotonicMs: () => performance.now() },
      host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: 'test-host' }),
    });
    const old = await past.service.declare(declaration({ incidentId: 'INC-3003' }));
    ids.old = old.state.sessionId;
    await past.service.close({ sessionId: ids.old }, CLOSURE);

    // Today, production: an action, a note, closure with an overdue follow-up, a review and its correction.
    ids.main = await declare({ incidentId: 'INC-1001' }, 'decl-main.json');
    const exec = await ws.cli(['exec', '--session', ids.main, '--', 'echo', 'report-check']);
    expect(exec.code, exec.stderr).toBe(0);
    expect((await ws.cli(['note', '--session', ids.main, 'lock released <b>not markup</b>'])).code).toBe(0);
    const closure = { ...CLOSURE, followUps: [{ action: 'Alert on lock age', owner: 'Grace Hopper', due: '2020-01-15' }] };
    expect((await ws.cli(['close', '--session', ids.main, '--file', jsonFile(ws.dir, 'closure-main.json', closure)])).code).toBe(0);
    expect((await ws.cli(['review', '--session', ids.main, '--file', jsonFile(ws.dir, 'review-1.json', { ...REVIEW, outcome: 'not-justified', findings: 'Entered in error.' })])).code).toBe(0);
    const first = (await sessionLog(ws, ids.main)).find((e) => e.type === 'reviewed')!;
    const correction = { ...REVIEW, outcome: 'justified-with-findings', findings: 'Warranted; alerting was missing.', supersedes: first.record.hash };
    const r2 = await ws.cli(['review', '--session', ids.main, '--file', jsonFile(ws.dir, 'review-2.json', correction)]);
    expect(r2.code, r2.stderr).toBe(0);

    // Today, pre-production: declared and closed.
    ids.preprod = await declare({ incidentId: 'INC-2002', environment: 'pre-production' }, 'decl-pre.json');
    expect((await ws.cli(['close', '--session', ids.preprod, '--file', jsonFile(ws.dir, 'closure-pre.json', CLOSURE)])).code).toBe(0);
  }, 120_000);
  afterAll(() => cleanup(ws?.dir));

  it('--session: the Markdown holds every commit of the session (as git lists them) and the chain result', async () => {
    const r = await ws.cli(['report', '--session', ids.main, '--format', 'md']);
    expect(r.code, r.stderr).toBe(0);
    const commits = commitsOf(ws, ids.main);
    expect(commits).toHaveLength(7); // declared, action-started, action, note, closed, reviewed, reviewed
    for (const c of commits) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('**Chain verified:** 7 records');
    expect(r.stdout).toMatch(/Repository verification \(breakglass verify\): OK/);
    expect(r.stdout).toContain('`echo report-check`');
    expect(r.stdout).toMatch(/\| Alert on lock age \| Grace Hopper \| 2020-01-15 \| OVERDUE \|/);
    expect(r.stdout).toMatch(/not justified \| real emergency \| Entered in error\. \| superseded \|/);
    expect(r.stdout).toMatch(/justified with findings \| real emergency \| Warranted; alerting was missing\. \| in force \|/);
    expect(r.stdout).toContain(`breakglass verify --repo evidence`);
    expect(r.stdout).toContain(ws.repo);
    for (const c of commitsBelowHead(ws, ids.preprod)) expect(r.stdout).not.toContain(c);
  });

  it('--from --to: every commit of every session in range, the others left out', async () => {
    const r = await ws.cli(['report', '--from', today, '--to', today]);
    expect(r.code, r.stderr).toBe(0);
    for (const id of [ids.main, ids.preprod]) for (const c of commitsOf(ws, id)) expect(r.stdout).toContain(c);
    for (const c of commitsOf(ws, ids.old)) expect(r.stdout).not.toContain(c);
    expect(r.stdout).not.toContain('INC-3003');
    expect(r.stdout.match(/\*\*Chain verified:\*\* /g)).toHaveLength(2);
    expect(r.stdout).toMatch(/\| Sessions declared in the period \| 2 \|/);
    // Sessions ordered by declaration time, after the summary.
    expect(r.stdout.indexOf('## Summary')).toBeLessThan(r.stdout.indexOf(`## Session ${ids.main}`));
    expect(r.stdout.indexOf(`## Session ${ids.main}`)).toBeLessThan(r.stdout.indexOf(`## Session ${ids.preprod}`));

    const wide = await ws.cli(['report', '--from', tenDaysAgo, '--to', today, '--environment', 'production']);
    expect(wide.code, wide.stderr).toBe(0);
    for (const id of [ids.old, ids.main]) for (const c of commitsOf(ws, id)) expect(wide.stdout).toContain(c);
    for (const c of commitsBelowHead(ws, ids.preprod)) expect(wide.stdout).not.toContain(c);
    expect(commitsBelowHead(ws, ids.preprod)).toHaveLength(1);
    expect(wide.stdout.indexOf(`## Session ${ids.old}`)).toBeLessThan(wide.stdout.indexOf(`## Session ${ids.main}`));
  });

  it('--format html escapes evidence text and --json --out says where it went', async () => {
    const out = path.join(ws.dir, 'report.html');
    const r = await ws.cli(['--json', 'report', '--session', ids.main, '--format', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { fileName: string; savedTo: string; bytes: number };
    expect(j).toEqual({ fileName: `breakglass-report-${ids.main}.html`, savedTo: out, bytes: statSync(out).size });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('lock released &lt;b&gt;not markup&lt;/b&gt;');
    expect(html).not.toContain('<b>not markup</b>');
    expect(statSync(out).mode & 0o077).toBe(0); // the report quotes evidence: private to the user
  });

  it('--format pdf --out: the PDF\'s text holds the incident IDs; its pages are saved as PNGs', async () => {
    const pdf = path.join(ws.dir, 'period.pdf');
    const r = await ws.cli(['report', '--from', tenDaysAgo, '--to', today, '--format', 'pdf', '--out', pdf]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Report written to ${pdf}`);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text.status, text.stderr).toBe(0);
    for (const incident of ['INC-1001', 'INC-2002', 'INC-3003']) expect(text.stdout).toContain(incident);
    expect(text.stdout).toContain('Checking this report independently');
    // Each session starts a page: three sessions, plus the summary and the control mapping.
    const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1])).toBeGreaterThanOrEqual(5);
    expect(info.stdout).toMatch(/Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const png = spawnSync('pdftoppm', ['-png', '-r', '50', pdf, path.join(SCREENSHOTS, 'report-pdf')], { encoding: 'utf8' });
    expect(png.status, png.stderr).toBe(0);
    expect(readdirSync(SCREENSHOTS).filter((f) => /^report-pdf-\d+\.png$/.test(f)).length).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('--format pdf without --out writes the report under its own name in the current folder', async () => {
    const cwd = path.join(ws.dir, 'cwd');
    mkdirSync(cwd);
    const r = await ws.cli(['report', '--session', ids.preprod, '--format', 'pdf'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(cwd, `breakglass-report-${ids.preprod}.pdf`);
    expect(existsSync(file)).toBe(true);
    expect(r.stdout).toContain(file);
  }, 60_000);

  it('PDF with BREAKGLASS_CHROMIUM pointing nowhere: the clear message, a non-zero exit, no file', async () => {
    const cwd = path.join(ws.dir, 'nochromium');
    mkdirSync(cwd);
    const r = await ws.cli(['report', '--session', ids.main, '--format', 'pdf'], { cwd, env: { ...ws.env, BREAKGLASS_CHROMIUM: path.join(ws.dir, 'no-such-chromium') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PDF needs Chromium: install it (Debian: apt-get install chromium) or set BREAKGLASS_CHROMIUM, or export Markdown/HTML');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('bad scopes are refused with a clear error and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--from', '2026-13-01', '--to', '2027-01-31'], /The first day of the period, 2026-13-01, is not a calendar date/],
      [['--from', '2026-02-30', '--to', '2026-03-01'], /2026-02-30, is not a calendar date/],
      [['--from', '28/11/2026', '--to', '2026-12-01'], /from: Give the date as YYYY-MM-DD/],
      [['--from', '2026-12-01', '--to', '2026-11-01'], /The period ends before it starts/],
      [['--from', '2026-12-01'], /Give the last day of the period/],
      [[], /Give the first day of the period \(YYYY-MM-DD\), or a session/],
      [['--session', ids.main, '--from', '2026-11-01', '--to', '2026-11-30'], /either a session or a period/],
      [['--session', 'bg-20200101-000000-00000000'], /No session bg-20200101-000000-00000000/],
      [['--session', ids.main, '--format', 'docx'], /Allowed choices are md, html, pdf/],
    ];
    for (const [args, message] of cases) {
      const r = await ws.cli(['report', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});
