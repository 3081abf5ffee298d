import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, computeRecordHash, sha256Hex } from '../../app/chain';
import { sealRecord, verifyLedgerRecords, type IntegrityProblem } from '../../app/ledger';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerEntry, LedgerView, UnreadableRecord } from '../../app/ports';
import type { EvidenceRecord, UnsealedRecord } from '../../app/records';
import { ChainBuilder } from '../support/records';

/** The same JSON value with the keys of every object in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

/** The same JSON value with the keys of every object in an order chosen by `order` (a permutation seed). */
function permuteKeys(value: unknown, order: number[]): unknown {
  if (Array.isArray(value)) return value.map((v) => permuteKeys(v, order));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const keyed = entries.map((e, i) => ({ e, w: order[i % Math.max(order.length, 1)] ?? 0, i }));
    keyed.sort((a, b) => a.w - b.w || b.i - a.i);
    return Object.fromEntries(keyed.map(({ e: [k, v] }) => [k, permuteKeys(v, order)]));
  }
  return value;
}

const sha256OfText = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('canonicalJson', () => {
  it('does not depend on the order of keys (any JSON object)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.integer()), (obj, order) => {
        const canonical = canonicalJson(obj);
        expect(canonicalJson(reverseKeys(obj))).toBe(canonical);
        expect(canonicalJson(permuteKeys(obj, order))).toBe(canonical);
      }),
    );
  });

  it('is unchanged by a storage round trip (pretty-printed JSON read back)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value, null, 2)))).toBe(canonical);
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
      }),
    );
  });

  it('distinguishes different objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (obj, key) => {
        const changed = { ...obj, [key]: ['changed', obj[key] ?? null] };
        expect(canonicalJson(changed)).not.toBe(canonicalJson(obj));
      }),
    );
  });

  it('produces the RFC 8785 output for the RFC example, so any JCS tool can recompute hashes', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  it('refuses a value that has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe('computeRecordHash', () => {
  const chain = new ChainBuilder().declared();
  chain.add({ type: 'note', at: '2026-11-28T09:50:00.000Z', redactions: 0, payload: { text: 'Lock released.' } } as never);
  const [declared, note] = chain.records() as [EvidenceRecord, EvidenceRecord];
  const asMap = (r: unknown) => r as Record<string, unknown>;

  it('is the SHA-256 of the canonical JSON of the record without its hash (recomputable offline)', () => {
    const { hash: _omit, ...rest } = note;
    expect(computeRecordHash(asMap(note))).toBe(sha256OfText(canonicalJson(rest)));
    expect(sha256Hex('abc')).toBe(sha256OfText('abc'));
  });

  it('ignores the hash field itself', () => {
    expect(computeRecordHash({ ...asMap(note), hash: 'f'.repeat(64) })).toBe(note.hash);
    const { hash: _omit, ...withoutHash } = note;
    expect(computeRecordHash(withoutHash)).toBe(note.hash);
  });

  it('changes when any other top-level field changes', () => {
    for (const record of [declared, note]) {
      for (const key of Object.keys(record).filter((k) => k !== 'hash')) {
        const tampered = { ...asMap(record), [key]: ['tampered', asMap(record)[key]] };
        expect(computeRecordHash(tampered), `field ${key}`).not.toBe(record.hash);
      }
    }
  });

  it('changes when a nested field changes', () => {
    const d = structuredClone(declared) as Extract<EvidenceRecord, { type: 'declared' }>;
    d.payload.declaration.justification += '.';
    expect(computeRecordHash(asMap(d))).not.toBe(declared.hash);
    const d2 = structuredClone(declared) as Extract<EvidenceRecord, { type: 'declared' }>;
    d2.payload.declaration.scopes.push('data-repair');
    expect(computeRecordHash(asMap(d2))).not.toBe(declared.hash);
  });

  it('does not change when the record is stored and read back with another key order', () => {
    expect(computeRecordHash(asMap(JSON.parse(JSON.stringify(declared, null, 2))))).toBe(declared.hash);
    expect(computeRecordHash(asMap(reverseKeys(declared)))).toBe(declared.hash);
  });
});

describe('sealRecord', () => {
  const host = { id: 'host-a', name: 'admin-01' };
  const actor = { name: 'Ada Lovelace', email: 'ada@example.com' };
  const note = (text: string, at: string) =>
    ({ type: 'note', sessionId: 'bg-20261128-094826-0a1b2c3d', at, host, actor, redactions: 0, payload: { text } }) as UnsealedRecord;

  it('starts a chain at seq 1 with no predecessor, and the hash covers the record', () => {
    const first = sealRecord(undefined, note('first', '2026-11-28T09:49:00.000Z'));
    expect(first).toMatchObject({ v: 1, seq: 1, prev: null });
    expect(first.controls.length).toBeGreaterThan(0);
    expect(first.hash).toBe(computeRecordHash(first as unknown as Record<string, unknown>));
    expect(sealRecord([], note('first', '2026-11-28T09:49:00.000Z'))).toEqual(first);
  });

  it('links each record to the one before: seq + 1 and prev = its hash', () => {
    const entries: LedgerEntry[] = [];
    for (let i = 0; i < 4; i += 1) {
      const record = sealRecord(entries, note(`n${i}`, `2026-11-28T09:5${i}:00.000Z`));
      const before = entries[entries.length - 1]?.record;
      expect(record.seq).toBe(i + 1);
      expect(record.prev).toBe(before?.hash ?? null);
      entries.push({ record, commit: 'c'.repeat(40), path: 'p' });
    }
    expect(new Set(entries.map((e) => e.record.hash)).size).toBe(4);
  });

  it('decides seq and prev itself, whatever the caller passes', () => {
    const smuggled = { ...note('x', '2026-11-28T09:49:00.000Z'), seq: 99, prev: 'f'.repeat(64) } as unknown as UnsealedRecord;
    expect(sealRecord(undefined, smuggled)).toMatchObject({ seq: 1, prev: null });
  });
});

describe('verifyLedgerRecords', () => {
  const SESSION = 'bg-20261128-094826-0a1b2c3d';

  function goodChain(): ChainBuilder {
    const b = new ChainBuilder(SESSION).declared();
    b.add({ type: 'note', at: '2026-11-28T09:50:00.000Z', redactions: 0, payload: { text: 'Inspecting the lock table.' } } as never);
    b.add({ type: 'note', at: '2026-11-28T09:55:00.000Z', redactions: 0, payload: { text: 'Lock 7f3c released.' } } as never);
    return b.closed(25).reviewed();
  }

  function viewOf(entries: LedgerEntry[], unreadable: UnreadableRecord[] = []): LedgerView {
    return {
      head: 'x',
      branch: 'main',
      sessions: new Map([[SESSION, entries]]),
      unreadable,
      policy: { ok: true, policy: DEFAULT_POLICY, sha256: '0'.repeat(64), source: 'built-in' },
    };
  }

  /** A deep copy of a good chain's entries, to tamper with. */
  const entries = () => structuredClone(goodChain().entries);
  const pathOf = (seq: number, type: string, session = SESSION) => `sessions/2026/11/${session}/${String(seq).padStart(6, '0')}-${type}.json`;
  const rehash = (r: EvidenceRecord): EvidenceRecord => ({ ...r, hash: computeRecordHash(r as unknown as Record<string, unknown>) });
  const at = (problems: IntegrityProblem[], seq: number | null) => problems.filter((p) => p.sessionId === SESSION && p.seq === seq);

  it('finds no problem in a good chain', () => {
    expect(viewOf(entries()).sessions.get(SESSION)).toHaveLength(5);
    expect(verifyLedgerRecords(viewOf(entries()))).toEqual([]);
  });

  it('names the session and seq of a record whose payload was edited after sealing', () => {
    const list = entries();
    (list[2]!.record as Extract<EvidenceRecord, { type: 'note' }>).payload.text = 'Nothing happened here.';
    const problems = verifyLedgerRecords(viewOf(list));
    expect(problems.map((p) => p.seq)).toEqual([3]);
    expect(problems[0]).toMatchObject({ sessionId: SESSION, path: pathOf(3, 'note'), commit: list[2]!.commit });
    expect(problems[0]!.message).toMatch(/does not match its hash/);
  });

  it('catches an edit whose hash was recomputed, at the next record of the chain', () => {
    const list = entries();
    const edited = structuredClone(list[2]!.record) as Extract<EvidenceRecord, { type: 'note' }>;
    edited.payload.text = 'Nothing happened here.';
    list[2] = { ...list[2]!, record: rehash(edited) };
    const problems = verifyLedgerRecords(viewOf(list));
    expect(at(problems, 4).map((p) => p.message)).toEqual([expect.stringMatching(/Chain broken: prev does not match the hash of seq 3/)]);
  });

  it('names the gap when a record is removed from the middle', () => {
    const list = entries();
    list.splice(2, 1);
    const problems = verifyLedgerRecords(viewOf(list));
    expect(problems.length).toBeGreaterThan(0);
    expect(at(problems, 4).map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/expected seq 3, found 4/)]));
    expect(problems.every((p) => p.sessionId === SESSION)).toBe(true);
  });

  it('names both records when two are swapped', () => {
    const list = entries();
    [list[2], list[3]] = [list[3]!, list[2]!];
    const problems = verifyLedgerRecords(viewOf(list));
    expect(at(problems, 4).length).toBeGreaterThan(0);
    expect(at(problems, 3).length).toBeGreaterThan(0);
    expect(problems.some((p) => /reorder/.test(p.message))).toBe(true);
  });

  it('names a record appended with a wrong prev even when its own hash is right', () => {
    const list = entries();
    const last = list[list.length - 1]!.record;
    const forged = rehash({ ...(list[1]!.record as EvidenceRecord), seq: last.seq + 1, prev: list[3]!.record.hash, at: '2026-11-28T11:00:00.000Z' } as EvidenceRecord);
    list.push({ record: forged, commit: 'f'.repeat(40), path: pathOf(forged.seq, 'note') });
    const problems = verifyLedgerRecords(viewOf(list));
    expect(problems).toEqual([expect.objectContaining({ sessionId: SESSION, seq: 6, path: pathOf(6, 'note'), message: expect.stringMatching(/Chain broken/) })]);
  });

  it('names a record inserted in the middle with a prev that links to nothing', () => {
    const list = entries();
    const forged = rehash({ ...(list[1]!.record as EvidenceRecord), seq: 3, prev: 'e'.repeat(64) } as EvidenceRecord);
    list.splice(2, 0, { record: forged, commit: 'f'.repeat(40), path: pathOf(3, 'note') });
    const problems = verifyLedgerRecords(viewOf(list));
    expect(at(problems, 3).some((p) => p.path === pathOf(3, 'note') && p.commit === 'f'.repeat(40) && /Chain broken/.test(p.message))).toBe(true);
  });

  it('refuses a first record that claims a predecessor', () => {
    const list = entries();
    list[0] = { ...list[0]!, record: rehash({ ...list[0]!.record, prev: 'a'.repeat(64) }) };
    expect(at(verifyLedgerRecords(viewOf(list)), 1).map((p) => p.message)).toEqual([expect.stringMatching(/First record .* no predecessor/)]);
  });

  it('names a record whose file name has the wrong seq', () => {
    const list = entries();
    list[2]!.path = pathOf(5, 'note');
    const problems = verifyLedgerRecords(viewOf(list));
    expect(problems).toEqual([expect.objectContaining({ sessionId: SESSION, seq: 3, path: pathOf(5, 'note'), message: expect.stringMatching(/File name does not match/) })]);
  });

  it('names a record whose file name has the wrong type', () => {
    const list = entries();
    list[2]!.path = pathOf(3, 'action');
    const problems = verifyLedgerRecords(viewOf(list));
    expect(problems).toEqual([expect.objectContaining({ sessionId: SESSION, seq: 3, message: expect.stringMatching(/File name does not match the record \(session bg-[0-9a-f-]+, seq 3, type note\)/) })]);
  });

  it('names a record whose file is not a record path at all', () => {
    const list = entries();
    list[2]!.path = 'notes/3.json';
    expect(at(verifyLedgerRecords(viewOf(list)), 3).map((p) => p.message)).toEqual([expect.stringMatching(/File name does not match/)]);
  });

  it('names a record filed in the folder of another session', () => {
    const list = entries();
    list[2]!.path = pathOf(3, 'note', 'bg-20261128-094826-ffffffff');
    expect(at(verifyLedgerRecords(viewOf(list)), 3).map((p) => p.message)).toEqual([expect.stringMatching(/File name does not match/)]);
  });

  it('names the session and seq of an unreadable record, with the reason', () => {
    const path = pathOf(7, 'note');
    const problems = verifyLedgerRecords(viewOf(entries(), [{ path, blob: 'b'.repeat(40), message: 'not JSON (Unexpected end of JSON input)' }]));
    expect(problems).toEqual([{ sessionId: SESSION, seq: 7, path, commit: null, message: expect.stringMatching(/Unreadable record: not JSON/) }]);
  });

  it('reports an unreadable file that is not even a record path, by its path', () => {
    const problems = verifyLedgerRecords(viewOf(entries(), [{ path: 'sessions/stray.txt', blob: 'b'.repeat(40), message: 'not a record path' }]));
    expect(problems).toEqual([expect.objectContaining({ sessionId: null, seq: null, path: 'sessions/stray.txt' })]);
  });

  it('names a session that does not start with its declaration', () => {
    const list = entries();
    list.shift();
    const problems = verifyLedgerRecords(viewOf(list));
    expect(at(problems, null).map((p) => p.message)).toEqual([expect.stringMatching(/does not start with a declared record/)]);
    expect(at(problems, 2).length).toBeGreaterThan(0);
  });

  it('names a record filed under a session it does not belong to', () => {
    const other = new ChainBuilder('bg-20261128-100000-99999999').declared();
    const list = entries();
    list.push({ ...other.entries[0]!, record: { ...other.entries[0]!.record, seq: 6 } as EvidenceRecord });
    const problems = verifyLedgerRecords(viewOf(list));
    expect(at(problems, 6).some((p) => /names session bg-20261128-100000-99999999/.test(p.message))).toBe(true);
  });
});

describe('the native SHA-256 main installs for record hashes', () => {
  const native = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

  it('gives the portable answer for any text, lone surrogates and astral characters included, and for bytes', async () => {
    const { portableSha256Hex } = await import('../../app/chain');
    const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((units) => String.fromCharCode(...units));
    fc.assert(fc.property(fc.oneof(anyUnits, fc.string({ unit: 'grapheme', maxLength: 100 })), (text) => native(text) === portableSha256Hex(text)), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => native(bytes) === portableSha256Hex(bytes)), { numRuns: 200 });
  });

  it('with the store loaded (which installs it) hashes keep their known answers, and a SHA-256 that disagrees is refused', async () => {
    const { installSha256Hex, portableSha256Hex } = await import('../../app/chain');
    await import('../../main/evidence/store');
    // A record hash is the same whichever implementation sealed it.
    expect(sha256Hex('caf\u00e9 \ud800')).toBe(portableSha256Hex('caf\u00e9 \ud800'));
    expect(() => installSha256Hex((t) => native(typeof t === 'string' ? `${t}x` : t))).toThrow(/disagrees/);
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
