import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newSessionId, sealRecord } from '../../app/ledger';
import {
  ClosureSchema,
  commitMessageFor,
  EvidenceRecordSchema,
  parseRecordPath,
  RECORD_TYPES,
  recordPath,
  ReviewSchema,
  type EvidenceRecord,
  type UnsealedRecord,
} from '../../app/records';
import { problemsFromZod } from '../../app/zodIssues';
import { ChainBuilder } from '../support/records';

function problemsOf(schema: { safeParse: (x: unknown) => { success: boolean; error?: unknown } }, input: unknown) {
  const r = schema.safeParse(input);
  return r.success ? [] : problemsFromZod(r.error as never);
}

const grace = { name: 'Grace Hopper', email: 'grace@example.com' };

const closure = () => ({
  summary: 'Removed the stale state lock 7f3c and re-ran the pipeline.',
  reversalSteps: ['Re-enabled the pipeline lock', 'Revoked the break-glass role session'],
  controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' },
  followUps: [{ action: 'Add lock timeout to the pipeline', owner: 'Platform team', due: '2026-12-05' }],
});

describe('ClosureSchema', () => {
  it('accepts a complete closure, and follow-ups are optional', () => {
    expect(problemsOf(ClosureSchema, closure())).toEqual([]);
    const { followUps: _omit, ...withoutFollowUps } = closure();
    expect(ClosureSchema.parse(withoutFollowUps).followUps).toEqual([]);
  });

  it('refuses a closure without reversal steps', () => {
    const found = problemsOf(ClosureSchema, { ...closure(), reversalSteps: [] });
    expect(found).toEqual([{ path: 'reversalSteps', message: expect.stringMatching(/reversal steps taken/) }]);
  });

  it('refuses a blank reversal step at its index', () => {
    expect(problemsOf(ClosureSchema, { ...closure(), reversalSteps: ['Re-enabled the lock', '  '] }).map((p) => p.path)).toEqual(['reversalSteps[1]']);
  });

  it.each(['signingKeys', 'backendLocks', 'breakGlassCredentialsRotated'])('refuses %s = "no" without a controlsNote', (control) => {
    const input = { ...closure(), controlsRestored: { ...closure().controlsRestored, [control]: 'no' } };
    const found = problemsOf(ClosureSchema, input);
    expect(found.map((p) => p.path)).toEqual(['controlsNote']);
    expect(found[0]!.message).toMatch(/not restored: say why/);
    expect(problemsOf(ClosureSchema, { ...input, controlsNote: '   ' }).map((p) => p.path)).toEqual(['controlsNote']);
    expect(problemsOf(ClosureSchema, { ...input, controlsNote: 'Key rotation is scheduled with the HSM vendor for Monday.' })).toEqual([]);
  });

  it('refuses an answer other than yes, no or not-applicable, saying which are allowed', () => {
    const found = problemsOf(ClosureSchema, { ...closure(), controlsRestored: { ...closure().controlsRestored, backendLocks: 'mostly' } });
    expect(found).toEqual([{ path: 'controlsRestored.backendLocks', message: expect.stringContaining('yes, no or not-applicable') }]);
  });

  it('refuses a follow-up without an owner', () => {
    const found = problemsOf(ClosureSchema, { ...closure(), followUps: [{ action: 'Rotate keys', owner: '' }] });
    expect(found).toEqual([{ path: 'followUps[0].owner', message: expect.stringMatching(/owner/) }]);
  });

  it('refuses a follow-up due date that is not YYYY-MM-DD', () => {
    const found = problemsOf(ClosureSchema, { ...closure(), followUps: [{ action: 'Rotate keys', owner: 'Ada', due: 'next week' }] });
    expect(found).toEqual([{ path: 'followUps[0].due', message: expect.stringContaining('YYYY-MM-DD') }]);
  });

  it('refuses an unknown field', () => {
    const found = problemsOf(ClosureSchema, { ...closure(), rollback: 'done' });
    expect(found.map((p) => p.path)).toEqual(['rollback']);
    expect(found[0]!.message).toContain('"rollback"');
  });
});

describe('ReviewSchema', () => {
  const review = (over: Record<string, unknown> = {}) => ({ reviewer: grace, outcome: 'justified', drill: false, ...over });

  it('accepts a justified review without findings', () => {
    expect(problemsOf(ReviewSchema, review())).toEqual([]);
    expect(ReviewSchema.parse(review())).toMatchObject({ findings: '', followUps: [] });
  });

  it.each(['justified-with-findings', 'not-justified'])('accepts %s with findings', (outcome) => {
    expect(problemsOf(ReviewSchema, review({ outcome, findings: 'The runbook was not tried first.', drill: true }))).toEqual([]);
  });

  it.each(['approved', 'Justified', ''])('refuses the outcome %j, listing the three outcomes', (outcome) => {
    const found = problemsOf(ReviewSchema, review({ outcome }));
    expect(found.map((p) => p.path)).toEqual(['outcome']);
    for (const o of ['justified', 'justified-with-findings', 'not-justified']) expect(found[0]!.message).toContain(o);
  });

  it.each(['justified-with-findings', 'not-justified'])('refuses %s without findings (or with blank ones)', (outcome) => {
    for (const input of [review({ outcome }), review({ outcome, findings: '  \n' })]) {
      expect(problemsOf(ReviewSchema, input)).toEqual([{ path: 'findings', message: expect.stringMatching(/Describe the findings/) }]);
    }
  });

  it.each(['false', 0, null, undefined])('refuses drill = %j: it must be true or false', (drill) => {
    const found = problemsOf(ReviewSchema, review({ drill }));
    expect(found).toEqual([{ path: 'drill', message: expect.stringMatching(/drill \(true\) or a real emergency \(false\)/) }]);
  });

  it('refuses a reviewer that is not a valid person, at the reviewer field', () => {
    expect(problemsOf(ReviewSchema, review({ reviewer: { name: 'Grace Hopper', email: 'grace' } })).map((p) => p.path)).toEqual(['reviewer.email']);
  });

  it('refuses a supersedes that is not a record hash', () => {
    expect(problemsOf(ReviewSchema, review({ supersedes: 'abc' })).map((p) => p.path)).toEqual(['supersedes']);
    expect(problemsOf(ReviewSchema, review({ supersedes: 'a'.repeat(64) }))).toEqual([]);
  });

  it('refuses an unknown field', () => {
    expect(problemsOf(ReviewSchema, review({ verdict: 'ok' })).map((p) => p.path)).toEqual(['verdict']);
  });
});

describe('recordPath / parseRecordPath', () => {
  it('files a session record under sessions/<YYYY>/<MM>/<session>/<seq, 6 digits>-<type>.json', () => {
    const path = recordPath({ sessionId: 'bg-20261128-094826-0a1b2c3d', seq: 7, type: 'note' }, '2026-11-28T09:48:26.000Z');
    expect(path).toBe('sessions/2026/11/bg-20261128-094826-0a1b2c3d/000007-note.json');
  });

  it('round-trips every session record: path layout from the start date, then session, seq and type back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2099-12-31T23:59:59Z') }),
        fc.integer({ min: 1, max: 999_999 }),
        fc.constantFrom(...RECORD_TYPES),
        (startMs, seq, type) => {
          const sessionId = newSessionId(startMs);
          const start = new Date(startMs);
          const path = recordPath({ sessionId, seq, type }, start.toISOString());
          const yyyy = String(start.getUTCFullYear());
          const mm = String(start.getUTCMonth() + 1).padStart(2, '0');
          expect(path).toBe(`sessions/${yyyy}/${mm}/${sessionId}/${String(seq).padStart(6, '0')}-${type}.json`);
          expect(parseRecordPath(path)).toEqual({ sessionId, seq, type });
        },
      ),
    );
  });

  it('round-trips journal records under journal/<host id>/', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        fc.integer({ min: 1, max: 999_999 }),
        fc.constantFrom(...RECORD_TYPES),
        (hostId, seq, type) => {
          const sessionId = `journal-${hostId}`;
          const path = recordPath({ sessionId, seq, type }, '2026-11-28T09:48:26.000Z');
          expect(path).toBe(`journal/${hostId}/${String(seq).padStart(6, '0')}-${type}.json`);
          expect(parseRecordPath(path)).toEqual({ sessionId, seq, type });
        },
      ),
    );
  });

  it.each([
    'policy.yaml',
    'README.md',
    'sessions/2026/11/bg-20261128-094826-0a1b2c3d/7-note.json',
    'sessions/2026/11/bg-20261128-094826-0a1b2c3d/000007-note.json.bak',
    'sessions/2026/11/bg-20261128-094826-0a1b2c3d/000007-Note.json',
    'sessions/26/11/bg-20261128-094826-0a1b2c3d/000007-note.json',
    'sessions/2026/11/../000007-note.json',
    'journal/000001-note.json',
    '/sessions/2026/11/bg-20261128-094826-0a1b2c3d/000007-note.json',
  ])('does not take %j for a record', (path) => {
    expect(parseRecordPath(path)).toBeNull();
  });
});

describe('commitMessageFor', () => {
  const chain = new ChainBuilder().declared().closed();
  const declared = chain.records()[0]!;
  const closed = chain.records()[1]!;

  function parts(message: string) {
    const [subject, blank, ...rest] = message.trimEnd().split('\n');
    const trailers = Object.fromEntries(rest.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
    return { subject, blank, trailers };
  }

  it('has the subject breakglass(<session>): <type> <incident> and machine-readable trailers', () => {
    const { subject, blank, trailers } = parts(commitMessageFor(declared, 'INC-12345'));
    expect(subject).toBe(`breakglass(${chain.sessionId}): declared INC-12345`);
    expect(blank).toBe('');
    expect(trailers).toMatchObject({ 'Breakglass-Session': chain.sessionId, 'Breakglass-Incident': 'INC-12345', 'Breakglass-Type': 'declared' });
  });

  it('names the record type of each record', () => {
    expect(parts(commitMessageFor(closed, 'INC-12345')).trailers['Breakglass-Type']).toBe('closed');
    expect(parts(commitMessageFor(closed, 'INC-12345')).subject).toBe(`breakglass(${chain.sessionId}): closed INC-12345`);
  });

  it('carries the record hash, so the commit can be matched to its record', () => {
    expect(parts(commitMessageFor(closed, 'INC-12345')).trailers['Breakglass-Record-Sha256']).toBe(closed.hash);
  });

  it('leaves the incident out when there is none (journal records)', () => {
    const message = commitMessageFor(declared, null);
    const { subject, trailers } = parts(message);
    expect(subject).toBe(`breakglass(${chain.sessionId}): declared`);
    expect(trailers).not.toHaveProperty('Breakglass-Incident');
    expect(trailers['Breakglass-Session']).toBe(chain.sessionId);
  });
});

describe('EvidenceRecordSchema', () => {
  const chain = new ChainBuilder().declared();
  chain.add({ type: 'note', at: '2026-11-28T09:50:00.000Z', redactions: 1, payload: { text: 'Lock released; token [REDACTED]' } } as never);
  chain.extended(15).expired().closed(45).reviewed();

  it('accepts every sealed record of a session, as stored (JSON) and read back', () => {
    for (const record of chain.records()) {
      const stored = JSON.parse(JSON.stringify(record));
      expect(problemsOf(EvidenceRecordSchema, stored)).toEqual([]);
      expect(EvidenceRecordSchema.parse(stored)).toEqual(record);
    }
  });

  it('accepts a journal record sealed with sealRecord', () => {
    const record = sealRecord(undefined, {
      type: 'policy-adopted', sessionId: 'journal-host-a', at: '2026-11-28T09:00:00.000Z', redactions: 0,
      host: { id: 'host-a', name: 'admin-01' }, actor: { name: 'Ada Lovelace', email: 'ada@example.com' },
      payload: { previousPolicySha256: null, policySha256: 'b'.repeat(64), reason: 'policy.yaml changed' },
    } as UnsealedRecord);
    expect(problemsOf(EvidenceRecordSchema, record)).toEqual([]);
  });

  it('refuses a record with an extra field, naming it', () => {
    const record = { ...chain.records()[1]!, approvedBy: 'nobody' };
    expect(problemsOf(EvidenceRecordSchema, record).map((p) => p.path)).toEqual(['approvedBy']);
  });

  it('refuses an extra field inside the payload', () => {
    const note = chain.records()[1] as Extract<EvidenceRecord, { type: 'note' }>;
    const record = { ...note, payload: { ...note.payload, hidden: true } };
    expect(problemsOf(EvidenceRecordSchema, record).map((p) => p.path)).toEqual(['payload.hidden']);
  });

  it('refuses a payload of another record type', () => {
    const [declared, note] = chain.records();
    expect(problemsOf(EvidenceRecordSchema, { ...note!, payload: declared!.payload }).length).toBeGreaterThan(0);
    expect(problemsOf(EvidenceRecordSchema, { ...declared!, type: 'note' }).length).toBeGreaterThan(0);
  });

  it('refuses an unknown record type', () => {
    expect(problemsOf(EvidenceRecordSchema, { ...chain.records()[1]!, type: 'deleted' }).length).toBeGreaterThan(0);
  });

  it('refuses a record whose envelope is damaged', () => {
    const note = chain.records()[1]!;
    expect(problemsOf(EvidenceRecordSchema, { ...note, hash: 'not-a-hash' }).map((p) => p.path)).toEqual(['hash']);
    expect(problemsOf(EvidenceRecordSchema, { ...note, seq: 0 }).map((p) => p.path)).toEqual(['seq']);
    expect(problemsOf(EvidenceRecordSchema, { ...note, at: '28/11/2026 09:50' }).map((p) => p.path)).toEqual(['at']);
    expect(problemsOf(EvidenceRecordSchema, { ...note, sessionId: 'session-1' }).map((p) => p.path)).toEqual(['sessionId']);
  });
});
