import type { Person } from '../identity';
import { findPerson } from './lookup';
import type { Roster, RosterPerson, RosterRole } from './schema';
import { parseSshPublicKey, type SshKeyType } from './sshKey';

/**
 * Which of a person's roster keys will sign, chosen from the keys their ssh-agent holds (issue 15,
 * "Identity is checked where it is claimed"). One pure decision shared by the commit path
 * (main/evidence/recordSigning.ts refuses with it) and the preconditions (the wizard and
 * `declare` show it before anything is written), so what is shown is what will sign.
 */

/** Words shown before a security key signs (issue 15: the touch is asked for in words). */
export const TOUCH_PROMPT = 'Touch your security key to sign';

/** A public key the ssh-agent holds, as far as the choice needs it. */
export interface HeldKey {
  fingerprint: string;
  type: SshKeyType;
  securityKey: boolean;
}

/** Why no key can sign for the person. */
export type NoSignerCode = 'not-listed' | 'missing-role' | 'no-key-held' | 'key-refused';

/** The chosen key and its holder, or why none fits with a sentence saying what to do. */
export type SignerChoice =
  | { ok: true; person: RosterPerson; key: HeldKey }
  | { ok: false; code: NoSignerCode; message: string };

const fingerprints = new Map<string, string>();

/** A roster key line's fingerprint (parsed once per line: the roster is asked about for every record). */
export function rosterKeyFingerprint(line: string): string {
  let fp = fingerprints.get(line);
  if (fp === undefined) {
    fp = parseSshPublicKey(line).fingerprint;
    fingerprints.set(line, fp);
  }
  return fp;
}

/**
 * The key that signs for `person` in `role`: the first key the agent holds that the roster lists
 * for them and `refuse` does not reject (it returns why, e.g. outside its window). The person's
 * typed name and e-mail are never repeated in a refusal (free text); roster names are.
 */
export function chooseSignerKey(roster: Roster, person: Pick<Person, 'email'>, role: RosterRole, held: readonly HeldKey[], refuse: (fingerprint: string) => string | null = () => null): SignerChoice {
  const entry = findPerson(roster, person);
  if (!entry) {
    return { ok: false, code: 'not-listed', message: 'The operator\'s e-mail address is not in the roster, so nothing can be signed as them. A roster admin adds them (breakglass roster add), and a second admin approves.' };
  }
  if (!entry.roles.includes(role)) {
    return { ok: false, code: 'missing-role', message: `${entry.name} (${entry.id}) does not have the ${role} role in the roster. A roster admin can propose it (breakglass roster propose).` };
  }
  const listed = new Set(entry.keys.map((k) => rosterKeyFingerprint(k.key)));
  const candidates = held.filter((k) => listed.has(k.fingerprint));
  if (candidates.length === 0) {
    return { ok: false, code: 'no-key-held', message: `None of ${entry.name}'s roster keys (${[...listed].join(', ')}) is in the ssh-agent. Add yours with ssh-add (a security key: ssh-add -K).` };
  }
  let why = '';
  for (const key of candidates) {
    const refused = refuse(key.fingerprint);
    if (refused === null) return { ok: true, person: entry, key };
    why = refused;
  }
  return { ok: false, code: 'key-refused', message: why };
}

/** The OS-account check's answer: skipped (the roster lists no accounts for the person), or whether the account is one of theirs. */
export type AccountCheck = { listed: null } | { listed: readonly string[]; ok: boolean };

/**
 * Is `username` one of the person's listed OS accounts (issue 15, procedure.md §1)? Exact match:
 * account names are case-sensitive on the hosts the console runs on.
 */
export function checkOsAccount(person: RosterPerson, username: string): AccountCheck {
  if (!person.accounts || person.accounts.length === 0) return { listed: null };
  return { listed: person.accounts, ok: person.accounts.includes(username) };
}
