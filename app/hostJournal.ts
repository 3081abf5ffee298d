import { LAYOUT_MIGRATED } from './ledger';
import { ChainWriter, type ChainRecordInput } from './chainWriter';
import type { ClockReading } from './clock';
import type { Person } from './identity';
import type { EvidenceRecord, UnsealedRecord } from './records';
import { redactDeep, redactionsOf } from './redaction';
import type { AppendRecord, HostInfo, LedgerEntry, LedgerView, LockRecovery } from './ports';

/**
 * This host's journal (`journal-<host id>`): the host-level records no session owns — a stale-lock
 * recovery, a policy adoption, the move to the host's own ref (issue 14) — written by the host's
 * own account, never by a person.
 */
export class HostJournal {
  constructor(private readonly deps: { host: HostInfo }) {}

  /** The journal's session id. */
  get id(): string {
    return `journal-${this.deps.host.hostId}`;
  }

  /**
   * The identity of host-level records (lock recovery, policy adoption): the OS account on this
   * host. The address uses the reserved `.invalid` domain so it is a valid e-mail that can never
   * be mistaken for a person's mailbox.
   */
  actor(): Person {
    const { username } = this.deps.host.osAccount();
    const local = username.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'account';
    const host = this.deps.host.hostName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'host';
    return { name: `${username} on ${this.deps.host.hostName}`, email: `${local}@${host}.invalid` };
  }

  /**
   * The journal records that come before anything else a write commits, in this order: the layout
   * move (issue 14: this host's first record on its own ref, when it wrote on the shared branch
   * before) and a stale-lock recovery (`lock-recovered`), each dated by the write's `clock` (issue
   * 16: refused if it reads before the journal's last record). Returns the journal's entries after them.
   */
  async first(view: LedgerView, append: AppendRecord, recovered: LockRecovery | null, clock: ClockReading): Promise<readonly LedgerEntry[]> {
    return (await this.firstWriter(view, append, recovered, clock)).entries;
  }

  /**
   * Commits one host-level record (policy adoption, forwarding state) after the records
   * {@link first} puts ahead of anything; returns it sealed.
   */
  async append(view: LedgerView, append: AppendRecord, recovered: LockRecovery | null, clock: ClockReading, unsealed: Pick<UnsealedRecord, 'type' | 'payload'> & { actor?: Person }): Promise<EvidenceRecord> {
    return (await this.commit(view, append, recovered, clock, unsealed)).record;
  }

  /** As {@link append}, with the commit. A person's own record on this host's journal (issue 16: a commander's acknowledgement) names them; the rest name the host's account. */
  async commit(view: LedgerView, append: AppendRecord, recovered: LockRecovery | null, clock: ClockReading, unsealed: Pick<UnsealedRecord, 'type' | 'payload'> & { actor?: Person }): Promise<{ record: EvidenceRecord; commit: string }> {
    const journal = await this.firstWriter(view, append, recovered, clock);
    return journal.add({ actor: this.actor(), redactions: 0, ...unsealed } as ChainRecordInput);
  }

  private async firstWriter(view: LedgerView, append: AppendRecord, recovered: LockRecovery | null, clock: ClockReading): Promise<ChainWriter> {
    const journal = new ChainWriter(view.sessions.get(this.id), clock, {
      sessionId: this.id, append, incidentId: null, host: { id: this.deps.host.hostId, name: this.deps.host.hostName }, skewActor: this.actor(), what: "this host's journal",
    });
    const move = this.layoutMove(view);
    if (move) await journal.add({ type: 'note', actor: this.actor(), redactions: 0, payload: { text: move } });
    if (recovered) {
      // The reason and paths are the store's text, redacted like any other (issue 13).
      const r = redactDeep({ previousOwner: recovered.previousOwner, reason: recovered.reason, gitLockFilesRemoved: recovered.gitLockFilesRemoved });
      await journal.add({ type: 'lock-recovered', actor: this.actor(), ...redactionsOf(r), payload: r.value });
    }
    return journal;
  }

  /**
   * The text of the `layout-migrated` journal note, when this host has no own ref yet but wrote
   * records on the organisation branch before (issue 14); null otherwise. It names the commit its
   * own ref starts at, so an auditor (and verify) knows where its records before the move are.
   */
  layoutMove(view: LedgerView): string | null {
    const hostId = this.deps.host.hostId;
    const own = `refs/heads/hosts/${hostId}`;
    const org = view.tips?.find((t) => t.organisation);
    if (!org || view.tips!.some((t) => t.ref === own)) return null;
    let wroteBefore = view.sessions.has(`journal-${hostId}`);
    for (const entries of view.sessions.values()) {
      if (wroteBefore) break;
      wroteBefore = entries.some((e) => e.record.host.id === hostId);
    }
    if (!wroteBefore) return null;
    return `${LAYOUT_MIGRATED} from this record on, host ${hostId} writes its records only on ${own}; the records it wrote before are in the history of commit ${org.commit} (${org.ref.replace(/^refs\/(heads|remotes)\//, '')}).`;
  }
}
