import { createHash } from 'node:crypto';
import type { Git } from '../git';

/**
 * The repository layout of issue 14: each host writes only its own ref, `refs/heads/hosts/<host
 * id>` (fast-forward only, never merged into); the organisation branch (`main` unless configured)
 * holds policy.yaml, README.md and the records of repositories from before that change. A reader's
 * view is the union of the organisation branch and every host's ref, local or fetched.
 */

/** The remote's name in git's config: there is one shared remote. */
export const REMOTE_NAME = 'origin';

/** Where every host's own ref lives, locally and on the remote. */
export const HOSTS_PREFIX = 'refs/heads/hosts/';

/** Where the configured remote's host refs are fetched to. Only this remote counts (issue 12 item 4). */
export const TRACKING_HOSTS_PREFIX = `refs/remotes/${REMOTE_NAME}/hosts/`;

/** This host's own ref: the only ref it writes and pushes. */
export function ownRef(hostId: string): string {
  return `${HOSTS_PREFIX}${hostId}`;
}

/** The fetched copy of a host's ref. */
export function trackingRefOf(hostId: string): string {
  return `${TRACKING_HOSTS_PREFIX}${hostId}`;
}

/** The organisation branch's remote-tracking ref (`origin/<local branch>`). */
export function orgTrackingRef(branch: string): string {
  return `refs/remotes/${REMOTE_NAME}/${branch}`;
}

/** The host a ref belongs to (`refs/heads/hosts/<id>`, `refs/remotes/origin/hosts/<id>`), or null. */
export function hostIdOfRef(ref: string): string | null {
  for (const prefix of [HOSTS_PREFIX, TRACKING_HOSTS_PREFIX]) {
    if (ref.startsWith(prefix)) {
      const id = ref.slice(prefix.length);
      return /^[a-z0-9-]{1,64}$/.test(id) ? id : null;
    }
  }
  return null;
}

/** One ref a view reads, with its commit and tree. */
export interface Tip {
  ref: string;
  commit: string;
  /** The commit's tree ('' when not known: a commit this process just made). */
  tree: string;
  hostId: string | null;
  /** The organisation branch in force: its root files (policy.yaml) are the ones read. */
  organisation: boolean;
}

/** The refs a view is the union of, and the view's id (null when there is none). */
export interface TipSet {
  tips: Tip[];
  viewId: string | null;
}

/**
 * Every ref of the view, in one git process: the organisation branch (the local one when it
 * exists, its fetched copy as well), every local host ref and every fetched host ref — except this
 * host's own fetched copy while it has its own ref (then the copy is only compared with, by
 * verify: what the remote has of this host must still be in its own history). The organisation
 * branch comes first.
 */
export async function readTips(git: Git, branch: string, ownHostId: string | null): Promise<TipSet> {
  const local = `refs/heads/${branch}`;
  const tracking = orgTrackingRef(branch);
  const out = await git.readText('list-tips', ['for-each-ref', '--format=%(refname) %(objectname) %(tree)', local, tracking, HOSTS_PREFIX, TRACKING_HOSTS_PREFIX]);
  const found = new Map<string, { commit: string; tree: string }>();
  for (const line of out.split('\n')) {
    const [ref, commit, tree] = line.trim().split(' ');
    if (ref && commit && tree) found.set(ref, { commit, tree });
  }
  return tipSetOf(found, branch, ownHostId);
}

/** Orders refs into a view (see {@link readTips}). */
export function tipSetOf(found: ReadonlyMap<string, { commit: string; tree: string }>, branch: string, ownHostId: string | null): TipSet {
  const local = `refs/heads/${branch}`;
  const tracking = orgTrackingRef(branch);
  const tips: Tip[] = [];
  const orgRef = found.has(local) ? local : found.has(tracking) ? tracking : null;
  for (const ref of [local, tracking]) {
    const t = found.get(ref);
    if (t) tips.push({ ref, ...t, hostId: null, organisation: ref === orgRef });
  }
  const ownCopy = ownHostId !== null && found.has(ownRef(ownHostId)) ? trackingRefOf(ownHostId) : null;
  const hostRefs = [...found.keys()].filter((r) => hostIdOfRef(r) !== null && r !== ownCopy).sort();
  for (const ref of hostRefs) tips.push({ ref, ...found.get(ref)!, hostId: hostIdOfRef(ref), organisation: false });
  return { tips, viewId: viewIdOf(tips) };
}

/** A stable id of a set of tips: it changes whenever any of them moves. */
export function viewIdOf(tips: ReadonlyArray<Pick<Tip, 'ref' | 'commit'>>): string | null {
  if (tips.length === 0) return null;
  const lines = tips.map((t) => `${t.ref} ${t.commit}`).sort().join('\n');
  return createHash('sha256').update(lines).digest('hex');
}

/** The empty tree's id in a repository of this object format. */
export function emptyTree(objectFormat: 'sha1' | 'sha256'): string {
  return objectFormat === 'sha256' ? '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321' : '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
}
