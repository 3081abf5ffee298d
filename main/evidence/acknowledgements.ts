import { ACK_NAMESPACE, commanderAcks, messageBytes, responseOfArmored, sessionAcknowledgements, sessionChallenge, type AckJudge, type AckStatus, type CommanderAck } from '../../app/acknowledgement';
import type { Policy } from '../../app/policy';
import type { LedgerView } from '../../app/ports';
import { keyAt } from '../../app/roster/lookup';
import type { Roster } from '../../app/roster/schema';
import { verifySshSignature } from '../signing/sshsig';

/**
 * The commander's acknowledgements judged against the roster (issue 16): the SSHSIG over
 * `breakglass-ack-v1:<challenge>` in namespace `breakglass-ack` verifies in-process, its response
 * code is the one the record states, and the key is, at the commander's time, inside its window
 * and held by the person the record names, who has the commander role.
 */
export function ackJudge(roster: Roster | null): AckJudge {
  return (record) => {
    const who = record.actor.name;
    if (!roster) return `${who}'s acknowledgement cannot be checked: the repository has no roster, so no commander's key is known`;
    const check = verifySshSignature(record.payload.signature, messageBytes(record.payload.challenge), ACK_NAMESPACE);
    if (!check.ok) return `${who}'s acknowledgement signature does not verify (${check.reason})`;
    if (responseOfArmored(record.payload.signature) !== record.payload.response) return `${who}'s acknowledgement states a response code that is not its signature's`;
    const fp = check.key.fingerprint;
    const found = keyAt(roster, fp, Date.parse(record.at));
    if (!found || found.holder.kind !== 'person') return `${who}'s acknowledgement is signed by key ${fp}, which the roster does not list for a person`;
    if (found.status !== 'valid') return `${who}'s acknowledgement is signed by key ${fp}, ${found.status} at ${record.at}`;
    const person = found.holder.person;
    if (person.email.toLowerCase() !== record.actor.email.trim().toLowerCase()) return `${who}'s acknowledgement is signed by the key of person "${person.id}" (${fp})`;
    if (!person.roles.includes('commander')) return `person "${person.id}" signed an acknowledgement without the commander role (key ${fp})`;
    return null;
  };
}

/** Every session's acknowledgements (issue 16) by session id, the commanders' records judged against `roster`, and every commander's record. */
export function acknowledgementsOf(view: LedgerView, roster: Roster | null, policy: Policy, nowMs: number, only?: ReadonlySet<string>): { bySession: Map<string, AckStatus[]>; acks: Map<string, CommanderAck[]> } {
  // For some sessions only, only the acknowledgements of their own codes are judged.
  const challenges = only ? new Set([...only].flatMap((id) => (['declared', 'closed'] as const).map((ev) => sessionChallenge(view.sessions.get(id) ?? [], ev)).filter((c): c is string => c !== null))) : undefined;
  const acks = commanderAcks(view, ackJudge(roster), challenges);
  const bySession = new Map<string, AckStatus[]>();
  for (const [id, entries] of view.sessions) {
    if (id.startsWith('journal-') || entries[0]?.record.type !== 'declared' || (only && !only.has(id))) continue;
    bySession.set(id, sessionAcknowledgements(entries, acks, policy, nowMs));
  }
  return { bySession, acks };
}
