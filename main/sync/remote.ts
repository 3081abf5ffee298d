import { BreakGlassError } from '../../app/errors';
import type { Git } from '../git';
import { orgTrackingRef, REMOTE_NAME } from '../evidence/layout';

export { REMOTE_NAME };

/** git config key of the remote branch, when it is not the local branch's name. */
const REMOTE_BRANCH_KEY = 'breakglass.remoteBranch';

/** The remote's URL (null: local only) and the branch on it that evidence goes to and comes from. */
export interface RemoteConfig {
  url: string | null;
  branch: string;
}

/** The configuration plus what a push needs of it: the remote's fetch refspecs (`remote.origin.fetch`, in order). */
export interface RemoteSettings extends RemoteConfig {
  fetchRefspecs: readonly string[];
}

/**
 * The shared remote's configuration (issue 6), kept in the repository's own git config:
 * credentials stay with git's helpers and the ssh agent, never in the URL.
 */
export class Remote {
  /** The organisation branch's remote-tracking ref (`origin/<local branch>`). */
  readonly trackingRef: string;
  /** The last read, with the fingerprint of the config files it was read from. */
  private cached: { key: string; settings: RemoteSettings } | null = null;

  constructor(
    private readonly git: Git,
    /** The local organisation branch. */
    readonly localBranch: string,
    /** The repository's git dir: given, a read is kept until its config files change (one git process less per push and status). */
    private readonly gitDir?: string,
  ) {
    this.trackingRef = orgTrackingRef(localBranch);
  }

  /** The remote's URL, or null when this host is local-only. */
  async url(): Promise<string | null> {
    return (await this.config()).url;
  }

  /** The organisation branch on the remote (the local branch's name unless set): fetched, and pushed only to create it. */
  async branch(): Promise<string> {
    return (await this.config()).branch;
  }

  /**
   * The remote's URL and branch in one git process: the board's fetch pays for every process on its
   * critical path (issue 6 benchmark).
   */
  async config(): Promise<RemoteConfig> {
    const { url, branch } = await this.settings();
    return { url, branch };
  }

  /**
   * The remote's settings, read by git in one process — or, while the config files git reads are
   * byte for byte what they were at the last read (another process may change them at any time:
   * `breakglass remote set`, `git remote set-url`), that read's answer, without a process.
   */
  async settings(): Promise<RemoteSettings> {
    // The key is taken before the read: a change during the read makes the next call read again.
    const key = this.gitDir === undefined ? null : await this.git.configFingerprint(this.gitDir);
    if (key !== null && this.cached?.key === key) return this.cached.settings;
    const settings = await this.read();
    this.cached = key === null ? null : { key, settings };
    return settings;
  }

  private async read(): Promise<RemoteSettings> {
    // core.repositoryformatversion is always set: git prints a line even without a remote (a silent
    // command costs a fixed 50 ms wait in simple-git).
    const fetchKey = `remote.${REMOTE_NAME}.fetch`;
    const r = await this.git.run('remote-config', ['config', '--get-regexp', `^(core\\.repositoryformatversion|remote\\.${REMOTE_NAME}\\.(url|fetch)|${REMOTE_BRANCH_KEY.replace('.', '\\.').toLowerCase()})$`], { ok: [0, 1] });
    let url: string | null = null;
    let branch = this.localBranch;
    const fetchRefspecs: string[] = [];
    for (const line of r.text().split('\n')) {
      const space = line.indexOf(' ');
      if (space < 0) continue;
      const key = line.slice(0, space);
      const value = line.slice(space + 1).trim();
      if (key === `remote.${REMOTE_NAME}.url`) url = value;
      else if (key === fetchKey) fetchRefspecs.push(value);
      else if (key === REMOTE_BRANCH_KEY.toLowerCase() && value) branch = value;
    }
    return Object.freeze({ url, branch, fetchRefspecs: Object.freeze(fetchRefspecs) });
  }

  /** Sets (or replaces) the remote, and with `remoteBranch` the branch on it. */
  async set(url: string, remoteBranch?: string): Promise<void> {
    assertUsableRemoteUrl(url);
    const existing = await this.url();
    this.cached = null;
    await this.git.run('set-remote', existing === null ? ['remote', 'add', '--', REMOTE_NAME, url] : ['remote', 'set-url', '--', REMOTE_NAME, url]);
    if (remoteBranch !== undefined) {
      if (remoteBranch === this.localBranch) await this.git.run('unset-remote-branch', ['config', '--unset', REMOTE_BRANCH_KEY], { ok: [0, 5] });
      else await this.git.run('set-remote-branch', ['config', REMOTE_BRANCH_KEY, remoteBranch]);
    }
  }
}

/** A remote URL must not carry a password: the console never stores credentials (issue 6). */
export function urlHasPassword(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(url);
}

/** git would read a leading "-" as an option (`--upload-pack=<command>` runs a command), not as the URL. */
export function urlLooksLikeOption(url: string): boolean {
  return url.startsWith('-');
}

/** Refuses a URL with a password, saying where credentials belong. */
export function assertNoPasswordInUrl(url: string): void {
  if (urlHasPassword(url)) {
    throw new BreakGlassError('invalid-input', 'The URL contains a password. Leave credentials to git\'s credential helper or the ssh agent, and give the URL without them.', { field: 'url' });
  }
}

/** Refuses a URL git must not be given: one with a password, or one git would read as an option. */
export function assertUsableRemoteUrl(url: string): void {
  assertNoPasswordInUrl(url);
  if (urlLooksLikeOption(url)) throw new BreakGlassError('invalid-input', 'A remote URL cannot start with "-": give an ssh or https URL, or a folder path.', { field: 'url' });
}
