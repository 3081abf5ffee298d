import { sha256Hex } from '../../app/chain';
import { sealRecord } from '../../app/ledger';
import { sessionContextAt, type ForwardItem } from '../../app/forwarding/ports';
import type { LedgerEntry } from '../../app/ports';
import type { EvidenceRecord, RecordType, UnsealedRecord } from '../../app/records';
import { ChainBuilder } from './records';

/** A journal record (host-level, no session) sealed onto its own chain. */
function journal(entries: LedgerEntry[], unsealed: Omit<UnsealedRecord, 'sessionId' | 'host' | 'actor'>): EvidenceRecord {
  const record = sealRecord(entries, { sessionId: 'journal-host-a', host: { id: 'host-a', name: 'admin-01' }, actor: { name: 'Ada Lovelace', email: 'ada@example.com' }, ...unsealed } as UnsealedRecord);
  entries.push({ record, commit: `${'d'.repeat(39)}${entries.length + 1}`, path: `journal/host-a/${String(record.seq).padStart(6, '0')}-${record.type}.json` });
  return record;
}

/**
 * One forward item of every record type, as the ledger would hand them over: a session declared,
 * extended, with a command, a note, expired, closed and reviewed, plus the host journal's records.
 * Keyed by record type so a new type without an example fails the tests that iterate RECORD_TYPES.
 */
export function itemOfEveryType(): Record<RecordType, ForwardItem> {
  const chain = new ChainBuilder().declared().extended(15);
  chain.add({
    type: 'action', at: '2026-11-28T09:52:00.000Z', redactions: 1,
    payload: {
      kind: 'command', argv: ['terraform', 'force-unlock', '-force', '7f3c'], shell: false, cwd: '/srv/infra', startedAt: '2026-11-28T09:51:58.000Z', endedAt: '2026-11-28T09:52:00.000Z',
      exitCode: 0, signal: null, stoppedBy: null, via: 'cli-exec', outputSha256: 'b'.repeat(64), outputBytes: 120, output: 'Terraform state has been successfully unlocked!', outputTruncated: false,
    },
  } as never);
  chain.add({ type: 'note', at: '2026-11-28T09:53:00.000Z', redactions: 0, payload: { text: 'lock released, apply running' } } as never);
  chain.expired().closed(50).reviewed();
  // Issue 17: a governed shell's recording.
  const recordingId = '0123456789abcdef';
  chain.add({ type: 'recording-started', at: '2026-11-28T12:53:10.000Z', redactions: 0, payload: { recordingId, via: 'console', shell: '/bin/bash', integration: 'bash', cols: 100, rows: 30, mode: 'strict', containment: { kind: 'pid-namespace', contained: true }, ownerPid: 4242 } } as never);
  chain.add({ type: 'recording-chunk', at: '2026-11-28T12:53:11.000Z', redactions: 0, payload: { recordingId, seq: 0, startOffset: 0, endOffset: 10, startTime: 0, endTime: 0, text: '{"v":2}\n', sha256: 'a'.repeat(64), ended: null } } as never);
  chain.add({ type: 'recording-degraded', at: '2026-11-28T12:53:30.000Z', redactions: 0, payload: { recordingId, since: '2026-11-28T12:53:20.000Z', until: '2026-11-28T12:53:30.000Z', failures: 3 } } as never);
  chain.add({ type: 'recording-ended', at: '2026-11-28T12:54:00.000Z', redactions: 0, payload: { recordingId, how: 'exit', exitCode: 0, chunks: 4, markNonce: 'fedcba9876543210' } } as never);
  const recordingEntries = chain.entries.filter((e) => e.record.type.startsWith('recording-'));
  const journalEntries: LedgerEntry[] = [];
  journal(journalEntries, { type: 'lock-recovered', at: '2026-11-28T11:00:00.000Z', redactions: 0, payload: { previousOwner: { pid: 4242, host: 'admin-01', since: '2026-11-28T10:59:00.000Z' }, reason: 'writer process 4242 ended without releasing the lock', gitLockFilesRemoved: ['refs/heads/main.lock'] } } as never);
  journal(journalEntries, { type: 'clock-skew', at: '2026-11-28T11:05:00.000Z', redactions: 0, payload: { wallClockAt: '2026-11-28T11:05:00.000Z', expectedAt: '2026-11-28T11:35:00.000Z', skewMs: -1_800_000 } } as never);
  journal(journalEntries, { type: 'policy-adopted', at: '2026-11-28T11:10:00.000Z', redactions: 0, payload: { previousPolicySha256: 'c'.repeat(64), policySha256: 'e'.repeat(64), reason: "the organisation's remote holds a different policy.yaml" } } as never);
  // Issue 19: the host says its forwarding fell behind; it comes last, so the other examples keep their positions.
  journal(journalEntries, { type: 'forwarding-state', at: '2026-11-28T13:10:00.000Z', redactions: 0, payload: { state: 'behind', destinations: [{ id: 'siem', pending: 12, failure: 'unreachable', failingSince: '2026-11-28T13:02:00.000Z', lastDeliveredAt: '2026-11-28T13:01:58.000Z' }] } } as never);
  // A second session holds the command announced before it ran (issue 12 item 7), so the first session's examples keep their hashes.
  const second = new ChainBuilder('bg-20261128-101500-0e0f1a2b').declared();
  second.add({
    type: 'action-started', at: '2026-11-28T10:16:00.000Z', redactions: 0,
    payload: { kind: 'command', argv: ['kubectl', 'rollout', 'restart', 'deployment/payments'], shell: false, cwd: '/srv/infra', startedAt: '2026-11-28T10:16:00.000Z', via: 'console' },
  } as never);
  // Issue 16: the commander's acknowledgement (on the commander host's journal) and the operator's record of its response, last of all.
  journal(journalEntries, { type: 'acknowledgement', at: '2026-11-28T13:20:00.000Z', redactions: 0, payload: { event: 'declared', challenge: 'ABCDE12345', signature: '-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----', response: 'FGHJK67890' } } as never);
  second.add({ type: 'acknowledged', at: '2026-11-28T10:20:00.000Z', redactions: 0, payload: { event: 'declared', challenge: 'ABCDE12345', response: 'FGHJK67890' } } as never);
  // Issue 16: a witness's statement of the host histories it saw, on its journal; after everything else.
  journal(journalEntries, { type: 'witnessed', at: '2026-11-28T13:25:00.000Z', redactions: 0, payload: { via: 'fetch', tips: [{ host: 'host-b', commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', records: 12 }] } } as never);
  const recordsOf = (sessionId: string) => (sessionId === second.sessionId ? second.records() : chain.records());
  const out: Partial<Record<RecordType, ForwardItem>> = {};
  let position = 0;
  // The recording's records, then the second session's, come last, so the other examples keep their positions.
  for (const e of [...chain.entries.filter((x) => !recordingEntries.includes(x)), ...journalEntries.slice(0, 3), ...recordingEntries, ...second.entries.slice(1, 2), ...journalEntries.slice(3, -1), ...second.entries.slice(2), ...journalEntries.slice(-1)]) {
    position += 1;
    const session = e.record.sessionId.startsWith('journal-') ? null : sessionContextAt(recordsOf(e.record.sessionId), e.record.seq);
    // A commit id as git would print one (the chain builder's are placeholders).
    out[e.record.type] ??= { record: e.record, commit: sha256Hex(`commit ${e.record.hash}`).slice(0, 40), position, session };
  }
  return out as Record<RecordType, ForwardItem>;
}

/** The product the tests name in events. */
export const TEST_PRODUCT = { name: 'Break-Glass Console', version: '0.1.0', vendor_name: 'Break-Glass Console' };
