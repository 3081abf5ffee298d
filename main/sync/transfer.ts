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
}

/**
 * Fetches the organisation branch and every host's ref, fast-forward only (no `+`): a ref the
 * remote rewrote is refused and reported, so what this repository already saw of a host's history
 * is never overwritten. `--refmap=` keeps a clone's configured refspec (which forces) out of it.
 */
export async function fetchEvidence(git: Git, remoteBranch: string, localBranch: string, timeoutMs: number): Promise<FetchResult> {
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
  return { refused, empty: orgMissing && !/->/.test(r.stderr) };
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
  const out = await git.text('push-refs', ['for-each-ref', '--format=%(refname) %(objecttype) %(objectname) %(*objecttype) %(*objectname)', ...wanted]);
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
  /** This host's own ref's tip (null: no record yet). */
  ownTip: string | null;
  /** The local organisation branch and its tip, pushed only to create it on a remote that has none. */
  createOrg: { branch: string; remoteBranch: string; tip: string } | null;
  timeoutMs: number;
  /** How many times a passing failure (the remote hung up, a ref lock held for a moment) is tried. */
  attempts?: number;
}

/** The refs a push moved on the remote (and so the tracking refs that now follow). */
export interface PushResult {
  pushed: Array<{ tracking: string; commit: string }>;
}

/**
 * Pushes this host's own ref (fast-forward only, never forced). A refusal of it is a real one —
 * someone else wrote this host's ref, or a server rule — and is never called offline; a passing
 * failure is retried inside this push (bounded, with jitter). The organisation branch, when sent
 * to create it, may lose to another host creating it at the same moment: that is no failure, the
 * next fetch follows theirs.
 */
export async function pushEvidence(git: Git, p: PushRequest): Promise<PushResult> {
  const own = ownRef(p.hostId);
  const specs: string[] = [];
  if (p.ownTip) specs.push(`${own}:${own}`);
  if (p.createOrg) specs.push(`refs/heads/${p.createOrg.branch}:refs/heads/${p.createOrg.remoteBranch}`);
  if (specs.length === 0) return { pushed: [] };
  const attempts = p.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const r = await git.run('push-evidence', ['push', '--porcelain', REMOTE_NAME, ...specs], { timeoutMs: p.timeoutMs, ok: [0, 1, 128] }).catch((e: unknown) => e as GitFailure);
    const text = r instanceof GitFailure ? r.stderr : `${r.text()}\n${r.stderr}`;
    const lines = porcelainLines(text);
    const ownLine = lines.get(own);
    const ownOk = !p.ownTip || (ownLine !== undefined && ownLine.flag !== '!');
    if (ownOk && !(r instanceof GitFailure) && (r.exitCode === 0 || lines.size > 0)) {
      const pushed: PushResult['pushed'] = [];
      if (p.ownTip) pushed.push({ tracking: `${TRACKING_HOSTS_PREFIX}${p.hostId}`, commit: p.ownTip });
      const orgLine = p.createOrg ? lines.get(`refs/heads/${p.createOrg.branch}`) : undefined;
      if (p.createOrg && orgLine && orgLine.flag !== '!') pushed.push({ tracking: orgTrackingRef(p.createOrg.branch), commit: p.createOrg.tip });
      return { pushed };
    }
    const failure = r instanceof GitFailure ? r : new GitFailure('push-evidence', ['push'], r.exitCode, ownLine ? `${ownLine.summary}\n${r.stderr}` : r.stderr || text);
    if (attempt >= attempts || !isPassing(failure, ownLine)) throw failure;
    // Jitter: hosts that failed together do not come back together.
    await new Promise((res) => setTimeout(res, 100 + Math.random() * 400));
  }
}

/** A failure worth one more try inside the same push: the remote hung up, or held a ref lock for a moment. */
function isPassing(failure: GitFailure, ownLine: { flag: string; summary: string } | undefined): boolean {
  if (ownLine?.flag === '!') return /cannot lock ref|failed to update ref|failed to lock/i.test(ownLine.summary);
  if (failure.exitCode === null) return false; // a timeout: the remote did not answer; the outbox backs off
  const cause = classifyRemoteFailure(failure).cause;
  return cause === 'unknown' || (cause === 'unreachable' && /early EOF|Connection reset|hung up/i.test(failure.stderr)) || (cause === 'push-rejected' && isLostPushRace(failure.stderr) && !/\[rejected\]|non-fast-forward|fetch first/.test(failure.stderr));
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
