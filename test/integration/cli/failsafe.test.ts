import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSURE, REVIEW, cleanup, cliEnv, declaration, jsonFile } from '../../support/cli';
import { assertCliBuilt, gitx, sessionLog, workspace, workspacePerBlock, type Workspace } from '../../support/lifecycleKit';
import { ChainBuilder } from '../../support/records';
import { sealRecord } from '../../../app/ledger';
import { recordPath } from '../../../app/records';

/**
 * Issue 12, found from outside and reproduced on main: each test here failed before its fix.
 * The CLI runs as a real child process on a real repository.
 */

beforeAll(() => assertCliBuilt());

/** Every branch's tip (issue 14: the records are on the host's own ref, the policy on main). */
const headOf = (ws: Workspace) => gitx(ws.repo, ['for-each-ref', 'refs/heads/']).trim();

describe('item 6: only the host that declared a session acts in it', () => {
  let ws: Workspace;
  let sessionId = '';
  beforeAll(async () => {
    ws = await workspace();
    const d = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'd.json', declaration())]);
    expect(d.code, d.stderr).toBe(0);
    sessionId = (JSON.parse(d.stdout) as { sessionId: string }).sessionId;
  });
  afterAll(() => cleanup(ws?.dir));

  it('refuses note, exec, extend and close from another host with exit 1, writing nothing', async () => {
    const other = cliEnv(ws.data, { BREAKGLASS_HOST_ID: 'other-host' });
    const before = headOf(ws);
    const attempts = [
      ['note', '--session', sessionId, 'written from the wrong host'],
      ['extend', '--session', sessionId, '--minutes', '5', '--reason', 'more time'],
      ['close', '--session', sessionId, '--file', jsonFile(ws.dir, 'c.json', CLOSURE)],
    ];
    for (const args of attempts) {
      const r = await ws.cli(args, { env: other });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/declared on host .*only that host can add to it/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const exec = await ws.cli(['exec', '--session', sessionId, '--', 'true'], { env: other });
    expect(exec.code).toBe(125);
    expect(exec.stderr).toMatch(/only that host can add to it/);
    expect(headOf(ws)).toBe(before);
    expect((await sessionLog(ws, sessionId)).map((e) => e.type)).toEqual(['declared']);
  });

  it('still lets the declaring host act, and another host review once closed', async () => {
    expect((await ws.cli(['note', '--session', sessionId, 'from the right host'])).code).toBe(0);
    expect((await ws.cli(['close', '--session', sessionId, '--file', jsonFile(ws.dir, 'c.json', CLOSURE)])).code).toBe(0);
    const review = await ws.cli(['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'r.json', REVIEW)], { env: cliEnv(ws.data, { BREAKGLASS_HOST_ID: 'reviewer-host' }) });
    expect(review.code, review.stderr).toBe(0);
    expect((await sessionLog(ws, sessionId)).map((e) => e.type)).toEqual(['declared', 'note', 'closed', 'reviewed']);
    expect((await ws.cli(['verify'])).code).toBe(0);
  });
});

describe('item 8: the same person cannot review under an e-mail tag or a reversed name', () => {
  let ws: Workspace;
  afterAll(() => cleanup(ws?.dir));
  it('refuses "Lovelace, Ada <ada+review@example.com>" on Ada\'s session', async () => {
    ws = await workspace();
    const d = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'd.json', declaration())]);
    const sessionId = (JSON.parse(d.stdout) as { sessionId: string }).sessionId;
    expect((await ws.cli(['close', '--file', jsonFile(ws.dir, 'c.json', CLOSURE)])).code).toBe(0);
    const r = await ws.cli(['review', '--session', sessionId, '--file', jsonFile(ws.dir, 'r.json', { ...REVIEW, reviewer: { name: 'Lovelace, Ada', email: 'ada+review@example.com' } })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/operated session/);
    expect((await sessionLog(ws, sessionId)).map((e) => e.type)).toEqual(['declared', 'closed']);
  });
});

describe('item 13: input that used to be committed, or crashed, is refused by field', () => {
  const ws = workspacePerBlock();

  it('a NUL in the justification exits 2 naming the field, and nothing is committed', async () => {
    const before = headOf(ws);
    const r = await ws.cli(['--json', 'declare', '--file', jsonFile(ws.dir, 'nul.json', declaration({ justification: `${declaration().justification as string}\u0000` }))]);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stderr) as { error: { field: string } }).error.field).toBe('justification');
    expect(headOf(ws)).toBe(before);
  });

  it('a lone surrogate exits 2 naming the field, not "Unexpected failure" with exit 4', async () => {
    const file = `${ws.dir}/surrogate.json`;
    // JSON's \ud800 escape is how a lone surrogate reaches the CLI from a file.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(declaration()).replace('Customer API', 'Customer \\ud800 API'));
    const r = await ws.cli(['--json', 'declare', '--file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/Unexpected failure/);
    expect((JSON.parse(r.stderr) as { error: { field: string } }).error.field).toBe('materialRisk');
  });

  it('an escape sequence in the operator name exits 2 and the error does not echo it', async () => {
    const r = await ws.cli(['declare', '--file', jsonFile(ws.dir, 'esc.json', declaration({ operator: { name: 'Ada \u001b]0;owned\u0007Lovelace', email: 'ada@example.com' } }))]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toMatch(/name contains a control character/);
  });
});

describe('item 13: the command line never repeats free text in an error, and takes notes that start with "-"', () => {
  const ws = workspacePerBlock();

  it('refuses an unknown option with exit 2 without repeating it (it may be a secret typed in the wrong place)', async () => {
    for (const args of [['status', '-pS3cretValue42'], ['S3cretValue42'], ['report', '--format', 'S3cretValue42']]) {
      const r = await ws.cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toContain('S3cretValue42');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^breakglass: .*--help/);
    }
  });

  it('records a note that starts with "-" as typed', async () => {
    expect((await ws.cli(['declare', '--file', jsonFile(ws.dir, 'd.json', declaration())])).code).toBe(0);
    const r = await ws.cli(['--json', 'note', '-lock', 'released,', 'apply', 'running']);
    expect(r.code, r.stderr).toBe(0);
    const { sessionId } = JSON.parse(r.stdout) as { sessionId: string };
    const note = (await sessionLog(ws, sessionId)).find((e) => e.type === 'note')!;
    expect(note.record.payload).toEqual({ text: '-lock released, apply running' });
  });

  it('prints the review template without --session, and asks for --session otherwise', async () => {
    const t = await ws.cli(['review', '--template']);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toHaveProperty('reviewer');
    const r = await ws.cli(['review', '--file', jsonFile(ws.dir, 'r.json', REVIEW)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--session ID/);
  });
});

describe('item 12: nothing the CLI prints for a person can drive their terminal', () => {
  let ws: Workspace;
  afterAll(() => cleanup(ws?.dir));
  it('log and status show a pushed record holding escape sequences (written before inputs were checked) escaped, not raw', async () => {
    ws = await workspace();
    // A record from before control characters were refused at input: a valid, sealed, correctly
    // authored record whose incident id retitles the terminal, clears it and opens a hyperlink.
    const chain = new ChainBuilder('bg-20261128-094826-0e5c0e5c');
    chain.declared();
    const declared = chain.records()[0]!;
    const evil = 'https://alerts.example.com/\u001b]0;pwned\u0007\u001b[2J\u001b]8;;https://evil.example/\u001b\\x';
    const unsealed = { ...declared, payload: { ...declared.payload, declaration: { ...(declared.payload as { declaration: Record<string, unknown> }).declaration, incidentId: evil } } } as Record<string, unknown>;
    delete unsealed.hash; delete unsealed.prev; delete unsealed.seq; delete unsealed.controls; delete unsealed.v;
    const record = sealRecord(undefined, unsealed as never);
    const work = `${ws.dir}/clone`;
    gitx(ws.dir, ['clone', '--quiet', ws.repo, work]);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const file = recordPath(record, record.at);
    mkdirSync(`${work}/${file.slice(0, file.lastIndexOf('/'))}`, { recursive: true });
    writeFileSync(`${work}/${file}`, `${JSON.stringify(record, null, 2)}\n`);
    gitx(work, ['add', '-A']);
    gitx(work, ['commit', '--quiet', '-m', 'old record'], { env: { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com' } });
    gitx(work, ['push', '--quiet', 'origin', 'HEAD:main']);
    for (const args of [['log'], ['log', '--session', record.sessionId], ['status']]) {
      const r = await ws.cli(args);
      const printed = r.stdout + r.stderr;
      // eslint-disable-next-line no-control-regex -- the point is that no control character is printed
      expect(printed, args.join(' ')).not.toMatch(/[\u001b\u0007\u009b]/);
      if (args.length === 1 && args[0] === 'log') expect(printed).toContain('\\x1b]0;pwned\\x07');
    }
  });
});
