import { CursorNotInLedger, sessionContextAt, type ForwardCursor, type ForwardItem, type ForwardSource, type LedgerTip } from '../../app/forwarding/ports';
import type { LedgerEntry, LedgerView } from '../../app/ports';
import type { RecordType } from '../../app/records';
import type { GitEvidenceStore } from './store';
import { Git } from '../git';
import { ownRef, trackingRefOf } from './layout';

/**
 * The ForwardSource of a git evidence repository (read-only use of the store): this host's
 * records in commit order. Every record this host writes is committed on top of the branch that
 * already holds the previous one, so each is an ancestor of the next and `rev-list --topo-order`
 * lists them in the order they were written, merges of other hosts' records notwithstanding.
 * The order is derived data, kept per branch tip and extended by walking only the commits a new
 * tip adds (or by no walk at all for the record just committed at the tip); whenever the result
 * does not place each of this host's records exactly once (a rewritten history), the whole
 * history is walked again. Its own git instance keeps these reads out of the writer's queue.
 */

interface Ordered {
  head: string;
  view: LedgerView;
  /** This host's entries in commit order (position = index + 1). */
  entries: LedgerEntry[];
  positionOf: Map<string, number>;
  records: number;
}

/** True when `entries` holds each of `byCommit`'s entries once, by the commit that added it. */
function placesEach(entries: readonly LedgerEntry[], byCommit: ReadonlyMap<string, LedgerEntry>): boolean {
  if (entries.length !== byCommit.size) return false;
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.commit) || byCommit.get(e.commit)?.record.hash !== e.record.hash) return false;
    seen.add(e.commit);
  }
  return true;
}

/** A ForwardSource over a GitEvidenceStore, for the records `hostId` wrote. */
export class StoreForwardSource implements ForwardSource {
  private readonly git: Git;
  private ordered: Ordered | null = null;

  constructor(private readonly store: GitEvidenceStore, private readonly hostId: string) {
    this.git = new Git(store.dir);
  }

  /** One computation at a time: the store's incremental refresh is not made for concurrent reads. */
  private pending: Promise<Ordered | null> = Promise.resolve(null);

  private order(): Promise<Ordered | null> {
    const next = this.pending.catch(() => null).then(() => this.computeOrder());
    this.pending = next;
    return next;
  }

  /**
   * The tip whose history holds every record of this host (issue 14): its own ref (which started
   * from the organisation branch, so records from before the move are below it), its fetched copy
   * on a new clone, else the organisation branch (a host that never wrote on its own ref).
   */
  private headOf(view: LedgerView): string | null {
    const tips = view.tips ?? [];
    const own = tips.find((t) => t.ref === ownRef(this.hostId)) ?? tips.find((t) => t.ref === trackingRefOf(this.hostId));
    return own?.commit ?? tips.find((t) => t.organisation)?.commit ?? view.head;
  }

  private async computeOrder(): Promise<Ordered | null> {
    const view = await this.store.readWhole();
    const head = this.headOf(view);
    if (!head) return null;
    const known = this.ordered;
    if (known?.view === view) return known;
    const byCommit = new Map<string, LedgerEntry>();
    let records = 0;
    let unattributed = 0;
    for (const entries of view.sessions.values()) {
      records += entries.length;
      for (const e of entries) {
        if (e.record.host.id !== this.hostId) continue;
        if (e.commit) byCommit.set(e.commit, e);
        else unattributed += 1;
      }
    }
    // A record whose commit is not known yet cannot be placed; leaving it out would leave a hole
    // the cursor could pass. The next pass reads the ledger again.
    if (unattributed > 0) throw new Error(`${unattributed} of this host's records have no commit yet.`);
    const walk = async (range: string[]) => {
      const out: LedgerEntry[] = [];
      for (const c of (await this.git.text('forward-order', ['rev-list', '--reverse', '--topo-order', '--no-merges', ...range])).split('\n')) {
        const e = byCommit.get(c);
        if (e) out.push(e);
      }
      return out;
    };
    let entries = known ? this.extend(known, head, byCommit) : null;
    if (!entries && known) {
      // Walk only what the new tip adds; the result must place every record of this host exactly once.
      entries = [...known.entries, ...(await walk([head, `^${known.head}`]))];
    }
    if (!entries || !placesEach(entries, byCommit)) entries = await walk([head]);
    if (!placesEach(entries, byCommit)) throw new Error(`${byCommit.size - entries.length} of this host's records are not on the branch's history.`);
    const positionOf = new Map(entries.map((e, i) => [e.record.hash, i + 1]));
    this.ordered = { head: head, view, entries, positionOf, records };
    return this.ordered;
  }

  /**
   * The order without git, in the two common cases: the tip did not move, or it moved by one
   * record of this host committed at the tip itself (the record just written), which is therefore
   * the newest. Null otherwise.
   */
  private extend(known: Ordered, head: string, byCommit: ReadonlyMap<string, LedgerEntry>): LedgerEntry[] | null {
    if (known.head === head) return known.entries;
    const added = byCommit.get(head);
    if (!added || byCommit.size !== known.entries.length + 1) return null;
    return [...known.entries, added];
  }

  async tip(): Promise<LedgerTip> {
    const o = await this.order();
    return o ? { commit: o.head, records: o.records, ownRecords: o.entries.length } : { commit: null, records: 0, ownRecords: 0 };
  }

  async recordsAfter(cursor: ForwardCursor | null, options: { limit: number; types?: readonly RecordType[] }): Promise<ForwardItem[]> {
    const o = await this.order();
    if (!o) {
      if (cursor) throw new CursorNotInLedger(cursor);
      return [];
    }
    let start = 0;
    if (cursor) {
      const at = o.positionOf.get(cursor.hash);
      if (at === undefined || o.entries[at - 1]!.commit !== cursor.commit) throw new CursorNotInLedger(cursor);
      start = at;
    }
    const types = options.types ? new Set(options.types) : null;
    const out: ForwardItem[] = [];
    for (let i = start; i < o.entries.length && out.length < options.limit; i++) {
      const entry = o.entries[i]!;
      if (types && !types.has(entry.record.type)) continue;
      const session = o.view.sessions.get(entry.record.sessionId) ?? [];
      out.push({ record: entry.record, commit: entry.commit, position: i + 1, session: sessionContextAt(session.map((e) => e.record), entry.record.seq) });
    }
    return out;
  }
}
