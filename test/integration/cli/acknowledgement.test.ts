import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration, jsonFile, runCli, CLOSURE } from '../../support/cli';
import { assertCliBuilt, gitx, workspace, type Workspace } from '../../support/lifecycleKit';
import type { People } from '../../support/signingKit';
import { commanderHosts } from '../../support/commanderHosts';
import type { VerifyResult } from '../../../app/verifyResult';

// Issue 16, the commander's acknowledgement offline, through the real CLI and real git: an
// operator host and a commander host, two clones of one bare remote, that cannot reach each other
// during the exchange — the codes are carried between them as strings only, as by phone or radio.
// Real ssh-agents and keys: Ada operates, Grace is the incident commander.

let ws: Workspace;
let people: People;
let commanderRepo = '';
let commanderEnv: NodeJS.ProcessEnv = {};

const asAda = () => ({ ...ws.env, SSH_AUTH_SOCK: people.ada.agent.socket });
const operator = (args: string[], via?: string[]) => runCli(['--repo', ws.repo, ...args], { env: asAda(), ...(via ? { via } : {}) });
const commander = (args: string[]) => runCli(['--repo', commanderRepo, ...args], { env: commanderEnv });
const json = <T>(r: { code: number | null; stdout: string; stderr: string }, what: string): T => {
  expect(r.code, `${what}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
};
const verifyOn = async (run: (args: string[]) => ReturnType<typeof runCli>) => JSON.parse((await run(['--json', 'verify'])).stdout) as VerifyResult;
const ackOf = (report: VerifyResult, sessionId: string, event = 'declared') => report.acknowledgements!.find((a) => a.sessionId === sessionId && a.event === event);

beforeAll(async () => {
  assertCliBuilt();
  // The roster: Ada (operator, roster admin), and Grace, the incident commander, on her own host.
  ({ ws, people, commanderRepo, commanderEnv } = await commanderHosts({ graceRoles: 'reviewer,commander' }));
}, 120_000);
afterAll(() => people?.stop());

describe('the acknowledgement round trip between hosts that cannot reach each other (issue 16)', () => {
  let sessionId = '';
  let challenge = '';
  let response = '';

  it('declare shows the code of its commit; the commander acknowledges it offline and gets a response code', async () => {
    const declared = await operator(['declare', '--file', jsonFile(ws.dir, 'd1.json', declaration())]);
    expect(declared.code, declared.stderr).toBe(0);
    const m = /Read this declaration code to the incident commander: ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(declared.stdout);
    expect(m, declared.stdout).not.toBeNull();
    challenge = m![1]!;
    const asJson = json<{ sessionId: string; commit: string; acknowledgement: { challenge: string } }>(await operator(['--json', 'status']), 'status');
    sessionId = (asJson as unknown as { sessions: Array<{ sessionId: string }> }).sessions[0]!.sessionId;

    // An operator's key is not a commander's: refused, nothing written.
    const refused = await runCli(['--repo', commanderRepo, 'acknowledge', challenge], { env: { ...commanderEnv, SSH_AUTH_SOCK: people.ada.agent.socket } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('commander role');

    // Typed as heard: lower case, a space instead of the dash.
    const ack = json<{ response: string; event: string; challenge: string; commit: string }>(await commander(['--json', 'acknowledge', challenge.toLowerCase().replace('-', ' ')]), 'acknowledge');
    expect(ack).toMatchObject({ event: 'declared', challenge });
    expect(ack.response).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    response = ack.response;
    // On the commander's own ref, never in the operator's session.
    const files = gitx(commanderRepo, ['ls-tree', '-r', '--name-only', 'refs/heads/hosts/commander-host']);
    expect(files).toMatch(/^journal\/commander-host\/\d{6}-acknowledgement\.json$/m);
    expect(files).not.toContain(`${sessionId}/`);
    expect(gitx(commanderRepo, ['cat-file', 'commit', 'refs/heads/hosts/commander-host'])).toContain('-----BEGIN SSH SIGNATURE-----');
  });

  it('the operator records the response; it is provisional until the histories meet', async () => {
    const r = json<{ state: string; response: string }>(await operator(['--json', 'acknowledged', response]), 'acknowledged');
    expect(r).toMatchObject({ state: 'provisional', response });
    const report = await verifyOn(operator);
    expect(ackOf(report, sessionId)).toMatchObject({ state: 'provisional', finding: false });
    expect(report.problems).toEqual([]);
  });

  it('after both push and fetch, verify says confirmed on both hosts', async () => {
    expect((await commander(['push'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0);
    expect((await commander(['push'])).code).toBe(0);
    for (const run of [operator, commander]) {
      const report = await verifyOn(run);
      expect(report.problems).toEqual([]);
      expect(ackOf(report, sessionId)).toMatchObject({ state: 'confirmed', finding: false, commander: { name: 'Grace Hopper' } });
    }
    const status = await operator(['status']);
    expect(status.stdout).toContain(`Acknowledgement of the declaration ${challenge}: confirmed.`);
    // The audit report says it too.
    const report = await operator(['report', '--session', sessionId, '--format', 'md']);
    expect(report.stdout).toContain('### Acknowledgement');
    expect(report.stdout).toContain(`Declaration code ${challenge}: confirmed.`);
  });

  it('the closing is acknowledged the same way', async () => {
    const closed = await operator(['--json', 'close', '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)]);
    const code = json<{ acknowledgement: { event: string; challenge: string } }>(closed, 'close').acknowledgement;
    expect(code.event).toBe('closed');
    const ack = json<{ response: string; event: string }>(await commander(['--json', 'acknowledge', code.challenge, '--event', 'closed']), 'acknowledge closing');
    expect(ack.event).toBe('closed');
    expect(json<{ event: string }>(await operator(['--json', 'acknowledged', '--session', sessionId, ack.response]), 'acknowledged closing').event).toBe('closed');
    expect((await commander(['push'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0);
    const report = await verifyOn(operator);
    expect(ackOf(report, sessionId, 'closed')).toMatchObject({ state: 'confirmed' });
    expect(report.problems).toEqual([]);
  });
});

describe('what verify flags (issue 16)', () => {
  it('a wrong response code is mismatched, a finding', async () => {
    const d = json<{ sessionId: string; acknowledgement: { challenge: string } }>(await operator(['--json', 'declare', '--file', jsonFile(ws.dir, 'd2.json', declaration({ environment: 'pre-production', incidentId: 'INC-20002' }))]), 'declare');
    const ack = json<{ response: string }>(await commander(['--json', 'acknowledge', d.acknowledgement.challenge]), 'acknowledge');
    const wrong = ack.response.startsWith('0') ? `1${ack.response.slice(1)}` : `0${ack.response.slice(1)}`;
    expect(json<{ state: string }>(await operator(['--json', 'acknowledged', '--session', d.sessionId, wrong]), 'acknowledged').state).toBe('provisional');
    expect((await commander(['push'])).code).toBe(0);
    expect((await operator(['push'])).code).toBe(0);
    const report = await verifyOn(operator);
    expect(ackOf(report, d.sessionId)).toMatchObject({ state: 'mismatched', finding: true });
    expect(report.problems.some((p) => p.sessionId === d.sessionId && p.message.startsWith('Acknowledgement (mismatched)'))).toBe(true);
    expect((await operator(['verify'])).code).toBe(1);
    // Closed, so the next test has this environment free.
    expect((await operator(['close', '--session', d.sessionId, '--file', jsonFile(ws.dir, 'closure.json', CLOSURE)])).code).toBe(0);
  });

  it('no acknowledgement is awaited within the window, and a finding after it', async () => {
    const d = json<{ sessionId: string }>(await operator(['--json', 'declare', '--file', jsonFile(ws.dir, 'd3.json', declaration({ environment: 'pre-production', incidentId: 'INC-20003' }))]), 'declare');
    const now = await verifyOn(operator);
    expect(ackOf(now, d.sessionId)).toMatchObject({ state: 'missing', finding: false, awaiting: true });
    expect(now.problems.filter((p) => p.sessionId === d.sessionId)).toEqual([]);
    // 20 minutes later (faketime moves this verify's clock only): past the default 15-minute window.
    const later = JSON.parse((await operator(['--json', 'verify'], ['faketime', '-f', '+20m'])).stdout) as VerifyResult;
    expect(ackOf(later, d.sessionId)).toMatchObject({ state: 'missing', finding: true, awaiting: false });
    expect(later.problems.find((p) => p.sessionId === d.sessionId)?.message).toContain('It was due by');
  });
});

describe('policy before-actions (issue 16)', () => {
  it('exec refuses until the operator has recorded the commander\'s response, then runs', async () => {
    const w = await workspace({ policy: { acknowledgement: { declared: 'before-actions', withinMinutes: 15 } } });
    expect((await w.cli(['declare', '--file', jsonFile(w.dir, 'd.json', declaration())])).code).toBe(0);
    const marker = path.join(w.dir, 'marker');
    const refused = await w.cli(['exec', '--', 'touch', marker]);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toContain("requires the incident commander's acknowledgement before any action");
    expect(refused.stderr).toContain('breakglass acknowledged CODE');
    // A typed code is checked before anything is written; the error does not repeat it.
    const typo = await w.cli(['acknowledged', 'QRSTV-WX']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).not.toContain('QRSTV');
    expect((await w.cli(['acknowledged', 'abcde-fghjk'])).code).toBe(0);
    const ran = await w.cli(['exec', '--', 'touch', marker]);
    expect(ran.code, ran.stderr).toBe(0);
  });
});
