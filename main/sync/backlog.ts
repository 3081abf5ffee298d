import type { Git } from '../git';
import { HOSTS_PREFIX, ownRef, REMOTE_NAME } from '../evidence/layout';

/**
 * The push backlog, derived from git alone (README "Sync"): the commits of this host's own ref
 * (issue 14) that the remote is not known to have — in none of the configured remote's tracking
 * refs (before the first fetch or push: all of it). Nothing is stored beside it.
 */
export class Backlog {
  constructor(
    private readonly git: Git,
    private readonly hostId: string,
  ) {}

  /** Record commits not yet on the remote. */
  async count(): Promise<number> {
    const range = await this.range();
    if (range === null) return 0;
    return Number(await this.git.text('count-pending', ['rev-list', '--count', ...range, '--', 'sessions', 'journal']));
  }

  /**
   * Every record commit here that the remote is not known to have (a timeline row says pushed or
   * pending by its commit): on any host's ref in this repository, not only this host's — a record
   * another host wrote here (a shared workstation, a reviewer's copy) is not on the remote either
   * until it is pushed.
   */
  async commits(): Promise<Set<string>> {
    const refs = (await this.git.text('pending-refs', ['for-each-ref', '--format=%(refname)', HOSTS_PREFIX, `refs/remotes/${REMOTE_NAME}/`])).split('\n').filter(Boolean);
    const local = refs.filter((r) => r.startsWith(HOSTS_PREFIX));
    if (local.length === 0) return new Set();
    const tracked = refs.some((r) => r.startsWith(`refs/remotes/${REMOTE_NAME}/`));
    const out = await this.git.text('list-pending', ['rev-list', ...local, ...(tracked ? ['--not', `--remotes=${REMOTE_NAME}`] : [])]);
    return new Set(out.split('\n').filter(Boolean));
  }

  /** `hosts/<id> --not <what the remote has>`; null before this host's first record. */
  private async range(): Promise<string[] | null> {
    const own = ownRef(this.hostId);
    const refs = (await this.git.text('pending-refs', ['for-each-ref', '--format=%(refname)', own, `refs/remotes/${REMOTE_NAME}/`])).split('\n').filter(Boolean);
    if (!refs.includes(own)) return null;
    const tracked = refs.some((r) => r.startsWith(`refs/remotes/${REMOTE_NAME}/`));
    // Before the first fetch or push nothing is known to be on the remote: the whole ref (its
    // organisation root too, which the first push creates there) is pending.
    return [own, ...(tracked ? ['--not', `--remotes=${REMOTE_NAME}`] : [])];
  }
}
