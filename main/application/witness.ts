import type { Person } from '../../app/identity';
import type { Application, CommittedRecord } from './application';

/**
 * Who signs a witness statement (issue 16):
 * - 'person' — `breakglass witness`: a roster person's key in the ssh-agent (any role; `fingerprint`
 *   picks one), the statement naming them;
 * - 'host' — `breakglass witness --as-host`: this host's key, the statement naming its account;
 * - 'automatic' — the commander's console after a fetch: this host's key when the roster registers
 *   it, else a roster person's agent key that needs no touch; with neither, no statement (one that
 *   could not verify would only add a finding).
 * Without a roster every statement names this host's account, unsigned, as the repository's other records are.
 */
export type WitnessSigner = 'person' | 'host' | 'automatic';

/** What the commander's console's statement after a fetch came to (the board's fetch state shows it). */
export type FetchWitnessing = 'witnessed' | 'witnessed-unsigned' | 'nothing-new' | 'no-signer';

/** The commander's console after a fetch: states the new tips with the automatic signer, and says what came of it. */
export async function witnessFetch(app: Application): Promise<FetchWitnessing> {
  const witness = await witnessPerson(app, 'automatic');
  if (witness === undefined) return 'no-signer';
  if (!(await app.write((s) => s.recordWitness('fetch', witness)))) return 'nothing-new';
  // Without a roster every record is unsigned, this statement too: the board must not call it signed.
  return (await app.ctx.store.roster()) ? 'witnessed' : 'witnessed-unsigned';
}

/** Commits this host's witness statement of the other hosts' history tips it holds; null when it saw nothing new (or 'automatic' found no signer). */
export async function witnessNow(app: Application, via: 'fetch' | 'command', signer: WitnessSigner, fingerprint?: string): Promise<CommittedRecord | null> {
  const witness = await witnessPerson(app, signer, fingerprint);
  if (witness === undefined) return null;
  return app.write((s) => s.recordWitness(via, witness));
}

/** The person a statement names (null: this host's account), or undefined when an automatic statement has no signer that verifies. */
async function witnessPerson(app: Application, signer: WitnessSigner, fingerprint?: string): Promise<Person | null | undefined> {
  const { store, clock, host } = app.ctx;
  const roster = await store.roster();
  if (!roster || signer === 'host') return null;
  const nowMs = clock.now();
  if (signer === 'person') {
    const { person } = await store.signing.anyPersonSigner(roster, nowMs, { ...(fingerprint !== undefined ? { fingerprint } : {}) });
    return { name: person.name, email: person.email };
  }
  if (await store.signing.hostKeyRegistered(roster, host.hostId, nowMs).catch(() => false)) return null;
  // The agent asked now, not the brief cache: the console runs this unattended after a fetch, and a
  // key removed since the last look must read as "no key to sign", not as a signing failure.
  const found = await store.signing.anyPersonSigner(roster, nowMs, { noTouch: true, fresh: true }).catch(() => null);
  return found ? { name: found.person.name, email: found.person.email } : undefined;
}
