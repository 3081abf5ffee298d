import type { Git } from '../git';
import type { Remote } from './remote';

/**
 * The push backlog, derived from git alone (README "Sync"): the commits of the local branch that
 * the remote-tracking ref does not have. Nothing is stored beside it.
 */
export class Backlog {
  constructor(
    private readonly git: Git,
    private readonly remote: Remote,
  ) {}

  /** Record commits not yet on the remote (merges excluded: they carry no record). */
  async count(): Promise<number> {
    return Number(await this.git.text('count-pending', ['rev-list', '--count', '--no-merges', ...(await this.range()), '--', 'sessions', 'journal']));
  }

  /** Every commit not yet on the remote (a timeline row says pushed or pending by its commit). */
  async commits(): Promise<Set<string>> {
    const out = await this.git.text('list-pending', ['rev-list', ...(await this.range())]);
    return new Set(out.split('\n').filter(Boolean));
  }

  /** `origin/<branch>..<branch>`, or the whole branch before the first fetch or push. */
  private async range(): Promise<string[]> {
    const tracking = this.remote.trackingRef;
    const local = `refs/heads/${this.remote.localBranch}`;
    const has = await this.git.run('has-tracking', ['rev-parse', '--verify', '--quiet', tracking], { ok: [0, 1] });
    return has.exitCode === 0 ? [`${tracking}..${local}`] : [local];
  }
}
