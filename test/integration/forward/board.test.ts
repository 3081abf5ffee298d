import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostForwarding } from '../../../app/forwarding/lag';
import type { ForwardDestinationStatus } from '../../../app/forwarding/status';
import type { BoardData } from '../../../app/views';
import { ConsoleBackend } from '../../../main/console/backend';
import { CLOSURE, cliEnv, declaration, git, REVIEW, runCli } from '../../support/cli';
import { lastJson } from '../../support/cliProcess';
import type { LogEntry } from '../../support/cliJson';
import { createEvidenceRepo, expectExit } from '../../support/evidenceRepo';
import { recordIds } from '../../support/forwardHarness';
import { GitDaemon } from '../../support/gitDaemon';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/httpsReceivers';
import { assertCliBuilt } from '../../support/lifecycleKit';
import { scratchFolder } from '../../support/scratch';
import { makeTestCa, type TestCa } from '../../support/testCa';
import { waitFor } from '../../support/waitFor';

/**
 * Forwarding on the commander's board, across hosts (issue 19: "the board shows a host whose
 * forwarding is behind"), and the observer's own forwarding, with real parts: an organisation
 * remote served by `git daemon` whose policy forwards to a signed HTTPS webhook on 127.0.0.1, an
 * admin host's console (ConsoleBackend on its own clone) and the commander's observer console on
 * a third clone. The admin host's forwarding fails: its own board shows it live at once, it
 * records `forwarding-state` in its journal, and the commander's board shows that record after a
 * fetch, as that host's claim; the receiver returns and the host records that it caught up.
 */

const SECRET = 'whsec-board-test-secret';
const { dir: tmp, fresh, json } = scratchFolder('bg-fwd-board-');
let ca: TestCa;
let webhook: WebhookReceiver;
let daemon: GitDaemon;
let url: string;
const backends: ConsoleBackend[] = [];

async function call<T>(backend: ConsoleBackend, name: string, input: unknown = {}): Promise<T> {
  const r = await backend.dispatch(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value as T;
}

/** A host's evidence clone of the organisation remote, its environment, and its CLI. */
function host(id: string, name: string, withSecret = true) {
  const repo = fresh(id);
  git(tmp, ['clone', '--quiet', '--bare', url, repo]);
  const env = cliEnv(fresh(`data-${id}`), { BREAKGLASS_HOST_ID: id, BREAKGLASS_HOST_NAME: name, ...(withSecret ? { BG_BOARD_SECRET: SECRET } : {}) });
  return { id, repo, env, cli: (args: string[], e = env) => runCli(['--repo', repo, '--json', ...args], { env: e }) };
}

/** The records of a host's journal, read by the real CLI. */
async function journal(h: ReturnType<typeof host>): Promise<LogEntry[]> {
  const r = await h.cli(['log', '--session', `journal-${h.id}`]);
  return r.code === 0 ? lastJson<LogEntry[]>(r) : [];
}

const lineOf = (board: BoardData, hostId: string): HostForwarding | undefined => board.forwarding.find((l) => l.hostId === hostId);

describe('forwarding behind, on the commander\'s board (issue 19)', () => {
  beforeAll(async () => {
    assertCliBuilt();
    ca = makeTestCa(path.join(tmp, 'ca'));
    webhook = await startWebhookReceiver(ca, SECRET);
    const base = fresh('daemon');
    await createEvidenceRepo(path.join(base, 'org.git'), fresh('data-org'), {
      forwarding: { checkpointMinutes: 60, destinations: [{ id: 'alerts', kind: 'webhook', url: `${webhook.url}/hook`, secret: { env: 'BG_BOARD_SECRET' }, caFile: ca.caCert, timeoutSeconds: 2 }] },
    });
    daemon = await GitDaemon.start(base);
    url = daemon.url('org.git');
  });

  afterAll(async () => {
    for (const b of backends.splice(0)) b.stop();
    await Promise.all([daemon?.stop(), webhook?.stop()]);
  });

  const open = async (h: ReturnType<typeof host>, observer: boolean) => {
    const b = await ConsoleBackend.create({ repo: h.repo, env: h.env, observer, forwardingLag: { behindAfterMs: 1_500, checkEveryMs: 200 } });
    backends.push(b);
    await b.start();
    return b;
  };

  const admin = { h: null as unknown as ReturnType<typeof host>, console: null as unknown as ConsoleBackend, sessionId: '' };
  const commander = { h: null as unknown as ReturnType<typeof host>, console: null as unknown as ConsoleBackend };

  it('a failing receiver: this host\'s board shows it behind at once (live); after the threshold it records forwarding-state; the commander\'s board shows that record as the host\'s claim', async () => {
    admin.h = host('host-b', 'admin-b.example.net');
    expectExit(await admin.h.cli(['remote', 'set', url]), 0, 'remote set');
    admin.console = await open(admin.h, false);
    webhook.answer(503);
    const declared = await call<{ sessionId: string; record: { hash: string } }>(admin.console, 'session.declare', { declaration: declaration({ incidentId: 'INC-51001' }) });
    admin.sessionId = declared.sessionId;
    await waitFor('alerts failing on host-b', async () => (await call<ForwardDestinationStatus[]>(admin.console, 'forward.status'))[0]!.failing || null);

    // This host: live, from its forwarder's state; its own session's row belongs to a host behind.
    const own = await call<BoardData>(admin.console, 'board.get');
    expect(lineOf(own, 'host-b')).toMatchObject({ source: 'live', behind: true, commit: null, destinations: [{ id: 'alerts', failure: 'http-status' }] });
    expect(lineOf(own, 'host-b')!.destinations[0]!.pending).toBeGreaterThanOrEqual(1);
    expect(own.rows.find((r) => r.sessionId === declared.sessionId)?.mine).toBe(true);

    // Failing for longer than the threshold: the host says so in its journal, once.
    const behind = await waitFor('a forwarding-state record in host-b\'s journal', async () => (await journal(admin.h)).find((e) => e.type === 'forwarding-state') ?? null, { timeoutMs: 15_000 });
    expect(behind.record).toMatchObject({ payload: { state: 'behind', destinations: [{ id: 'alerts', failure: 'http-status' }] }, host: { id: 'host-b' } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await journal(admin.h)).filter((e) => e.type === 'forwarding-state')).toHaveLength(1);
    expect(JSON.stringify(behind.record)).not.toContain(SECRET);
    expectExit(await admin.h.cli(['push']), 0, 'host-b push');

    // The commander's observer console on its own clone: host-b's record after one fetch.
    commander.h = host('commander', 'ic-laptop.example.net');
    commander.console = await open(commander.h, true);
    await call(commander.console, 'sync.fetch');
    const board = await call<BoardData>(commander.console, 'board.get');
    const line = lineOf(board, 'host-b');
    expect(line).toMatchObject({ source: 'recorded', behind: true, hostName: 'admin-b.example.net', at: behind.at, commit: behind.commit, destinations: [{ id: 'alerts', failure: 'http-status' }] });
    expect(board.rows.find((r) => r.sessionId === declared.sessionId)).toMatchObject({ mine: false, host: { id: 'host-b' } });
    // The commander's own forwarding is live. Its one record of its own — the witness statement of
    // host-b's tip it signed after the fetch (issue 16) — waits at the same failing receiver.
    const statements = (await journal(commander.h)).filter((e) => e.type === 'witnessed');
    expect(statements).toHaveLength(1);
    expect(lineOf(board, 'commander')).toMatchObject({ source: 'live', behind: true, destinations: [{ id: 'alerts', pending: 1 }] });
  });

  it('the receiver returns: host-b delivers its backlog with the forwarding-state record, records that it caught up, and the commander\'s board follows', async () => {
    webhook.answer(null);
    const caught = await waitFor('host-b records that it caught up', async () => (await journal(admin.h)).find((e) => e.type === 'forwarding-state' && e.record.payload.state === 'caught-up') ?? null, { timeoutMs: 20_000 });
    const own = await waitFor('host-b live, not behind', async () => {
      const b = await call<BoardData>(admin.console, 'board.get');
      return lineOf(b, 'host-b')?.behind === false ? b : null;
    });
    expect(lineOf(own, 'host-b')!.destinations.every((d) => d.failure === null)).toBe(true);
    // The SIEM heard of it too: the journal's records reached the webhook.
    const journalHashes = new Set((await journal(admin.h)).map((e) => e.record.hash));
    await waitFor('host-b\'s forwarding-state events at the webhook', () => (recordIds(webhook.events).filter((id) => journalHashes.has(id)).length >= 2) || null);
    expect(webhook.events.find((e) => e.metadata.uid === caught.record.hash)).toMatchObject({ class_uid: 1008, activity_name: 'Forwarding Caught Up' });

    expectExit(await admin.h.cli(['push']), 0, 'host-b push');
    await call(commander.console, 'sync.fetch');
    const board = await call<BoardData>(commander.console, 'board.get');
    expect(lineOf(board, 'host-b')).toMatchObject({ source: 'recorded', behind: false, at: caught.at });
  });

  it('an observer forwards the records its own host writes (a review by the commander\'s CLI), never the other hosts\' records it fetched', async () => {
    // host-b closes its session; the commander reviews it with the CLI on its own machine, without
    // the webhook secret, so the CLI cannot deliver it: the review waits in the ledger for the observer.
    // (Other hosts' records: host-b delivers its own; the commander's clone holds them after a fetch.)
    await call(admin.console, 'session.close', { sessionId: admin.sessionId, closure: CLOSURE });
    await waitFor('host-b delivered everything', async () => (await call<ForwardDestinationStatus[]>(admin.console, 'forward.status')).every((d) => d.pending === 0) || null);
    expectExit(await admin.h.cli(['push']), 0, 'host-b push');
    await call(commander.console, 'sync.fetch');
    const arrivals = (ids: Set<string>) => recordIds(webhook.events).filter((id) => ids.has(id)).length;
    const bLog = lastJson<LogEntry[]>(expectExit(await commander.h.cli(['log', '--session', admin.sessionId]), 0, 'commander log'));
    const bIds = new Set(bLog.map((e) => e.record.hash));
    const bArrivalsBefore = arrivals(bIds);

    // The observer is closed while the CLI writes, so nothing but the CLI could send the review.
    commander.console.stop();
    const noSecret = { ...commander.h.env };
    delete noSecret.BG_BOARD_SECRET;
    const reviewed = lastJson<{ commit: string }>(expectExit(await commander.h.cli(['review', '--session', admin.sessionId, '--file', json('review', REVIEW)], noSecret), 0, 'commander review'));
    const entry = lastJson<LogEntry[]>(expectExit(await commander.h.cli(['log', '--session', admin.sessionId]), 0, 'commander log')).find((e) => e.commit === reviewed.commit)!;
    const review = entry.record as LogEntry['record'] & { host: { id: string } };
    expect([entry.type, review.host.id]).toEqual(['reviewed', 'commander']);
    expect(webhook.events.some((e) => e.metadata.uid === review.hash)).toBe(false);

    // The observer console, opened again, finds it after its cursor and delivers it.
    commander.console = await open(commander.h, true);
    await waitFor('the commander\'s review at the webhook', () => webhook.events.some((e) => e.metadata.uid === review.hash) || null, { timeoutMs: 10_000 });
    const status = await waitFor('the observer caught up', async () => {
      const s = await call<ForwardDestinationStatus[]>(commander.console, 'forward.status');
      return s[0]!.pending === 0 && s[0]!.deliveredUpTo?.recordHash === review.hash ? s : null;
    });
    // Its own records are its witness statements (issue 16: one after each fetch that brought a new tip), then the review.
    const statements = (await journal(commander.h)).filter((e) => e.type === 'witnessed').map((e) => e.record.hash);
    expect(statements.length).toBeGreaterThanOrEqual(1);
    expect(status[0]!.deliveredUpTo!.position).toBe(statements.length + 1);
    // host-b's records, fetched into the commander's clone, were never sent from there.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(arrivals(bIds)).toBe(bArrivalsBefore);
    const fromCommander = webhook.events.filter((e) => e.device.uid === 'commander' && e.metadata.event_code !== 'checkpoint').map((e) => e.metadata.uid);
    expect(fromCommander.at(-1)).toBe(review.hash);
    expect(new Set(fromCommander)).toEqual(new Set([...statements, review.hash]));
  });
});
