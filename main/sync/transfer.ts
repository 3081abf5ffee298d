import { GitFailure, type Git } from '../git';
import { orgTrackingRef, ownRef, REMOTE_NAME, trackingRefOf, TRACKING_HOSTS_PREFIX } from '../evidence/layout';
import { classifyRemoteFailure, isLostPushRace, isMissingRemoteBranch } from './remoteFailure';

/**
 * The two network calls of the layout of issue 14. A fetch brings the organisation branch and
 * every host's ref in one `git fetch`; a push sends this host's own ref — which no other host
 * writes, so pushes of many hosts never race — and, only while the remote has no organisation
 * branch yet, the local one to create it.
 */

/** What a fetch did: refs the remote rewrote are kept as they were here, and named. */
export interface FetchResult {
  /** Remote refs whose update was refused because it was not a fast-forward (history rewritten on the remote). */
  refused: string[];
  /** The remote has nothing yet (no organisation branch, no host's ref): an empty shared repository. */
  empty: boolean;
  /** The remote's tip of this host's own ref as just fetched; null when it has none, or the update was refused. */
  own: SeenTip | null;
}

/** A commit of this host's own ref the remote showed (issue 16), and what it had before (null: not known or none). */
export interface SeenTip {
  commit: string;
  old: string | null;
}

/**
 * Fetches the organisation branch and every host's ref, fast-forward only (no `+`): a ref the
 * remote rewrote is refused and reported, so what this repository already saw of a host's history
 * is never overwritten. `--refmap=` keeps a clone's configured refspec (which forces) out of it.
 */
export async function fetchEvidence(git: Git, remoteBranch: string, localBranch: string, timeoutMs: number, hostId: string | null = null): Promise<FetchResult> {
  const org = `refs/heads/${remoteBranch}:${orgTrackingRef(localBranch)}`;
  const hosts = `refs/heads/hosts/*:${TRACKING_HOSTS_PREFIX}*`;
  const run = (refspecs: string[]) => git.run('fetch-remote', ['-c', 'core.abbrev=no', 'fetch', '-v', '--no-tags', '--refmap=', REMOTE_NAME, ...refspecs], { timeoutMs, ok: [0, 1] });
  let r = await run([org, hosts]).catch((e: unknown) => {
    // A new remote may have host refs and no organisation branch yet: fetch what there is.
    if (isMissingRemoteBranch(e)) return null;
    throw e;
  });
  const orgMissing = r === null;
  if (r === null) r = await run([hosts]);
  const refused = [...r.stderr.matchAll(/^\s*!\s+\[rejected\]\s+(\S+)\s+->\s+\S+\s+\(non-fast-forward\)/gm)].map((m) => m[1]!);
  if (r.exitCode !== 0 && refused.length === 0) throw new GitFailure('fetch-remote', ['fetch'], r.exitCode, r.stderr);
  // -v lists every ref the refspecs matched ("->"), moved or up to date: none means none exists.
  return { refused, empty: orgMissing && !/->/.test(r.stderr), own: hostId === null ? null : await fetchedOwn(git, r.stderr, hostId) };
}

/**
 * This host's own ref as `fetch -v` (with `core.abbrev=no`) listed it: ` <flag> <summary> <from> ->
 * <to>`. A fast-forward names both commits in full; a new or unchanged ref names none, and the
 * tracking ref the fetch has just written or left is read; a refused one is no tip the remote confirmed.
 */
async function fetchedOwn(git: Git, stderr: string, hostId: string): Promise<SeenTip | null> {
  const tracking = trackingRefOf(hostId);
  for (const m of stderr.matchAll(/^ (.) (\[[^\]]+\]|\S+)\s+\S+\s+->\s+(\S+)/gm)) {
    if (`refs/remotes/${m[3]!}` !== tracking && m[3] !== tracking) continue;
    if (m[1] === '!') return null;
    const ids = /^([0-9a-f]{40,64})\.\.([0-9a-f]{40,64})$/.exec(m[2]!);
    if (ids && m[1] === ' ') return { commit: ids[2]!, old: ids[1]! };
    const commit = await commitOfRef(git, tracking);
    return commit === null ? null : { commit, old: m[1] === '=' ? commit : null };
  }
  return null;
}

/** A ref's commit (one that names no commit counts as absent). */
async function commitOfRef(git: Git, ref: string): Promise<string | null> {
  const out = await git.readText('read-confirmed', ['for-each-ref', '--format=%(objecttype) %(objectname)', ref]);
  const [type, id] = out.split('\n').find((l) => l.length > 0)?.split(' ') ?? [];
  return type === 'commit' && id ? id : null;
}

/** What a push starts from: this host's own ref, the local organisation branch, and what the remote is known to have of each. */
export interface PushRefs {
  /** This host's own ref's commit (null: no record yet, or no host id). */
  ownTip: string | null;
  /** Its remote-tracking copy: what the remote had after the last fetch or push. */
  ownTracking: string | null;
  /** The local organisation branch's commit. */
  orgTip: string | null;
  /** The organisation branch's remote-tracking ref (absent: the remote is not known to have one). */
  orgTracking: string | null;
}

/**
 * The refs a push needs, in ONE git process (issue 14 benchmark: every process before the push is
 * on its critical path). The own ref is peeled to its commit, as `rev-parse <ref>^{commit}` would
 * (one that names no commit counts as absent); the others are read as they are.
 */
export async function readPushRefs(git: Git, hostId: string | null, branch: string): Promise<PushRefs> {
  const own = hostId === null ? null : ownRef(hostId);
  const ownTracking = hostId === null ? null : trackingRefOf(hostId);
  const local = `refs/heads/${branch}`;
  const tracking = orgTrackingRef(branch);
  const wanted = [own, ownTracking, local, tracking].filter((r): r is string => r !== null);
  // for-each-ref patterns also match below a name (`refs/heads/hosts/a` matches `…/a/b`): exact names are kept.
  const out = await git.readText('push-refs', ['for-each-ref', '--format=%(refname) %(objecttype) %(objectname) %(*objecttype) %(*objectname)', ...wanted]);
  const found = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [ref, type, id, peeledType, peeled] = line.trim().split(' ');
    if (!ref || !id || !wanted.includes(ref)) continue;
    // Only the own ref is peeled (it is what gets pushed); the others are taken as they are, as the view reads them.
    found.set(ref, ref !== own || type === 'commit' ? id : type === 'tag' && peeledType === 'commit' && peeled ? peeled : '');
  }
  const at = (ref: string | null) => (ref === null ? null : found.get(ref) || null);
  return { ownTip: at(own), ownTracking: at(ownTracking), orgTip: at(local), orgTracking: at(tracking) };
}

/** What to push. */
export interface PushRequest {
  hostId: string;
  /**
   * The refs as read before the push: the own ref's tip (null: no record yet) and what the tracking
   * refs held. Null: not read, because an earlier read showed the own ref and the remote's
   * organisation branch (nothing here deletes a ref) and git's push moves the tracking ref itself
   * ({@link pushMovesTracking}): the own ref is pushed by name, and a push that finds it gone
   * throws {@link OwnRefGone}.
   */
  refs: PushRefs | null;
  /** The local organisation branch and its tip, pushed only to create it on a remote that has none. */
  createOrg: { branch: string; remoteBranch: string; tip: string } | null;
  /** The remote's configured fetch refspecs, in order (`remote.origin.fetch`): they decide which tracking refs git's push moves. */
  fetchRefspecs: readonly string[];
  timeoutMs: number;
  /** How many times a passing failure (the remote hung up, a ref lock held for a moment) is tried. */
  attempts?: number;
}

/** The refs a push moved on the remote (their tracking refs now follow); the commit is not known when the refs were not read. */
export interface PushResult {
  pushed: Array<{ tracking: string; commit: string | null }>;
  /** The commit of this host's own ref the remote accepted (issue 16), with the remote's before; null when it was not pushed. */
  own: SeenTip | null;
}

/** The own ref an earlier read showed is gone (deleted by hand): read the refs, and push as then. */
export class OwnRefGone extends Error {
  constructor() {
    super('This host\'s own ref is gone since it was last read.');
    this.name = 'OwnRefGone';
  }
}

/**
 * Pushes this host's own ref (fast-forward only, never forced). A refusal of it is a real one —
 * someone else wrote this host's ref, or a server rule — and is never called offline; a passing
 * failure is retried inside this push (bounded, with jitter). The organisation branch, when sent
 * to create it, may lose to another host creating it at the same moment: that is no failure, the
 * next fetch follows theirs. Afterwards the tracking refs say what the remote now has (the backlog
 * is counted against them).
 */
export async function pushEvidence(git: Git, p: PushRequest): Promise<PushResult> {
  const own = ownRef(p.hostId);
  const pushOwn = p.refs === null || p.refs.ownTip !== null;
  const specs: string[] = [];
  if (pushOwn) specs.push(`${own}:${own}`);
  if (p.createOrg) specs.push(`refs/heads/${p.createOrg.branch}:refs/heads/${p.createOrg.remoteBranch}`);
  if (specs.length === 0) return { pushed: [], own: null };
  const byGit = trackedByPush(p);
  const mapping = byGit.flatMap((m) => ['-c', `remote.${REMOTE_NAME}.fetch=${m.remote}:${m.tracking}`]);
  const attempts = p.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const r = await git.run('push-evidence', [...mapping, '-c', 'core.abbrev=no', 'push', '--porcelain', REMOTE_NAME, ...specs], { timeoutMs: p.timeoutMs, ok: [0, 1, 128] }).catch((e: unknown) => e as GitFailure);
    const text = r instanceof GitFailure ? r.stderr : `${r.text()}\n${r.stderr}`;
    const lines = porcelainLines(text);
    const ownLine = lines.get(own);
    const ownOk = !pushOwn || (ownLine !== undefined && ownLine.flag !== '!');
    if (ownOk && !(r instanceof GitFailure) && (r.exitCode === 0 || lines.size > 0)) {
      if (p.refs === null) return { pushed: [{ tracking: trackingRefOf(p.hostId), commit: null }], own: await acceptedOwn(git, ownLine, null, p.hostId) };
      const pushed: PushResult['pushed'] = [];
      if (p.refs.ownTip) pushed.push({ tracking: trackingRefOf(p.hostId), commit: p.refs.ownTip });
      const orgLine = p.createOrg ? lines.get(`refs/heads/${p.createOrg.branch}`) : undefined;
      if (p.createOrg && orgLine && orgLine.flag !== '!') pushed.push({ tracking: orgTrackingRef(p.createOrg.branch), commit: p.createOrg.tip });
      // A bare clone has no fetch refspec, so git moves a tracking ref on push only where this push
      // mapped one (`byGit`); any other is recorded here — unless it already holds what was pushed.
      const before = new Map([[trackingRefOf(p.hostId), p.refs.ownTracking], [orgTrackingRef(p.createOrg?.branch ?? ''), p.refs.orgTracking]]);
      const left = pushed.filter((x) => !byGit.some((m) => m.tracking === x.tracking) && before.get(x.tracking) !== x.commit);
      if (left.length > 0) await git.updateRefs('track-pushed', left.map((x) => ({ ref: x.tracking, next: x.commit! })));
      return { pushed, own: pushOwn ? await acceptedOwn(git, ownLine, p.refs.ownTip, p.hostId) : null };
    }
    if (p.refs === null && !(r instanceof GitFailure) && /src refspec \S+ does not match any/.test(r.stderr)) throw new OwnRefGone();
    const failure = r instanceof GitFailure ? r : new GitFailure('push-evidence', ['push'], r.exitCode, ownLine ? `${ownLine.summary}\n${r.stderr}` : r.stderr || text);
    if (attempt >= attempts || !isPassing(failure, ownLine)) throw failure;
    // Jitter: hosts that failed together do not come back together.
    await new Promise((res) => setTimeout(res, 100 + Math.random() * 400));
  }
}

/** The clone default (`git clone`, `git remote add`): it maps every branch onto `origin/<branch>`. */
const DEFAULT_FETCH_REFSPEC = /^\+?refs\/heads\/\*:refs\/remotes\/origin\/\*$/;

/** Whether git's own push moves this host's tracking ref, once the push maps it (see {@link trackedByPush}). */
export function pushMovesTracking(fetchRefspecs: readonly string[]): boolean {
  return fetchRefspecs.every((r) => DEFAULT_FETCH_REFSPEC.test(r));
}

/**
 * The tracking refs git's own push moves, once this push maps them (`-c remote.origin.fetch`, read
 * after the repository's own refspecs): git moves the tracking ref that the FIRST fetch refspec
 * matching a pushed ref names. That is ours when the repository has no refspec (a bare clone) or
 * only the clone default (which names the same ref for the own ref, and for the organisation
 * branch when it has the same name on the remote). With any other refspec git is left to do what
 * it does, and the tracking refs are recorded by `update-ref` after the push, as before.
 */
function trackedByPush(p: PushRequest): Array<{ remote: string; tracking: string }> {
  if (!pushMovesTracking(p.fetchRefspecs)) {
    if (p.refs === null) throw new Error('pushEvidence: the refs must be read when git\'s push does not move the tracking refs.');
    return [];
  }
  const out: Array<{ remote: string; tracking: string }> = [];
  if (p.refs === null || p.refs.ownTip !== null) out.push({ remote: ownRef(p.hostId), tracking: trackingRefOf(p.hostId) });
  const org = p.createOrg;
  if (org && (p.fetchRefspecs.length === 0 || org.remoteBranch === org.branch)) out.push({ remote: `refs/heads/${org.remoteBranch}`, tracking: orgTrackingRef(org.branch) });
  return out;
}

/** A failure worth one more try inside the same push: the remote hung up, or held a ref lock for a moment. */
function isPassing(failure: GitFailure, ownLine: { flag: string; summary: string } | undefined): boolean {
  if (ownLine?.flag === '!') return /cannot lock ref|failed to update ref|failed to lock/i.test(ownLine.summary);
  if (failure.exitCode === null) return false; // a timeout: the remote did not answer; the outbox backs off
  const cause = classifyRemoteFailure(failure).cause;
  return cause === 'unknown' || (cause === 'unreachable' && /early EOF|Connection reset|hung up/i.test(failure.stderr)) || (cause === 'push-rejected' && isLostPushRace(failure.stderr) && !/\[rejected\]|non-fast-forward|fetch first/.test(failure.stderr));
}

/**
 * The commit the remote accepted for this host's own ref: a fast-forward's summary names it in
 * full (`core.abbrev=no`); a new or unchanged ref's does not, and it is the tip read before the
 * push, or, not read, the tracking ref the push has just moved (git moves it for both).
 */
async function acceptedOwn(git: Git, line: { flag: string; summary: string } | undefined, pushedTip: string | null, hostId: string): Promise<SeenTip | null> {
  const ids = line ? /^([0-9a-f]{40,64})\.\.([0-9a-f]{40,64})$/.exec(line.summary) : null;
  if (ids) return { commit: ids[2]!, old: ids[1]! };
  const commit = pushedTip ?? (await commitOfRef(git, trackingRefOf(hostId)));
  return commit === null ? null : { commit, old: line?.flag === '=' ? commit : null };
}

/** `git push --porcelain` lines by local ref: `<flag>\t<from>:<to>\t<summary>`. */
function porcelainLines(text: string): Map<string, { flag: string; summary: string }> {
  const out = new Map<string, { flag: string; summary: string }>();
  for (const line of text.split('\n')) {
    const m = /^([ +\-*!=])\t([^:\t]+):([^\t]+)\t(.*)$/.exec(line);
    if (m) out.set(m[2]!, { flag: m[1]!, summary: m[4]!.trim() });
  }
  return out;
}
