import { BreakGlassError } from '../../app/errors';
import type { Person } from '../../app/identity';
import type { SigningState } from '../../app/preconditions';
import type { EvidenceRecord } from '../../app/records';
import { authorizeRecordSigner, findPerson, keyAt, signerRuleFor, type RecordSignerQuery } from '../../app/roster/lookup';
import { chooseSignerKey } from '../../app/roster/signerChoice';
import { formatRosterProblems, parseRosterYaml, type Roster, type RosterPerson, type RosterRole } from '../../app/roster/schema';
import { ensureHostKey, hostKeySigner } from '../signing/hostKey';
import { agentSigner, listAgentKeys, type AgentKey, type CommitSigner } from '../signing/signer';
import { SshToolFailure } from '../signing/sshTools';

/**
 * Who signs each evidence commit in a repository with a roster (issue 15): the person the record
 * names, through their ssh-agent (the private key never enters the console), or this host's key
 * for host-level and automatic records. Refusals are decided here, before anything is written
 * (fail closed): no agent, a person the roster does not list, no roster key of theirs in the
 * agent, a key outside its window, a missing role, a reviewer who is the session's operator.
 */

/** Where to find the agent and the host key. */
export interface RecordSigningOptions {
  /** The ssh-agent's socket; default SSH_AUTH_SOCK of this process. */
  agentSocket?: string | null;
  /** The folder of this host's signing key (the repository's git dir, beside the output key). */
  hostKeyDir: string;
  /** Called with the touch prompt before a security key signs. */
  onTouch?: (message: string) => void;
}

/** How long the agent's key list is reused between records (a burst of records asks once). */
const AGENT_KEYS_TTL_MS = 5_000;

/** Chooses and makes the signer for each commit; keeps the parsed roster per blob. */
export class RecordSigning {
  private readonly rosters = new Map<string, Roster>();
  private agentKeys: { at: number; keys: AgentKey[] } | null = null;
  /** The ssh-agent socket signatures are asked of (null: none). */
  readonly agentSocket: string | null;

  constructor(private readonly options: RecordSigningOptions, private readonly readBlob: (blob: string) => Promise<string>) {
    this.agentSocket = options.agentSocket === undefined ? process.env.SSH_AUTH_SOCK ?? null : options.agentSocket;
  }

  /** The roster at blob `blob` (null: the repository has none). An invalid roster refuses every write (fail closed). */
  async roster(blob: string | null): Promise<Roster | null> {
    if (blob === null) return null;
    const known = this.rosters.get(blob);
    if (known) return known;
    const load = parseRosterYaml(await this.readBlob(blob));
    if (!load.ok) throw new BreakGlassError('refused', `roster.yaml is invalid, so nothing can be signed or recorded:\n${formatRosterProblems(load.problems)}`);
    this.rosters.set(blob, load.roster);
    return load.roster;
  }

  /**
   * The signer of `record` under `roster`, or a refusal saying what to do; `operator` is the
   * session's operator (for reviews). Null: the record is committed unsigned, which only the
   * policy's `unsignedDeclarations: allow` permits, only for the operator's own records, and only
   * when the roster lists them as an operator but none of their keys is in an agent that answers.
   */
  async signerFor(roster: Roster, record: EvidenceRecord, operator: Person | null, nowMs: number, unsigned: 'allow' | 'refuse' = 'refuse'): Promise<CommitSigner | null> {
    const rule = signerRuleFor(record);
    // Host-level and automatic records (lock recovery, policy adoption, expiry) carry this host's
    // key: expiry must be recorded even when nobody is at the keyboard (procedure.md §6).
    if (rule === 'host' || rule === 'operator-or-host') {
      const hostId = record.sessionId.startsWith('journal-') ? record.sessionId.slice('journal-'.length) : record.host.id;
      return hostKeySigner(await ensureHostKey(this.options.hostKeyDir, hostId));
    }
    // A witness statement (issue 16): signed as the roster person it names, with any key of theirs the agent holds, else by this host.
    if (rule === 'person-or-host') {
      const witness = findPerson(roster, record.actor);
      if (!witness) return hostKeySigner(await ensureHostKey(this.options.hostKeyDir, record.host.id));
      return (await this.anyPersonSigner(roster, nowMs, { person: witness.id })).signer;
    }
    const query: Omit<RecordSignerQuery, 'fingerprint'> = {
      record: { type: record.type, sessionId: record.sessionId, actor: record.actor, host: record.host },
      atMs: nowMs,
      ...(rule === 'reviewer' && operator ? { operator: { person: operator, fingerprints: [] } } : {}),
    };
    if (rule === 'reviewer' && !operator) throw new BreakGlassError('refused', 'The session has no declaration, so its review cannot be signed: nothing was recorded.');
    const refuse = (fingerprint: string) => {
      const check = authorizeRecordSigner(roster, { ...query, fingerprint });
      return check.ok ? null : check.finding.message;
    };
    if (rule === 'operator' && unsigned === 'allow') return this.personSignerOrNone(roster, record.actor, refuse);
    return this.personSigner(roster, record.actor, rule === 'reviewer' ? 'reviewer' : rule === 'commander' ? 'commander' : 'operator', refuse);
  }

  /** As personSigner for the operator role, but null where the policy lets a missing key go unsigned. */
  private async personSignerOrNone(roster: Roster, person: Pick<Person, 'name' | 'email'>, refuse: (fingerprint: string) => string | null): Promise<CommitSigner | null> {
    const held = await this.keysInAgent().catch((e: unknown) => {
      if (e instanceof BreakGlassError && e.code === 'evidence-not-committed') return null;
      throw e;
    });
    const choice = chooseSignerKey(roster, person, 'operator', held ?? [], refuse);
    if (!choice.ok && choice.code === 'no-key-held') return null;
    if (!choice.ok) throw new BreakGlassError('refused', `${choice.message} Nothing was recorded.`);
    return this.agentSigner(held!.find((k) => k.fingerprint === choice.key.fingerprint)!);
  }

  /**
   * A signer for `person`'s roster key held by the ssh-agent, for `role`; `refuse` may reject a
   * key (returns why). Throws a refusal that says what to do when no key fits.
   */
  async personSigner(roster: Roster, person: Pick<Person, 'name' | 'email'>, role: RosterRole, refuse: (fingerprint: string) => string | null = () => null): Promise<CommitSigner> {
    const held = await this.keysInAgent();
    const choice = chooseSignerKey(roster, person, role, held, refuse);
    if (!choice.ok) throw new BreakGlassError('refused', `${choice.message} Nothing was recorded.`);
    return this.agentSigner(held.find((k) => k.fingerprint === choice.key.fingerprint)!);
  }

  /** A roster admin's key in the agent (valid now), for governance commits; `fingerprint` picks one when several fit. */
  async adminSigner(roster: Roster, nowMs: number, fingerprint?: string): Promise<{ person: RosterPerson; signer: CommitSigner }> {
    return this.roleSigner(roster, 'roster-admin', 'a roster admin', nowMs, fingerprint);
  }

  /**
   * A key in the agent of a person the roster gives `role` (valid now): a roster admin for
   * governance, an incident commander for an acknowledgement (issue 16); `fingerprint` picks one.
   */
  async roleSigner(roster: Roster, role: RosterRole, who: string, nowMs: number, fingerprint?: string): Promise<{ person: RosterPerson; signer: CommitSigner }> {
    const found = await this.agentPerson(roster, nowMs, (p) => p.roles.includes(role), { ...(fingerprint !== undefined ? { fingerprint } : {}) });
    if (found) return found;
    throw new BreakGlassError('refused', `No key in the ssh-agent belongs to ${who} of the roster (the ${role} role, inside its validity window), so nothing was recorded. Add their key with ssh-add.`);
  }

  /**
   * A valid roster person's key in the agent, whatever their role (issue 16: anyone who saw the
   * histories may witness them): `person` picks whose, `noTouch` leaves out security keys (the
   * console's automatic statement must not wait for a touch), `fingerprint` picks one key.
   */
  async anyPersonSigner(roster: Roster, nowMs: number, pick: { person?: string; noTouch?: boolean; fingerprint?: string; fresh?: boolean } = {}): Promise<{ person: RosterPerson; signer: CommitSigner }> {
    const found = await this.agentPerson(roster, nowMs, (p) => pick.person === undefined || p.id === pick.person, pick);
    if (found) return found;
    throw new BreakGlassError('refused', `No key in the ssh-agent belongs to ${pick.person === undefined ? 'a person of the roster' : `roster person "${pick.person}"`} (inside its validity window${pick.noTouch ? ', without a touch' : ''}), so nothing was recorded. Add the key with ssh-add, or witness as this host (--as-host).`);
  }

  /** The first key in the agent of a roster person `accept` takes (valid at `nowMs`), with its signer; null when none. */
  private async agentPerson(roster: Roster, nowMs: number, accept: (person: RosterPerson) => boolean, pick: { noTouch?: boolean; fingerprint?: string; fresh?: boolean }): Promise<{ person: RosterPerson; signer: CommitSigner } | null> {
    for (const key of await this.keysInAgent({ fresh: pick.fresh === true })) {
      if ((pick.fingerprint !== undefined && key.fingerprint !== pick.fingerprint) || (pick.noTouch && key.securityKey)) continue;
      const found = keyAt(roster, key.fingerprint, nowMs);
      if (found?.status === 'valid' && found.holder.kind === 'person' && accept(found.holder.person)) return { person: found.holder.person, signer: this.agentSigner(key) };
    }
    return null;
  }

  /** True when the roster registers this host's signing key (valid now) for host `hostId`: its statements then verify. */
  async hostKeyRegistered(roster: Roster, hostId: string, nowMs: number): Promise<boolean> {
    const key = await ensureHostKey(this.options.hostKeyDir, hostId);
    const found = keyAt(roster, key.publicKey.fingerprint, nowMs);
    return found?.status === 'valid' && found.holder.kind === 'host' && found.holder.host.id === hostId;
  }

  /**
   * What the signing preconditions read (issue 15): the roster, and the keys the agent holds or
   * why it cannot be asked (the same words a write would refuse with).
   */
  async stateFor(roster: Roster | null): Promise<SigningState> {
    if (roster === null) return { roster: null };
    try {
      return { roster, agent: { ok: true, keys: await this.keysInAgent() } };
    } catch (e) {
      if (e instanceof BreakGlassError) return { roster, agent: { ok: false, message: e.message, ...(e.cause instanceof SshToolFailure ? { reason: agentReason(e.cause) } : {}) } };
      throw e;
    }
  }

  /**
   * The agent's keys (cached briefly; `fresh` asks the agent now, as the console's "Check again"
   * after an ssh-add must); no agent is a refusal that says how to start one.
   */
  async keysInAgent(options: { fresh?: boolean } = {}): Promise<AgentKey[]> {
    if (!options.fresh && this.agentKeys && Date.now() - this.agentKeys.at < AGENT_KEYS_TTL_MS) return this.agentKeys.keys;
    let keys: AgentKey[];
    try {
      keys = await listAgentKeys({ agentSocket: this.agentSocket });
    } catch (e) {
      if (e instanceof SshToolFailure) throw new BreakGlassError('evidence-not-committed', `${agentReason(e)} Records in this repository are signed (it has a roster), so nothing was recorded.`, { cause: e });
      throw e;
    }
    this.agentKeys = { at: Date.now(), keys };
    return keys;
  }

  private agentSigner(key: AgentKey): CommitSigner {
    const signer = agentSigner(key, { agentSocket: this.agentSocket, ...(this.options.onTouch ? { onTouch: this.options.onTouch } : {}) });
    return {
      key: signer.key,
      sign: async (payload, namespace) => {
        try {
          return await signer.sign(payload, namespace);
        } catch (e) {
          this.agentKeys = null; // the agent changed (key removed, locked): ask it again next time
          throw e;
        }
      },
    };
  }
}

/** What went wrong asking the agent, without the tool's name. */
function agentReason(e: SshToolFailure): string {
  return e.message.replace(/^[^:]+: /, '');
}
