import { describe, expect, it } from 'vitest';
import { CONTROLS } from '../../app/controls';
import type { LedgerEntry } from '../../app/ports';
import { buildReport } from '../../app/report/build';
import { reportFileName } from '../../app/report/files';
import { renderHtml } from '../../app/report/html';
import { renderMarkdown } from '../../app/report/markdown';
import { input, POLICY_SHA, session, view } from '../support/reportLedger';

const S_EARLY = session({ id: 'bg-20261101-080000-00000001', at: '2026-11-01T08:00:00.000Z', incident: 'INC-1001', close: {}, reviews: [{ outcome: 'justified' }] });
const S_MAIN = session({
  id: 'bg-20261110-093000-00000002', at: '2026-11-10T09:30:00.000Z', incident: 'INC-1002', commands: [['terraform', 'force-unlock', '7f3c'], ['psql', '-f', '/srv/data-repair/fix orders.sql']], note: 'lock released <script>alert(1)</script> | pipe',
  close: { followUps: [{ action: 'Alert on lock age', owner: 'Platform team', due: '2026-11-20' }, { action: 'Write runbook', owner: 'Ada Lovelace', due: '2027-01-15' }] },
  reviews: [
    { outcome: 'not-justified', findings: 'First take, corrected below.' },
    { outcome: 'justified-with-findings', findings: 'Warranted; alerting was missing.', followUps: [{ action: 'Add lock-timeout alerting', owner: 'SRE', due: '2026-12-15' }], supersedesPrevious: true },
  ],
});
const S_PREPROD = session({ id: 'bg-20261115-140000-00000003', at: '2026-11-15T14:00:00.000Z', incident: 'INC-1003', environment: 'pre-production', close: {} });
const S_LATE = session({ id: 'bg-20261130-235959-00000004', at: '2026-11-30T23:59:59.000Z', incident: 'INC-1004' });
const S_AFTER = session({ id: 'bg-20261201-000000-00000005', at: '2026-12-01T00:00:00.000Z', incident: 'INC-1005' });
const ALL = view([S_AFTER, S_LATE, S_PREPROD, S_MAIN, S_EARLY]);
const commitsOf = (s: LedgerEntry[]) => s.map((e) => e.commit);

describe('period report (Markdown)', () => {
  const md = renderMarkdown(buildReport(input(ALL, { from: '2026-11-01', to: '2026-11-30' })));

  it('contains every evidence commit of every session in range, in full', () => {
    for (const s of [S_EARLY, S_MAIN, S_PREPROD, S_LATE]) for (const c of commitsOf(s)) expect(md).toContain(`\`${c}\``);
  });

  it('excludes sessions declared outside the period (whole UTC days, inclusive)', () => {
    for (const c of commitsOf(S_AFTER)) expect(md).not.toContain(c);
    expect(md).not.toContain('INC-1005');
    // 23:59:59 on the last day is inside.
    expect(md).toContain('INC-1004');
  });

  it('orders sessions by declaration time and starts with the summary table', () => {
    const order = ['INC-1001', 'INC-1002', 'INC-1003', 'INC-1004'].map((id) => md.indexOf(`## Session bg-`, md.indexOf(id) - 200) >= 0 ? md.indexOf(`(${id})`) : -1);
    expect(order.every((x) => x > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Session'));
    expect(md).toMatch(/\| Sessions declared in the period \| 4 \|/);
    expect(md).toMatch(/\| Environment pre-production \| 1 \|/);
    expect(md).toMatch(/\| Environment production \| 3 \|/);
    expect(md).toMatch(/\| Reviews: justified with findings \| 1 \|/);
    // The superseded "not justified" review is not counted: only the review in force is.
    expect(md).toMatch(/\| Reviews: not justified \| 0 \|/);
    // INC-1003 closed 2026-11-15, due 2026-11-20: overdue on 2026-11-28.
    expect(md).toMatch(/\| Reviews overdue \| 1 \|/);
  });

  it('states each session\'s chain result', () => {
    expect(md.match(/\*\*Chain verified:\*\* /g)?.length).toBe(4);
  });

  it('maps every control of the seed, each with its evidence records', () => {
    for (const id of Object.keys(CONTROLS)) expect(md).toContain(`| ${id} |`);
    // A.6.2 (segregation of duties) is evidenced by the reviews: session, seq, abbreviated commit.
    const reviewed = S_MAIN.filter((e) => e.record.type === 'reviewed');
    const section = md.slice(md.indexOf('### ISO27001:A.6.2'));
    for (const e of reviewed) expect(section).toContain(`#${e.record.seq} reviewed \`${e.commit.slice(0, 12)}\``);
    // Nothing in the period evidences A.12.3 (backup): only writer-lock recovery does.
    expect(md).toMatch(/\| ISO27001:A\.12\.3 \| Backup \(seed §4\) \| no evidence in this period \|/);
  });

  it('lists open follow-ups with owner and due date, overdue ones marked, superseded reviews\' ignored', () => {
    expect(md).toMatch(/\| INC-1002 bg-20261110-093000-00000002 \| closure \| Alert on lock age \| Platform team \| 2026-11-20 \| OVERDUE \|/);
    expect(md).toMatch(/\| closure \| Write runbook \| Ada Lovelace \| 2027-01-15 \| open \|/);
    expect(md).toMatch(/\| review \| Add lock-timeout alerting \| SRE \| 2026-12-15 \| open \|/);
    expect(md).toMatch(/\| Open follow-ups \(overdue\) \| 3 \(1\) \|/);
  });

  it('shows both reviews, the superseded one marked', () => {
    expect(md).toMatch(/not justified \| real emergency \| First take, corrected below\. \| superseded \|/);
    expect(md).toMatch(/justified with findings \| real emergency \| Warranted; alerting was missing\. \| in force \|/);
  });

  it('lists declared scopes and each recorded command line', () => {
    expect(md).toContain('Declared scopes: `state-lock` (Backend lock repair), `diagnostics` (Read-only diagnostics)');
    expect(md).toContain('`terraform force-unlock 7f3c`');
    expect(md).toContain("`psql -f '/srv/data-repair/fix orders.sql'`");
    // The second command names a scope the policy knows but the declaration did not ask for.
    expect(md).toMatch(/`psql [^\n]*\| exit 0 \| UNDECLARED data-repair \|/);
    expect(md).toContain('Declared scopes no action names: state-lock, diagnostics.');
  });

  it('escapes evidence text so a note cannot become markup', () => {
    expect(md).toContain('lock released &lt;script&gt;alert(1)&lt;/script&gt; \\| pipe');
    expect(md).not.toContain('<script>');
  });

  it('names the policy in force and how to check the report independently, with no credential of the remote', () => {
    expect(md).toContain(`sha256 \`${POLICY_SHA}\``);
    expect(md).toContain('reviewWindowDays: 5');
    expect(md).toContain('breakglass verify --repo evidence');
    expect(md).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    const first = S_EARLY[0]!;
    const last = S_LATE[S_LATE.length - 1]!;
    expect(md).toContain(`log --format='%H %an <%ae> %s' ${first.commit}^..${last.commit}`);
    expect(md).toContain(`show ${first.commit}:${first.path}`);
  });
});

describe('scoping', () => {
  it('a period restricted to one environment leaves the others out', () => {
    const md = renderMarkdown(buildReport(input(ALL, { from: '2026-11-01', to: '2026-11-30', environment: 'pre-production' })));
    expect(md).toContain('INC-1003');
    for (const s of [S_EARLY, S_MAIN, S_LATE]) for (const c of commitsOf(s)) expect(md).not.toContain(c);
    expect(md).toMatch(/\| Sessions declared in the period \| 1 \|/);
  });

  it('an empty period says so, and that no control has evidence', () => {
    const md = renderMarkdown(buildReport(input(ALL, { from: '2025-01-01', to: '2025-01-31' })));
    expect(md).toContain('No break-glass session was declared in this period.');
    expect(md.match(/no evidence in this period/g)?.length).toBe(Object.keys(CONTROLS).length);
    expect(md).toContain('This report contains no record, so no commit range.');
  });

  it('a session report holds that session only, with its chain result', () => {
    const model = buildReport(input(ALL, { sessionId: 'bg-20261110-093000-00000002' }));
    expect(model.sessions.map((s) => s.incidentId)).toEqual(['INC-1002']);
    expect(model.summary).toBeNull();
    const md = renderMarkdown(model);
    for (const c of commitsOf(S_MAIN)) expect(md).toContain(c);
    for (const c of commitsOf(S_EARLY)) expect(md).not.toContain(c);
    expect(md).toContain('**Chain verified:** 7 records');
  });

  it('a broken chain is reported as FAILED with the record it concerns', () => {
    const tampered = S_EARLY.map((e, i) => (i === 1 ? { ...e, record: { ...e.record, at: '2026-11-01T08:30:00.000Z' } } : e)) as LedgerEntry[];
    const md = renderMarkdown(buildReport(input(view([tampered]), { sessionId: 'bg-20261101-080000-00000001' })));
    expect(md).toContain('**Chain FAILED: 1 problem.**');
    expect(md).toContain('- #2 (commit ');
    expect(md).toContain('changed after sealing');
  });

  it('repository-wide problems of a session are listed beside its chain result', () => {
    const check = { ok: false, head: 'e'.repeat(40), sessions: 5, records: 20, commitsChecked: 20, comparedWithRemote: null, problems: [{ sessionId: 'bg-20261101-080000-00000001', seq: 1, path: null, commit: S_EARLY[0]!.commit, message: 'Committed by Mallory <m@example.com>, but the record names Ada Lovelace <ada@example.com>.' }] };
    const md = renderMarkdown(buildReport(input(ALL, { sessionId: 'bg-20261101-080000-00000001' }, { repositoryCheck: check })));
    expect(md).toContain('Repository verification (breakglass verify): FAILED, 1 problem');
    expect(md).toContain('**Repository verification for this session: 1 problem.**');
    expect(md).toContain('Committed by Mallory');
  });
});

describe('HTML', () => {
  const html = renderHtml(buildReport(input(ALL, { from: '2026-11-01', to: '2026-11-30' })));

  it('is one self-contained, inert document: no script, no external resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/i);
    expect(html).toContain('lock released &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('puts each session on its own page and holds the same commits as the Markdown', () => {
    expect(html.match(/<section class="session">/g)?.length).toBe(4 + 1); // four sessions and the control mapping
    for (const s of [S_EARLY, S_MAIN, S_PREPROD, S_LATE]) for (const c of commitsOf(s)) expect(html).toContain(`<code>${c}</code>`);
    expect(html).toContain('@page { size: A4');
  });
});

describe('file names', () => {
  it('name the session or the period', () => {
    expect(reportFileName({ sessionId: 'bg-20261110-093000-00000002' }, 'pdf')).toBe('breakglass-report-bg-20261110-093000-00000002.pdf');
    expect(reportFileName({ from: '2026-11-01', to: '2026-11-30', environment: 'production' }, 'md')).toBe('breakglass-report-2026-11-01_2026-11-30-production.md');
  });
});
