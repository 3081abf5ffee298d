import { describe, expect, it } from 'vitest';
import { computeRecordHash } from '../../app/chain';
import { verifyLedgerRecords } from '../../app/ledger';
import type { LedgerView } from '../../app/ports';
import { EvidenceRecordSchema } from '../../app/records';
import { ChainBuilder } from '../support/records';

// Issue 13: records say which kinds of redaction they had, and an action authenticates its output
// with an HMAC; records written before (plain outputSha256, no redactionKinds) stay valid.
const action = (extra: Record<string, unknown>) => ({
  kind: 'command', argv: ['cat', 'creds'], shell: false, cwd: '/srv', startedAt: '2026-11-28T09:50:00.000Z', endedAt: '2026-11-28T09:50:01.000Z',
  exitCode: 0, signal: null, stoppedBy: null, via: 'cli-exec', outputBytes: 12, output: 'pw=[REDACTED:assignment]', outputTruncated: false, ...extra,
});
const HMAC = { alg: 'hmac-sha256', keyId: 'a'.repeat(64), value: 'b'.repeat(64) };

function view(chain: ChainBuilder): LedgerView {
  return { head: null, branch: 'main', sessions: new Map([[chain.sessionId, chain.entries]]), unreadable: [], policy: { ok: false, problems: [], sha256: '0'.repeat(64) } } as never;
}

describe('redaction fields of records', () => {
  it('keeps records written before issue 13 valid and verifiable', () => {
    const chain = new ChainBuilder().declared();
    const old = chain.add({ type: 'action', at: '2026-11-28T09:50:01.000Z', redactions: 1, payload: action({ outputSha256: 'f'.repeat(64) }) } as never);
    expect(old).not.toHaveProperty('redactionKinds');
    expect(EvidenceRecordSchema.safeParse(JSON.parse(JSON.stringify(old))).success).toBe(true);
    expect(verifyLedgerRecords(view(chain)).filter((p) => /hash|chain|schema/i.test(p.message))).toEqual([]);
  });

  it('carries redactionKinds and outputHmac, covered by the record hash', () => {
    const chain = new ChainBuilder().declared();
    const rec = chain.add({ type: 'action', at: '2026-11-28T09:50:01.000Z', redactions: 2, redactionKinds: { assignment: 1, 'github-token': 1 }, payload: action({ outputHmac: HMAC }) } as never);
    expect(rec).toMatchObject({ redactionKinds: { assignment: 1, 'github-token': 1 } });
    expect(EvidenceRecordSchema.parse(JSON.parse(JSON.stringify(rec)))).toEqual(rec);
    // Changing the kinds changes the hash: the chain covers them.
    const tampered = { ...rec, redactionKinds: { assignment: 2 } };
    expect(computeRecordHash(tampered)).not.toBe(rec.hash);
  });

  it('refuses an action with both or neither of outputHmac and outputSha256, and kinds that are not names', () => {
    const base = new ChainBuilder().declared();
    const both = base.add({ type: 'action', at: '2026-11-28T09:50:01.000Z', redactions: 0, payload: action({ outputHmac: HMAC, outputSha256: 'f'.repeat(64) }) } as never);
    expect(EvidenceRecordSchema.safeParse(both).success).toBe(false);
    const neither = new ChainBuilder().declared().add({ type: 'action', at: '2026-11-28T09:50:01.000Z', redactions: 0, payload: action({}) } as never);
    expect(EvidenceRecordSchema.safeParse(neither).success).toBe(false);
    const note = new ChainBuilder().declared().add({ type: 'note', at: '2026-11-28T09:50:01.000Z', redactions: 1, redactionKinds: { 'hunter2 value': 1 }, payload: { text: 'x' } } as never);
    expect(EvidenceRecordSchema.safeParse(note).success).toBe(false);
  });
});
