import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACK_NAMESPACE, ackMessage, challengeOf, responseOfArmored, unmatchedAcks, commanderAcks } from '../../../app/acknowledgement';
import { sealRecord } from '../../../app/ledger';
import { DEFAULT_POLICY } from '../../../app/policy';
import type { LedgerEntry, LedgerView } from '../../../app/ports';
import type { UnsealedRecord } from '../../../app/records';
import { ackJudge, acknowledgementsOf } from '../../../main/evidence/acknowledgements';
import { cleanup, tempDir } from '../../support/cli';
import { ChainBuilder } from '../../support/records';
import { makeKey, type TestKey } from '../../support/sshAgent';
import { mustParseRoster } from '../../support/signingKit';

// Issue 16: how verify judges a commander's acknowledgement, with real ssh-keygen keys and
// signatures: the signature over the challenge, the commander role, the response code, and a
// declaration rewritten after its code was read aloud.

let dir = '';
let ada: TestKey;
let grace: TestKey;
const GRACE = { name: 'Grace Hopper', email: 'grace@example.com' };

function sign(key: TestKey, challenge: string, namespace = ACK_NAMESPACE): string {
  const r = spawnSync('ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', key.privatePath], { input: ackMessage(challenge), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const roster = () => mustParseRoster(`version: 1
people:
  - id: ada
    name: Ada Lovelace
    email: ada@example.com
    roles: [operator, roster-admin]
    keys:
      - key: ${ada.line}
  - id: grace
    name: Grace Hopper
    email: grace@example.com
    roles: [commander]
    keys:
      - key: ${grace.line}
`);

/** A session (its declaration's commit a real-looking id) and the commander host's journal. */
function histories(commit: string) {
  const chain = new ChainBuilder();
  chain.declared();
  chain.entries[0]!.commit = commit;
  const journal: LedgerEntry[] = [];
  const view = (): LedgerView => ({ head: null, branch: 'main', sessions: new Map([[chain.sessionId, chain.entries], ['journal-commander-host', journal]]), unreadable: [], policy: { ok: true, policy: DEFAULT_POLICY, sha256: '0'.repeat(64), source: 'built-in' } });
  const commanderAck = (signature: string, challenge: string, over: Partial<{ response: string; actor: typeof GRACE }> = {}) => {
    const record = sealRecord(journal, { sessionId: 'journal-commander-host', type: 'acknowledgement', at: '2026-11-28T09:52:00.000Z', host: { id: 'commander-host', name: 'cmd' }, actor: over.actor ?? GRACE, redactions: 0, payload: { event: 'declared', challenge, signature, response: over.response ?? responseOfArmored(signature)! } } as UnsealedRecord);
    journal.push({ record, commit: 'e'.repeat(40), path: `journal/commander-host/${String(record.seq).padStart(6, '0')}-acknowledgement.json` });
  };
  const typed = (response: string, challenge = challengeOf(commit)) => chain.add({ type: 'acknowledged', at: '2026-11-28T09:53:00.000Z', redactions: 0, payload: { event: 'declared', challenge, response } } as never);
  const status = () => acknowledgementsOf(view(), roster(), DEFAULT_POLICY, Date.parse('2026-11-28T09:55:00.000Z')).bySession.get(chain.sessionId)![0]!;
  return { chain, view, commanderAck, typed, status };
}

beforeAll(() => {
  dir = tempDir('bg-ack-');
  ada = makeKey(path.join(dir), 'ada');
  grace = makeKey(path.join(dir), 'grace');
});
afterAll(() => cleanup(dir));

describe('acknowledgement judged against the roster (issue 16)', () => {
  const commit = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  const challenge = challengeOf(commit);

  it('confirmed: the commander\'s signature over the challenge, and the operator typed its response', () => {
    const h = histories(commit);
    const sig = sign(grace, challenge);
    h.commanderAck(sig, challenge);
    h.typed(responseOfArmored(sig)!);
    expect(h.status()).toMatchObject({ state: 'confirmed', finding: false, commander: { name: 'Grace Hopper' } });
  });

  it('mismatched: a key without the commander role, a signature in another namespace, a response that is not the signature\'s', () => {
    const byAda = histories(commit);
    const sig = sign(ada, challenge);
    byAda.commanderAck(sig, challenge, { actor: { name: 'Ada Lovelace', email: 'ada@example.com' } });
    byAda.typed(responseOfArmored(sig)!);
    expect(byAda.status()).toMatchObject({ state: 'mismatched', finding: true });
    expect(byAda.status().detail).toContain('without the commander role');

    const gitNamespace = histories(commit);
    const sig2 = sign(grace, challenge, 'git');
    gitNamespace.commanderAck(sig2, challenge);
    gitNamespace.typed(responseOfArmored(sig2)!);
    expect(gitNamespace.status().detail).toContain('namespace-mismatch');

    const forged = histories(commit);
    forged.commanderAck(sign(grace, challenge), challenge, { response: 'ABCDEFGHJK' });
    forged.typed('ABCDEFGHJK');
    expect(forged.status()).toMatchObject({ state: 'mismatched' });
    expect(forged.status().detail).toContain('not its signature');
    expect(ackJudge(null)(forged.view().sessions.get('journal-commander-host')![0]!.record as never)).toContain('no roster');
  });

  it('a declaration rewritten after its code was read aloud: the operator\'s record names the old code, and the commander\'s acknowledgement matches no session', () => {
    const h = histories(commit);
    const sig = sign(grace, challenge);
    h.commanderAck(sig, challenge);
    h.typed(responseOfArmored(sig)!);
    // The operator rewrote the declaration (and everything after it): another commit id.
    h.chain.entries[0]!.commit = 'ff'.repeat(20);
    expect(h.status()).toMatchObject({ state: 'mismatched', finding: true });
    expect(h.status().detail).toContain('was rewritten after the code was read aloud');
    const acks = commanderAcks(h.view(), ackJudge(roster()));
    expect(unmatchedAcks(h.view(), acks).map((a) => a.record.payload.challenge)).toEqual([challenge]);
  });

  it('missing: awaited within the window, a finding after it; the commander\'s record alone is not enough', () => {
    const h = histories(commit);
    h.commanderAck(sign(grace, challenge), challenge);
    const within = acknowledgementsOf(h.view(), roster(), DEFAULT_POLICY, Date.parse('2026-11-28T09:55:00.000Z')).bySession.get(h.chain.sessionId)![0]!;
    expect(within).toMatchObject({ state: 'missing', finding: false, awaiting: true, dueAt: '2026-11-28T10:03:26.000Z' });
    expect(within.detail).toContain('the operator has not recorded the response code');
    const after = acknowledgementsOf(h.view(), roster(), DEFAULT_POLICY, Date.parse('2026-11-28T10:04:00.000Z')).bySession.get(h.chain.sessionId)![0]!;
    expect(after).toMatchObject({ state: 'missing', finding: true, awaiting: false });
    const optional = { ...DEFAULT_POLICY, acknowledgement: { declared: 'optional' as const, withinMinutes: 15 } };
    expect(acknowledgementsOf(h.view(), roster(), optional, Date.parse('2026-11-29T00:00:00.000Z')).bySession.get(h.chain.sessionId)![0]).toMatchObject({ state: 'missing', finding: false, dueAt: null });
  });
});
