import { CursorNotInLedger, sessionContextAt, type ForwardCursor, type ForwardItem, type ForwardSource, type LedgerTip } from '../../app/forwarding/ports';
import type { LedgerEntry, LedgerView } from '../../app/ports';
import type { RecordType } from '../../app/records';
import type { GitEvidenceStore } from '../evidenceStore';
import { Git } from '../git';

/**
 * The ForwardSource of a git evidence repository (read-only use of the store): this host's
 * records in commit order. Every record this host writes is committed on top of the branch that
 * already holds the previous one, so each is an ancestor of the next and `rev-list --topo-order`
 * lists them in the order they were written, merges of other hosts' records notwithstanding.
 * The order is asked of git from the cursor's commit on, so a caught-up destination costs one
 * short walk. Its own git instance keeps these reads out of the writer's queue.
 */
export class StoreForwardSource implements ForwardSource {
  private readonly git: Git;
  private indexed: { view: LedgerView; byCommit: Map<string, LedgerEntry>; total: number } | null = null;

  constructor(private readonly store: GitEvidenceStore, private readonly hostId: string) {
    this.git = new Git(store.dir);
  }

  /** This host's entries by the commit that added each, for the current view (rebuilt when the view changes). */
  private async index(): Promise<{ view: LedgerView; byCommit: Map<string, LedgerEntry>; total: number }> {
    const view = await this.store.read();
    if (this.indexed?.view === view) return this.indexed;
    const byCommit = new Map<string, LedgerEntry>();
    let total = 0;
    for (const entries of view.sessions.values()) {
      total += entries.length;
      for (const e of entries) if (e.record.host.id === this.hostId && e.commit) byCommit.set(e.commit, e);
    }
    this.indexed = { view, byCommit, total };
    return this.indexed;
  }

  async tip(): Promise<LedgerTip> {
    const { view, byCommit, total } = await this.index();
    return { commit: view.head, records: total, ownRecords: byCommit.size };
  }

  async recordsAfter(cursor: ForwardCursor | null, options: { limit: number; types?: readonly RecordType[] }): Promise<ForwardItem[]> {
    const { view, byCommit } = await this.index();
    if (!view.head || byCommit.size === 0) return [];
    if (cursor) {
      const known = await this.git.run('forward-cursor-exists', ['cat-file', '-e', `${cursor.commit}^{commit}`], { ok: [0, 1, 128] });
      if (known.exitCode !== 0) throw new CursorNotInLedger(cursor);
    }
    const range = cursor ? [view.head, `^${cursor.commit}`] : [view.head];
    const commits = (await this.git.text('forward-order', ['rev-list', '--reverse', '--topo-order', '--no-merges', ...range])).split('\n');
    const types = options.types ? new Set(options.types) : null;
    const out: ForwardItem[] = [];
    let position = cursor?.position ?? 0;
    for (const commit of commits) {
      const entry = byCommit.get(commit);
      if (!entry) continue;
      position += 1;
      if (types && !types.has(entry.record.type)) continue;
      const session = view.sessions.get(entry.record.sessionId) ?? [];
      out.push({ record: entry.record, commit, position, session: sessionContextAt(session.map((e) => e.record), entry.record.seq) });
      if (out.length >= options.limit) break;
    }
    return out;
  }
}
