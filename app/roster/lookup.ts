import { assertNever } from '../errors';
import type { Person } from '../identity';
import type { RecordType } from '../records';
import type { Roster, RosterHost, RosterKey, RosterPerson, RosterRole } from './schema';
import { parseSshPublicKey, type SshKeyType } from './sshKey';

/**
 * Who a signature belongs to, and whether that signer may sign this record (issue 15, "Verify
 * checks who"). Pure: the caller gives the roster in force (the one at the commit's parent), the
 * signing key's fingerprint and the instant; nothing here reads git or a clock.
 */

/** Whose key it is: a person of the roster, or a host. */
export type KeyHolder = { kind: 'person'; person: RosterPerson } | { kind: 'host'; host: RosterHost };

/** A key's standing at an instant: inside its window, before it, after it, or revoked. */
export type KeyStatus = 'valid' | 'not-yet-valid' | 'expired' | 'revoked';

/** A roster key found by fingerprint, with its holder and its standing at the instant asked about. */
export interface KeyLookup {
  holder: KeyHolder;
  key: RosterKey;
  fingerprint: string;
  keyType: SshKeyType;
  securityKey: boolean;
  status: KeyStatus;
}

interface IndexedKey {
  holder: KeyHolder;
  key: RosterKey;
  keyType: SshKeyType;
  securityKey: boolean;
  /** Bounds in whole seconds since the epoch (null = open). */
  after: number | null;
  before: number | null;
  revokedFrom: number | null;
}

// Rosters are immutable values; verification asks about the same roster for thousands of commits.
const indexes = new WeakMap<Roster, Map<string, IndexedKey>>();

const seconds = (iso: string | undefined): number | null => (iso === undefined ? null : Math.floor(Date.parse(iso) / 1000));

function indexOf(roster: Roster): Map<string, IndexedKey> {
  let index = indexes.get(roster);
  if (index) return index;
  index = new Map();
  const add = (holder: KeyHolder, key: RosterKey) => {
    const parsed = parseSshPublicKey(key.key);
    index!.set(parsed.fingerprint, {
      holder, key, keyType: parsed.type, securityKey: parsed.securityKey,
      after: seconds(key.validAfter), before: seconds(key.validBefore), revokedFrom: seconds(key.revoked?.at),
    });
  };
  for (const person of roster.people) for (const key of person.keys) add({ kind: 'person', person }, key);
  for (const host of roster.hosts) for (const key of host.keys) add({ kind: 'host', host }, key);
  indexes.set(roster, index);
  return index;
}

/**
 * A key's standing at `atMs`, compared in whole seconds as OpenSSH compares `-Overify-time`:
 * `validAfter` and `validBefore` include the second they name; a revocation applies from its
 * second on (allowedSigners.ts writes it as `valid-before` one second earlier).
 */
function statusAt(k: IndexedKey, atMs: number): KeyStatus {
  const t = Math.floor(atMs / 1000);
  if (k.revokedFrom !== null && t >= k.revokedFrom) return 'revoked';
  if (k.after !== null && t < k.after) return 'not-yet-valid';
  if (k.before !== null && t > k.before) return 'expired';
  return 'valid';
}

/** Which person or host a key fingerprint (`SHA256:…`) belongs to in `roster`, and its standing at `atMs`; null for a key the roster does not list. */
export function keyAt(roster: Roster, fingerprint: string, atMs: number): KeyLookup | null {
  const k = indexOf(roster).get(fingerprint);
  if (!k) return null;
  return { holder: k.holder, key: k.key, fingerprint, keyType: k.keyType, securityKey: k.securityKey, status: statusAt(k, atMs) };
}

/** The roles a person holds in `roster` (none for someone it does not list), found by e-mail as records name people. */
export function rolesOf(roster: Roster, person: Pick<Person, 'email'>): RosterRole[] {
  return findPerson(roster, person)?.roles ?? [];
}

/** The roster entry for the person a record names (e-mail compared case-insensitively, as identity.ts does). */
export function findPerson(roster: Roster, person: Pick<Person, 'email'>): RosterPerson | null {
  const email = person.email.trim().toLowerCase();
  return roster.people.find((p) => p.email.toLowerCase() === email) ?? null;
}

/** Which OS account names the roster allows for a person; null when the roster lists none (the check is then skipped, issue 15). */
export function accountsOf(roster: Roster, person: Pick<Person, 'email'>): readonly string[] | null {
  return findPerson(roster, person)?.accounts ?? null;
}

/**
 * Who must sign a record of each type. Automatic records (`expired`, `clock-skew`) may carry the
 * session host's key instead of the operator's: expiry must be recorded even when the operator
 * is away from their security key (procedure.md §6, fail closed), and waiting for a touch would
 * keep an expired session open.
 */
export type SignerRule = 'operator' | 'reviewer' | 'commander' | 'host' | 'operator-or-host' | 'person-or-host';

/** The signer rule for a record: host key for the host journal and host-level records, reviewer for reviews, else the operator. */
export function signerRuleFor(record: { type: RecordType; sessionId: string }): SignerRule {
  // Issue 16: the commander's own signed record, on the commander host's journal.
  if (record.type === 'acknowledgement') return 'commander';
  // Issue 16: a witness statement is anyone's who saw the histories: the witness host's own key, or
  // any person the roster lists (no role: an auditor or a commander witnesses alike) signing as themself.
  if (record.type === 'witnessed') return 'person-or-host';
  if (record.sessionId.startsWith('journal-')) return 'host';
  switch (record.type) {
    case 'reviewed':
      return 'reviewer';
    case 'lock-recovered':
    case 'policy-adopted':
    case 'forwarding-state':
      return 'host';
    // A shell's recording is committed every 10 s without the operator (issue 17): no key touch per chunk.
    case 'expired':
    case 'clock-skew':
    case 'recording-chunk':
    case 'recording-degraded':
    case 'recording-ended':
      return 'operator-or-host';
    case 'declared':
    case 'action':
    case 'action-started':
    case 'note':
    case 'extended':
    case 'closed':
    case 'recording-started':
    case 'acknowledged':
      return 'operator';
    default:
      return assertNever(record.type, 'record type');
  }
}

/** Why a record's signer is refused; each names the key fingerprint (null when unsigned). */
export type SignerFindingCode =
  | 'unsigned' | 'unknown-key' | 'key-not-yet-valid' | 'key-expired' | 'key-revoked'
  | 'wrong-person' | 'missing-role' | 'host-key-required' | 'person-key-required' | 'wrong-host'
  | 'reviewer-is-operator' | 'reviewer-uses-operator-key';

/** A refused signer: a code, a sentence naming the roster entry and fingerprint, and the fingerprint. */
export interface SignerFinding {
  code: SignerFindingCode;
  message: string;
  fingerprint: string | null;
}

/** The answer for one record: its signer, or the finding (with the signer when the key is known). */
export type SignerCheck = { ok: true; signer: KeyLookup } | { ok: false; finding: SignerFinding; signer: KeyLookup | null };

/** What authorizeRecordSigner needs to know about one record and its signature. */
export interface RecordSignerQuery {
  record: { type: RecordType; sessionId: string; actor: Pick<Person, 'email'>; host: { id: string } };
  /** The verified signature's key fingerprint; null for an unsigned commit. */
  fingerprint: string | null;
  /** The instant the signature is judged at (git's: the committer time), in ms. */
  atMs: number;
  /** Required for reviews: the session's operator as the declaration names them, and the keys their records were signed with. */
  operator?: { person: Pick<Person, 'email'>; fingerprints: readonly string[] };
}

const STATUS_FINDING: Record<Exclude<KeyStatus, 'valid'>, SignerFindingCode> = {
  'not-yet-valid': 'key-not-yet-valid',
  expired: 'key-expired',
  revoked: 'key-revoked',
};

function holderName(h: KeyHolder): string {
  return h.kind === 'person' ? `person "${h.person.id}"` : `host "${h.host.id}"`;
}

/**
 * Is this record's signer allowed (issue 15): a valid signature by a key of the person the record
 * names, with the role the record needs, inside the key's window; host records by the host's own
 * key; a review by a reviewer whose person and key are not the operator's.
 */
export function authorizeRecordSigner(roster: Roster, q: RecordSignerQuery): SignerCheck {
  const fp = q.fingerprint;
  const refuse = (code: SignerFindingCode, message: string, signer: KeyLookup | null = null): SignerCheck => ({ ok: false, finding: { code, message, fingerprint: fp }, signer });
  if (fp === null) return refuse('unsigned', `The ${q.record.type} record is not signed.`);
  const signer = keyAt(roster, fp, q.atMs);
  if (!signer) return refuse('unknown-key', `The ${q.record.type} record is signed by key ${fp}, which the roster does not list.`);
  if (signer.status !== 'valid') {
    return refuse(STATUS_FINDING[signer.status], `The ${q.record.type} record is signed by key ${fp} of ${holderName(signer.holder)}, ${signer.status === 'revoked' ? 'revoked' : signer.status === 'expired' ? 'expired' : 'not yet valid'} at the commit's time.`, signer);
  }
  const rule = signerRuleFor(q.record);
  if (signer.holder.kind === 'host') {
    if (rule !== 'host' && rule !== 'operator-or-host' && rule !== 'person-or-host') return refuse('person-key-required', `The ${q.record.type} record must be signed by the person it names, not by host key ${fp}.`, signer);
    const expected = q.record.sessionId.startsWith('journal-') ? q.record.sessionId.slice('journal-'.length) : q.record.host.id;
    if (signer.holder.host.id !== expected || q.record.host.id !== expected) return refuse('wrong-host', `The ${q.record.type} record of host "${expected}" is signed by the key of ${holderName(signer.holder)} (${fp}).`, signer);
    return { ok: true, signer };
  }
  if (rule === 'host') return refuse('host-key-required', `The ${q.record.type} record must be signed by its host's key, not by ${holderName(signer.holder)}'s key ${fp}.`, signer);
  const person = signer.holder.person;
  if (person.email.toLowerCase() !== q.record.actor.email.trim().toLowerCase()) {
    return refuse('wrong-person', `The ${q.record.type} record names another person than the holder of its signing key ${fp} (${holderName(signer.holder)}).`, signer);
  }
  if (rule === 'person-or-host') return { ok: true, signer };
  const role: RosterRole = rule === 'reviewer' ? 'reviewer' : rule === 'commander' ? 'commander' : 'operator';
  if (!person.roles.includes(role)) return refuse('missing-role', `${holderName(signer.holder)} signed a ${q.record.type} record without the ${role} role.`, signer);
  if (rule === 'reviewer') {
    // Segregation of duties (A.6.2 / CC6.3) cannot be judged without the session's operator.
    if (!q.operator) throw new Error('authorizeRecordSigner: a review needs the session operator');
    const operatorPerson = findPerson(roster, q.operator.person);
    const operatorIds = new Set([operatorPerson?.id, ...q.operator.fingerprints.map((f) => {
      const h = keyAt(roster, f, q.atMs)?.holder;
      return h?.kind === 'person' ? h.person.id : undefined;
    })].filter((id): id is string => id !== undefined));
    if (q.operator.fingerprints.includes(fp)) return refuse('reviewer-uses-operator-key', `The review is signed with key ${fp}, which signed the session's operator records.`, signer);
    if (operatorIds.has(person.id) || person.email.toLowerCase() === q.operator.person.email.trim().toLowerCase()) {
      return refuse('reviewer-is-operator', `The review is signed by ${holderName(signer.holder)}, the session's operator (key ${fp}).`, signer);
    }
  }
  return { ok: true, signer };
}

/** What authorizeReviewCorrection needs: the superseded review's signer, the correction, and the session's operator. */
export interface ReviewCorrectionQuery {
  /** Person id of the roster entry that signed the superseded review (null if it was not validly signed). */
  previousReviewerId: string | null;
  correction: RecordSignerQuery;
}

/** The answer for a correction: refused, or allowed and whether the original reviewer made it. */
export type ReviewCorrectionCheck = (SignerCheck & { ok: false }) | { ok: true; signer: KeyLookup; sameReviewer: boolean };

/**
 * A review is corrected (superseded) only by its own reviewer or by another reviewer, never by
 * the operator (issue 15: the operator once superseded a not-justified review under another name).
 */
export function authorizeReviewCorrection(roster: Roster, q: ReviewCorrectionQuery): ReviewCorrectionCheck {
  if (q.correction.record.type !== 'reviewed') throw new Error('authorizeReviewCorrection: the correction is a reviewed record');
  const check = authorizeRecordSigner(roster, q.correction);
  if (!check.ok) return check;
  const holder = check.signer.holder;
  return { ok: true, signer: check.signer, sameReviewer: holder.kind === 'person' && holder.person.id === q.previousReviewerId };
}
