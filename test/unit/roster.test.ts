import { describe, expect, it } from 'vitest';
import {
  accountsOf, allowedSignersFor, authorizeRecordSigner, authorizeReviewCorrection, findPerson, formatRosterProblems,
  keyAt, parseRosterYaml, parseSshPublicKey, rolesOf, signerRuleFor, toOpenSshTime, type RecordSignerQuery, type Roster, type RosterProblem,
} from '../../app/roster';
import { RECORD_TYPES } from '../../app/records';
import { softKey } from '../support/softSsh';

const ada = softKey('sk-ssh-ed25519@openssh.com');
const adaOld = softKey('ssh-ed25519');
const grace = softKey('sk-ecdsa-sha2-nistp256@openssh.com');
const alan = softKey('ecdsa-sha2-nistp256');
const host = softKey('ssh-ed25519');
const otherHost = softKey('ssh-ed25519');

const ROSTER = `version: 1
people:
  - id: ada
    name: Ada Lovelace
    email: ada@example.com
    roles: [operator, roster-admin]
    accounts: [ada, alovelace]
    keys:
      - key: ${ada.publicKey.line} ada@yubikey
        validAfter: 2026-01-01T00:00:00Z
      - key: ${adaOld.publicKey.line} ada@laptop
        validAfter: 2025-01-01T00:00:00Z
        revoked:
          at: 2026-06-01T09:00:00Z
          reason: Laptop lost on a train
  - id: grace
    name: Grace Hopper
    email: grace@example.com
    roles: [reviewer, commander]
    keys:
      - key: ${grace.publicKey.line}
        validBefore: 2027-12-31T23:59:59Z
  - id: alan
    name: Alan Turing
    email: Alan@Example.com
    roles: [operator, reviewer]
    keys:
      - key: ${alan.publicKey.line}
hosts:
  - id: ws-1
    keys:
      - key: ${host.publicKey.line} breakglass-host-ws-1
  - id: ws-2
    keys:
      - key: ${otherHost.publicKey.line}
`;

function roster(text = ROSTER): Roster {
  const load = parseRosterYaml(text);
  if (!load.ok) throw new Error(formatRosterProblems(load.problems));
  return load.roster;
}

function problems(text: string): RosterProblem[] {
  const load = parseRosterYaml(text);
  if (load.ok) throw new Error('expected the roster to be refused');
  return load.problems;
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const lastLineOf = (text: string, needle: string) => text.split('\n').findLastIndex((l) => l.includes(needle)) + 1;
const at = (iso: string) => Date.parse(iso);

describe('roster.yaml', () => {
  it('parses people, keys, windows and hosts; instants stay strings', () => {
    const r = roster();
    expect(r.people.map((p) => p.id)).toEqual(['ada', 'grace', 'alan']);
    expect(r.people[0]!.keys[1]!.revoked).toEqual({ at: '2026-06-01T09:00:00Z', reason: 'Laptop lost on a train' });
    expect(r.hosts.map((h) => h.id)).toEqual(['ws-1', 'ws-2']);
    expect(roster(ROSTER.replace(/hosts:[\s\S]*$/, '')).hosts).toEqual([]);
  });

  it('names file, line and field for each problem', () => {
    // [replace, with, field, message, text on the reported line (its last occurrence)]
    const cases: Array<[string, string, string, RegExp, string]> = [
      ['    roles: [reviewer, commander]', '    roles: [reviewer, comander]', 'people[1].roles[1]', /A role is one of/, 'roles: [reviewer, comander]'],
      ['    accounts: [ada, alovelace]', '    accounts: [ada, alovelace]\n    shell: bash', 'people[0].shell', /unknown field "shell"/, 'shell: bash'],
      [`      - key: ${alan.publicKey.line}`, `      - key: ssh-rsa ${alan.publicKey.line.split(' ')[1]}`, 'people[2].keys[0].key', /type word does not match|not accepted/, 'key: ssh-rsa'],
      [`      - key: ${otherHost.publicKey.line}`, `      - key: ${alan.publicKey.line}`, 'hosts[1].keys[0].key', /already listed at people\[2\]\.keys\[0\]/, `key: ${alan.publicKey.line}`],
      ['        validBefore: 2027-12-31T23:59:59Z', '        validBefore: 2027-12-31T23:59:59.000Z', 'people[1].keys[0].validBefore', /to the second/, 'validBefore: 2027-12-31T23:59:59.000Z'],
      ['        validAfter: 2026-01-01T00:00:00Z', '        validAfter: 2026-01-01T00:00:00Z\n        validBefore: 2025-12-31T00:00:00Z', 'people[0].keys[0].validBefore', /after validAfter/, 'validBefore: 2025-12-31'],
      ['    email: Alan@Example.com', '    email: grace@EXAMPLE.com', 'people[2].email', /another person/, 'grace@EXAMPLE.com'],
      ['    name: Alan Turing', '    name: root', 'people[2].name', /shared or anonymous/, 'name: root'],
      ['    roles: [operator, roster-admin]', '    roles: [operator]', 'people', /roster-admin/, 'people:'],
      ['  - id: ws-2', '  - id: ws-1', 'hosts[1].id', /listed twice/, '- id: ws-1'],
    ];
    for (const [from, to, field, message, onLine] of cases) {
      expect(ROSTER.split(from)).toHaveLength(2);
      const text = ROSTER.replace(from, to);
      const found = problems(text).filter((p) => p.field === field);
      expect(found, `${field}: ${JSON.stringify(problems(text))}`).toHaveLength(1);
      expect(found[0]!.message).toMatch(message);
      expect(found[0]!.file).toBe('roster.yaml');
      expect(found[0]!.line, field).toBe(lastLineOf(text, onLine));
    }
    const syntax = problems('version: 1\npeople: [\n');
    expect(syntax[0]!.message).toMatch(/^YAML syntax/);
    expect(formatRosterProblems(problems(ROSTER.replace('    roles: [reviewer, commander]', '    roles: [reviewer, comander]')))).toBe(`roster.yaml:${lineOf(ROSTER, 'roles: [reviewer, commander]')}: people[1].roles[1]: A role is one of operator, reviewer, commander, roster-admin.`);
  });

  it('reports the line of a bad key', () => {
    const text = ROSTER.replace(`      - key: ${alan.publicKey.line}`, '      - key: ssh-ed25519 AAAAnotakey');
    const [p] = problems(text);
    expect(p).toMatchObject({ field: 'people[2].keys[0].key', line: lineOf(text, 'AAAAnotakey') });
  });
});

describe('keyAt', () => {
  const r = roster();
  it('finds the person or host of a fingerprint and judges the window in whole seconds', () => {
    expect(keyAt(r, 'SHA256:nope', at('2026-07-01T00:00:00Z'))).toBeNull();
    expect(keyAt(r, ada.publicKey.fingerprint, at('2026-07-01T00:00:00Z'))).toMatchObject({ holder: { kind: 'person', person: { id: 'ada' } }, status: 'valid', securityKey: true, keyType: 'sk-ssh-ed25519@openssh.com' });
    expect(keyAt(r, ada.publicKey.fingerprint, at('2025-12-31T23:59:59Z'))!.status).toBe('not-yet-valid');
    expect(keyAt(r, ada.publicKey.fingerprint, at('2026-01-01T00:00:00Z'))!.status).toBe('valid');
    expect(keyAt(r, adaOld.publicKey.fingerprint, at('2026-06-01T08:59:59.999Z'))!.status).toBe('valid');
    expect(keyAt(r, adaOld.publicKey.fingerprint, at('2026-06-01T09:00:00Z'))!.status).toBe('revoked');
    expect(keyAt(r, grace.publicKey.fingerprint, at('2027-12-31T23:59:59.999Z'))!.status).toBe('valid');
    expect(keyAt(r, grace.publicKey.fingerprint, at('2028-01-01T00:00:00Z'))!.status).toBe('expired');
    expect(keyAt(r, host.publicKey.fingerprint, 0)).toMatchObject({ holder: { kind: 'host', host: { id: 'ws-1' } }, status: 'valid' });
  });

  it('answers roles and accounts by e-mail, case-insensitively', () => {
    expect(rolesOf(r, { email: 'alan@example.com' })).toEqual(['operator', 'reviewer']);
    expect(rolesOf(r, { email: 'nobody@example.com' })).toEqual([]);
    expect(accountsOf(r, { email: 'ADA@example.com' })).toEqual(['ada', 'alovelace']);
    expect(accountsOf(r, { email: 'grace@example.com' })).toBeNull();
    expect(findPerson(r, { email: ' grace@example.com ' })?.id).toBe('grace');
  });
});

describe('signerRuleFor', () => {
  it('has a rule for every record type', () => {
    const rules = Object.fromEntries(RECORD_TYPES.map((t) => [t, signerRuleFor({ type: t, sessionId: 'bg-20261128-094826-0a1b2c3d' })]));
    expect(rules).toEqual({
      declared: 'operator', action: 'operator', 'action-started': 'operator', note: 'operator', extended: 'operator', closed: 'operator',
      expired: 'operator-or-host', 'clock-skew': 'operator-or-host', reviewed: 'reviewer', 'lock-recovered': 'host', 'policy-adopted': 'host', 'forwarding-state': 'host',
      'recording-started': 'operator', 'recording-chunk': 'operator-or-host', 'recording-degraded': 'operator-or-host', 'recording-ended': 'operator-or-host',
      acknowledgement: 'commander', acknowledged: 'operator', witnessed: 'person-or-host',
    });
    expect(signerRuleFor({ type: 'clock-skew', sessionId: 'journal-ws-1' })).toBe('host');
  });
});

describe('authorizeRecordSigner', () => {
  const r = roster();
  const SESSION = 'bg-20261128-094826-0a1b2c3d';
  const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
  const GRACE = { name: 'Grace Hopper', email: 'grace@example.com' };
  const ALAN = { name: 'Alan Turing', email: 'alan@example.com' };
  const when = at('2026-11-28T09:48:26Z');
  const q = (type: RecordSignerQuery['record']['type'], actor: { email: string }, fingerprint: string | null, extra: Partial<RecordSignerQuery> = {}): RecordSignerQuery => ({
    record: { type, sessionId: SESSION, actor, host: { id: 'ws-1' } }, fingerprint, atMs: when, ...extra,
  });
  const adaOperated = { operator: { person: ADA, fingerprints: [ada.publicKey.fingerprint] } };
  const code = (check: ReturnType<typeof authorizeRecordSigner>) => (check.ok ? 'ok' : check.finding.code);

  it('accepts the operator for operator records and a reviewer who is not the operator for reviews', () => {
    expect(code(authorizeRecordSigner(r, q('declared', ADA, ada.publicKey.fingerprint)))).toBe('ok');
    expect(code(authorizeRecordSigner(r, q('reviewed', GRACE, grace.publicKey.fingerprint, adaOperated)))).toBe('ok');
    expect(code(authorizeRecordSigner(r, q('reviewed', ALAN, alan.publicKey.fingerprint, adaOperated)))).toBe('ok');
  });

  it('refuses unsigned, unknown, revoked and out-of-window keys, naming the fingerprint', () => {
    expect(authorizeRecordSigner(r, q('note', ADA, null))).toMatchObject({ ok: false, finding: { code: 'unsigned', fingerprint: null } });
    expect(authorizeRecordSigner(r, q('note', ADA, 'SHA256:unknown'))).toMatchObject({ ok: false, finding: { code: 'unknown-key', fingerprint: 'SHA256:unknown', message: expect.stringContaining('SHA256:unknown') } });
    expect(authorizeRecordSigner(r, q('note', ADA, adaOld.publicKey.fingerprint))).toMatchObject({ ok: false, finding: { code: 'key-revoked' }, signer: { holder: { person: { id: 'ada' } } } });
    expect(code(authorizeRecordSigner(r, q('note', ADA, adaOld.publicKey.fingerprint, { atMs: at('2026-05-31T00:00:00Z') })))).toBe('ok');
    expect(code(authorizeRecordSigner(r, q('note', ADA, ada.publicKey.fingerprint, { atMs: at('2025-06-01T00:00:00Z') })))).toBe('key-not-yet-valid');
    expect(code(authorizeRecordSigner(r, q('reviewed', GRACE, grace.publicKey.fingerprint, { ...adaOperated, atMs: at('2028-06-01T00:00:00Z') })))).toBe('key-expired');
  });

  it("refuses a key used for another person's record (impersonation) and a person without the role", () => {
    expect(code(authorizeRecordSigner(r, q('reviewed', GRACE, ada.publicKey.fingerprint, adaOperated)))).toBe('wrong-person');
    expect(code(authorizeRecordSigner(r, q('declared', ADA, grace.publicKey.fingerprint)))).toBe('wrong-person');
    expect(code(authorizeRecordSigner(r, q('declared', GRACE, grace.publicKey.fingerprint)))).toBe('missing-role');
    expect(code(authorizeRecordSigner(r, q('reviewed', ADA, ada.publicKey.fingerprint, { operator: { person: ALAN, fingerprints: [alan.publicKey.fingerprint] } })))).toBe('missing-role');
  });

  it("refuses a review by the session's operator — by person or by key", () => {
    const alanOperated = { operator: { person: ALAN, fingerprints: [alan.publicKey.fingerprint] } };
    expect(code(authorizeRecordSigner(r, q('reviewed', ALAN, alan.publicKey.fingerprint, alanOperated)))).toBe('reviewer-uses-operator-key');
    // Alan declared with a key the roster has since dropped; his review with his listed key is still his own session.
    expect(code(authorizeRecordSigner(r, q('reviewed', ALAN, alan.publicKey.fingerprint, { operator: { person: ALAN, fingerprints: ['SHA256:dropped'] } })))).toBe('reviewer-is-operator');
    // The declaration named Ada by another spelling of her address: still Ada.
    expect(code(authorizeRecordSigner(r, q('reviewed', ALAN, alan.publicKey.fingerprint, { operator: { person: { email: 'ALAN@example.com ' }, fingerprints: [] } })))).toBe('reviewer-is-operator');
    expect(() => authorizeRecordSigner(r, q('reviewed', GRACE, grace.publicKey.fingerprint))).toThrow(/session operator/);
  });

  it('host records need the host key of their own host; person records refuse host keys; expiry takes either', () => {
    const journal = (type: 'lock-recovered' | 'policy-adopted', fp: string, hostId = 'ws-1') => authorizeRecordSigner(r, { record: { type, sessionId: `journal-${hostId}`, actor: ADA, host: { id: hostId } }, fingerprint: fp, atMs: when });
    expect(code(journal('lock-recovered', host.publicKey.fingerprint))).toBe('ok');
    expect(code(journal('policy-adopted', otherHost.publicKey.fingerprint))).toBe('wrong-host');
    expect(code(journal('policy-adopted', ada.publicKey.fingerprint))).toBe('host-key-required');
    expect(code(authorizeRecordSigner(r, q('declared', ADA, host.publicKey.fingerprint)))).toBe('person-key-required');
    expect(code(authorizeRecordSigner(r, q('expired', ADA, host.publicKey.fingerprint)))).toBe('ok');
    expect(code(authorizeRecordSigner(r, q('expired', ADA, otherHost.publicKey.fingerprint)))).toBe('wrong-host');
    expect(code(authorizeRecordSigner(r, q('expired', ADA, ada.publicKey.fingerprint)))).toBe('ok');
  });
});

describe('authorizeReviewCorrection', () => {
  const r = roster();
  const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
  const correction = (actor: { email: string }, fp: string) => ({
    record: { type: 'reviewed' as const, sessionId: 'bg-20261128-094826-0a1b2c3d', actor, host: { id: 'ws-1' } }, fingerprint: fp, atMs: at('2026-11-29T00:00:00Z'),
    operator: { person: ADA, fingerprints: [ada.publicKey.fingerprint] },
  });
  it('allows the same reviewer or another reviewer, never the operator', () => {
    expect(authorizeReviewCorrection(r, { previousReviewerId: 'grace', correction: correction({ email: 'grace@example.com' }, grace.publicKey.fingerprint) })).toMatchObject({ ok: true, sameReviewer: true });
    expect(authorizeReviewCorrection(r, { previousReviewerId: 'grace', correction: correction({ email: 'alan@example.com' }, alan.publicKey.fingerprint) })).toMatchObject({ ok: true, sameReviewer: false });
    expect(authorizeReviewCorrection(r, { previousReviewerId: 'grace', correction: correction(ADA, ada.publicKey.fingerprint) })).toMatchObject({ ok: false, finding: { code: 'missing-role' } });
    // Even an operator who also holds the reviewer role cannot correct the review of their own session.
    const both = roster(ROSTER.replace('roles: [operator, roster-admin]', 'roles: [operator, reviewer, roster-admin]'));
    expect(authorizeReviewCorrection(both, { previousReviewerId: 'grace', correction: correction(ADA, ada.publicKey.fingerprint) })).toMatchObject({ ok: false, finding: { code: 'reviewer-uses-operator-key' } });
  });
});

describe('allowedSignersFor', () => {
  it("writes git's allowed_signers: e-mail principals, namespaces=git, windows in UTC, a revocation one second early, no key comments", () => {
    const text = allowedSignersFor(roster());
    const lines = text.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines).toEqual([
      `ada@example.com namespaces="git",valid-after="20260101000000Z" ${ada.publicKey.line}`,
      `ada@example.com namespaces="git",valid-after="20250101000000Z",valid-before="20260601085959Z" ${adaOld.publicKey.line}`,
      `grace@example.com namespaces="git",valid-before="20271231235959Z" ${grace.publicKey.line}`,
      `Alan@Example.com namespaces="git" ${alan.publicKey.line}`,
      `host:ws-1 namespaces="git" ${host.publicKey.line}`,
      `host:ws-2 namespaces="git" ${otherHost.publicKey.line}`,
    ]);
    expect(text).not.toContain('ada@yubikey');
    expect(text).toContain('# Ada Lovelace (ada): operator, roster-admin');
  });

  it('leaves out a key revoked before its window began (OpenSSH would refuse the line)', () => {
    const text = allowedSignersFor(roster(ROSTER.replace('at: 2026-06-01T09:00:00Z', 'at: 2025-01-01T00:00:00Z')));
    expect(text).toContain(`# (left out: revoked before its window began) ${adaOld.publicKey.line}`);
    expect(text.split('\n').filter((l) => l.endsWith(adaOld.publicKey.line) && !l.startsWith('#'))).toEqual([]);
    expect(toOpenSshTime(Date.parse('2026-11-28T09:48:26Z') / 1000)).toBe('20261128094826Z');
  });

  it('parses public key lines as ssh-add -L prints them', () => {
    expect(parseSshPublicKey(`${grace.publicKey.line} grace@key`).fingerprint).toBe(grace.publicKey.fingerprint);
    expect(() => parseSshPublicKey(`ssh-ed25519 ${grace.publicKey.line.split(' ')[1]}`)).toThrow(/does not match/);
  });
});
