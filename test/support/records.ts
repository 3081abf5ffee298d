import { sealRecord } from '../../app/ledger';
import type { LedgerEntry } from '../../app/ports';
import type { EvidenceRecord, UnsealedRecord } from '../../app/records';
import { declarationTemplate } from '../../app/declaration';
import { DEFAULT_POLICY } from '../../app/policy';

/** Builds a sealed session chain in memory (pure; for unit tests of app/). */
export class ChainBuilder {
  readonly entries: LedgerEntry[] = [];
  readonly operator = { name: 'Ada Lovelace', email: 'ada@example.com' };
  readonly host = { id: 'host-a', name: 'admin-01' };

  constructor(readonly sessionId = 'bg-20261128-094826-0a1b2c3d', readonly declaredAt = Date.parse('2026-11-28T09:48:26.000Z'), readonly minutes = 30) {}

  add(unsealed: Omit<UnsealedRecord, 'sessionId' | 'host' | 'actor'> & { actor?: { name: string; email: string } }): EvidenceRecord {
    const record = sealRecord(this.entries, { sessionId: this.sessionId, host: this.host, actor: this.operator, ...unsealed } as UnsealedRecord);
    this.entries.push({ record, commit: `c${this.entries.length + 1}`.padEnd(40, '0'), path: `sessions/2026/11/${this.sessionId}/${String(record.seq).padStart(6, '0')}-${record.type}.json` });
    return record;
  }

  declared(): this {
    this.add({
      type: 'declared', at: new Date(this.declaredAt).toISOString(), redactions: 0,
      payload: {
        declaration: { ...declarationTemplate(DEFAULT_POLICY), durationMinutes: this.minutes, operator: this.operator },
        expiresAt: new Date(this.declaredAt + this.minutes * 60_000).toISOString(),
        policySha256: 'a'.repeat(64),
        preconditions: [],
      },
    } as never);
    return this;
  }

  extended(minutes: number, atOffsetMin = 1): this {
    const last = this.records().reduce((exp, r) => (r.type === 'extended' ? r.payload.newExpiresAt : exp), new Date(this.declaredAt + this.minutes * 60_000).toISOString());
    this.add({ type: 'extended', at: new Date(this.declaredAt + atOffsetMin * 60_000).toISOString(), redactions: 0, payload: { minutes, reason: 'still broken', previousExpiresAt: last, newExpiresAt: new Date(Date.parse(last) + minutes * 60_000).toISOString() } } as never);
    return this;
  }

  expired(): this {
    const exp = new Date(this.declaredAt + this.minutes * 60_000).toISOString();
    this.add({ type: 'expired', at: exp, redactions: 0, payload: { expiresAt: exp, recordedAt: exp } } as never);
    return this;
  }

  closed(atOffsetMin = 20): this {
    const at = this.declaredAt + atOffsetMin * 60_000;
    this.add({
      type: 'closed', at: new Date(at).toISOString(), redactions: 0,
      payload: {
        closure: { summary: 'done', reversalSteps: ['restored'], controlsRestored: { signingKeys: 'yes', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' }, followUps: [] },
        reviewDueAt: new Date(at + 5 * 86_400_000).toISOString(),
      },
    } as never);
    return this;
  }

  reviewed(reviewer = { name: 'Grace Hopper', email: 'grace@example.com' }, supersedes?: string): this {
    this.add({ type: 'reviewed', at: new Date(this.declaredAt + 3600_000).toISOString(), redactions: 0, actor: reviewer, payload: { review: { reviewer, outcome: 'justified', drill: false, findings: '', followUps: [], ...(supersedes ? { supersedes } : {}) } } } as never);
    return this;
  }

  records(): EvidenceRecord[] {
    return this.entries.map((e) => e.record);
  }
}
