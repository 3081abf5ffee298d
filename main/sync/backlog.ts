import { GitFailure, type Git } from '../git';
import { HOSTS_PREFIX, ownRef, REMOTE_NAME } from '../evidence/layout';
import { isAncestor } from './confirmed';

/**
 * The push backlog, derived from git alone (README "Sync"): the commits of this host's own ref
 * (issue 14) that the remote is not known to have. Known to the remote (issue 16) is the commit of
 * this host's ref it last confirmed (a push it accepted, a fetch: the sync state file keeps it) —
 * not the remote-tracking ref of this host, which anyone can move — and what the configured
 * remote's other tracking refs hold (the organisation root). A legacy state with no confirmed
 * commit counts against every tracking ref, as before; before the first fetch or push: all of it.
 */
export class Backlog {
  constructor(
    private readonly git: Git,
    private readonly hostId: string,
  ) {}

  /** Record commits not yet on the remote. */
  async count(confirmed: string | null = null): Promise<number> {
    return (await this.since(confirmed)).count;
  }

  /**
   * The backlog against the confirmed commit, and whether this host's own ref is on the remote:
   * its tip is the confirmed commit or in its history (a record commit not counted but an own ref
   * that left the confirmed history is not synced: the count is then of every commit since it).
   */
  async since(confirmed: string | null): Promise<{ count: number; synced: boolean; behind?: number }> {
    const range = await this.range(confirmed);
    if (range === null) return confirmed === null ? { count: 0, synced: true } : { count: 0, synced: false, behind: await this.recordsOf([confirmed]) };
    const count = await this.countOf(range.revs, true).catch(async (e: unknown) => {
      // The confirmed commit is gone from the object store (a rewrite, then gc): none of it counts as pushed.
      if (!(e instanceof GitFailure) || confirmed === null) throw e;
      return this.countOf(range.revs.filter((r) => r !== confirmed), true);
    });
    if (count > 0 || confirmed === null || range.tip === confirmed) return { count, synced: count === 0 };
    // Behind what the remote confirmed: this host's ref only moves forward by its own records, so a
    // tip in the confirmed commit's history lost records after they were pushed (a rewrite that only
    // drops, or an older copy restored). Never "synced" (issue 16): the remote holds what this host no longer does.
    if (await isAncestor(this.git, range.tip, confirmed)) return { count: 0, synced: false, behind: Math.max(1, await this.recordsOf([confirmed, '--not', range.tip])) };
    const all = await this.countOf([range.tip, '--not', confirmed], false).catch(() => 1);
    return { count: Math.max(1, all), synced: false };
  }

  /** Record commits in `revs` (0 when a commit is missing from the object store: the caller says what it knows). */
  private async recordsOf(revs: string[]): Promise<number> {
    return this.countOf(revs, true).catch(() => 0);
  }

  private async countOf(revs: string[], recordsOnly: boolean): Promise<number> {
    return Number(await this.git.text('count-pending', ['rev-list', '--count', ...revs, ...(recordsOnly ? ['--', 'sessions', 'journal'] : [])]));
  }

  /**
   * Every record commit here that the remote is not known to have (a timeline row says pushed or
   * pending by its commit): on any host's ref in this repository, not only this host's — a record
   * another host wrote here (a shared workstation, a reviewer's copy) is not on the remote either
   * until it is pushed.
   */
  async commits(confirmed: string | null = null): Promise<Set<string>> {
    const refs = (await this.git.readText('pending-refs', ['for-each-ref', '--format=%(refname)', HOSTS_PREFIX, `refs/remotes/${REMOTE_NAME}/`])).split('\n').filter(Boolean);
    const local = refs.filter((r) => r.startsWith(HOSTS_PREFIX));
    if (local.length === 0) return new Set();
    const tracked = refs.some((r) => r.startsWith(`refs/remotes/${REMOTE_NAME}/`));
    const list = (not: string[]) => this.git.text('list-pending', ['rev-list', ...local, ...(not.length > 0 ? ['--not', ...not] : [])]);
    const known = this.known(tracked, confirmed);
    const out = await list(known).catch((e: unknown) => {
      if (!(e instanceof GitFailure) || confirmed === null) throw e;
      return list(known.filter((r) => r !== confirmed));
    });
    return new Set(out.split('\n').filter(Boolean));
  }

  /** What the remote is known to have: the confirmed commit and the other tracking refs, or (legacy) every tracking ref. */
  private known(tracked: boolean, confirmed: string | null): string[] {
    const remotes = tracked ? [`--remotes=${REMOTE_NAME}`] : [];
    if (confirmed === null) return remotes;
    return [...(tracked ? [`--exclude=${REMOTE_NAME}/hosts/${this.hostId}`, ...remotes] : []), confirmed];
  }

  /** This host's own ref's tip and `hosts/<id> --not <what the remote has>`; null before this host's first record. */
  private async range(confirmed: string | null): Promise<{ tip: string; revs: string[] } | null> {
    const own = ownRef(this.hostId);
    const listed = (await this.git.readText('pending-refs', ['for-each-ref', '--format=%(refname) %(objectname)', own, `refs/remotes/${REMOTE_NAME}/`])).split('\n').filter(Boolean).map((l) => l.split(' '));
    const tip = listed.find(([r]) => r === own)?.[1];
    if (!tip) return null;
    const tracked = listed.some(([r]) => r!.startsWith(`refs/remotes/${REMOTE_NAME}/`));
    // Before the first fetch or push nothing is known to be on the remote: the whole ref (its
    // organisation root too, which the first push creates there) is pending.
    const known = this.known(tracked, confirmed);
    return { tip, revs: [own, ...(known.length > 0 ? ['--not', ...known] : [])] };
  }
}
