import canonicalize from 'canonicalize';
import { formatPolicyProblems } from '../../app/policy';
import { parseRecordPath } from '../../app/records';
import { verifyLedgerRecords, type IntegrityProblem } from '../../app/ledger';
import type { LedgerView } from '../../app/ports';
import { verifySessionRecordings } from '../../app/recording/evidence';
import type { VerifyResult } from '../../app/verifyResult';
import { Git, type GitResult } from '../git';
import '../host/nativeHash';
import { orgTrackingRef, ownRef, REMOTE_NAME, trackingRefOf } from './layout';
import { LedgerIndex } from './ledgerIndex';
import { checkHistories } from './verifyHistory';
import { readCheckpoint, writeCheckpoint, type Checkpoint, type VerifiedStore } from './verifyCheckpoint';
import { ledgerTipsOf, verifySince } from './verifyIncremental';
import { ackJudge } from './acknowledgements';
import { acksByChallenge, carriedOf, recordsAddedBy } from './verifyCarried';
import { CheckpointUnusable, verifySignatures } from './verifySignatures';
import { acknowledgementReport, rosterOf, verifyAcknowledgements } from './verifyAcknowledgements';
import { verifyWitnessClaims, verifyWitnesses } from './verifyWitnesses';
import { compareOwnWithConfirmed } from './verifyConfirmed';

export type { VerifiedStore } from './verifyCheckpoint';

/** The result of `breakglass verify` (defined once, in app/verifyResult.ts), with every issue-14 and issue-18 field present. */
export type VerifyReport = VerifyResult & Required<Pick<VerifyResult, 'comparedWith' | 'tips' | 'notices' | 'mode' | 'witnesses'>>;

/**
 * How verify works (issue 18): 'incremental' (the console's and a routine check's) goes on from
 * the checkpoint the last verify left (verifyIncremental.ts) and is full when there is none it can
 * use; 'full' (an auditor's) reads and checks everything from the first commit, never the
 * checkpoint, with `git fsck --connectivity-only` for the object graph; 'deep' is 'full' with the
 * full `git fsck`.
 */
export type VerifyMode = 'incremental' | 'full' | 'deep';

export interface VerifyOptions {
  /** The trust anchor an auditor pins (`verify --anchor`). */
  anchor?: string;
  /** 'full' unless given. */
  mode?: VerifyMode;
  /** Now, for the acknowledgement windows (issue 16); the system clock's unless given. */
  nowMs?: number;
}

/** Verifies the repository offline (issue 2, issue 14, issue 18), in the mode asked for. */
export async function verifyRepository(store: VerifiedStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const anchor = { ...(options.anchor !== undefined ? { anchor: options.anchor } : {}), nowMs: options.nowMs ?? Date.now() };
  if ((options.mode ?? 'full') !== 'incremental') return verifyFull(store, { ...anchor, deep: options.mode === 'deep', writeWhenOk: true });
  const read = await readCheckpoint(store.gitDir);
  let reason = 'reason' in read ? read.reason : '';
  if ('checkpoint' in read) {
    try {
      return await fromCheckpoint(store, read.checkpoint, anchor);
    } catch (e) {
      if (!(e instanceof CheckpointUnusable)) throw e;
      reason = `the checkpoint could not be used: ${e.message}`;
    }
  }
  return verifyFull(store, { ...anchor, deep: false, writeWhenOk: false, fallback: reason });
}

/** The incremental verify, with the checks every verify makes afresh. */
async function fromCheckpoint(store: VerifiedStore, cp: Checkpoint, options: { anchor?: string; nowMs: number }): Promise<VerifyReport> {
  const r = await verifySince(store, cp, options.anchor !== undefined ? { anchor: options.anchor } : {});
  const problems = r.problems.map((x) => x.problem);
  let records = 0;
  let sessions = 0;
  for (const [id, n] of r.checkpoint.counts) {
    records += n;
    if (!id.startsWith('journal-')) sessions += 1;
  }
  const volatile = await afresh(store, r.tips, records, null);
  if (r.missing.length > 0) volatile.problems.push({ sessionId: null, seq: null, path: null, commit: null, message: `Objects of the commits added since the checkpoint are missing: ${r.missing.slice(0, 5).join(', ')}${r.missing.length > 5 ? ` and ${r.missing.length - 5} more` : ''}.` });
  // The acknowledgements depend on the clock and on every commander's journal, the witnesses'
  // promises on the refs as they are now: both are judged afresh on every verify, from the inputs
  // the checkpoint carries brought up to date with the commits since (verifyCarried.ts), every
  // witnessed commit checked against the current refs.
  const c = r.checkpoint;
  const acknowledged = acknowledgementReport(c.carried.sessions, acksByChallenge(c.carried), c.carried.rules, options.nowMs);
  // Every ref moved only forward since the checkpoint (verifySince proves it): a claim contained then is contained now.
  const witnessed = await verifyWitnessClaims(store.git, { claims: c.carried.claims, tips: ledgerTipsOf(r.tips), ownHostId: store.hostId, toleranceMs: c.carried.rules.clockSkewToleranceSeconds * 1000, recordsOf: (commits) => recordsAddedBy(store.git, commits), contained: new Set(c.carried.contained) });
  volatile.problems.push(...acknowledged.problems, ...witnessed.problems);
  if (r.missing.length === 0) await writeCheckpoint(store.gitDir, { ...c, carried: { ...c.carried, contained: witnessed.contained } });
  return {
    ok: problems.length + volatile.problems.length === 0, head: r.view.head, sessions, records,
    commitsChecked: c.commitsChecked, comparedWithRemote: volatile.comparedWithRemote, comparedWith: volatile.comparedWith, tips: r.tips.map((t) => ({ ref: t.ref, commit: t.commit })), notices: [],
    problems: [...problems, ...volatile.problems],
    signatures: { ...c.signatures, records: [] },
    mode: 'incremental', incremental: { from: r.from, commits: r.newCommits }, acknowledgements: acknowledged.list, witnesses: witnessed.summary,
  };
}

/**
 * The full verify (issue 2, issue 14): every record parses, every chain links, no two refs hold
 * different copies of a record, every record file was added by exactly one commit and never
 * changed or removed after it, the commit's author is the record's named actor, each host's ref
 * holds only that host's records and no merge, history already pushed was not rewritten, the
 * policy in force is valid, and git fsck (`--connectivity-only` unless deep) is clean. Every
 * record is read from git's objects: the derived caches never decide a verification (issue 12 item 3).
 */
async function verifyFull(store: VerifiedStore, options: { anchor?: string; nowMs: number; deep: boolean; writeWhenOk: boolean; fallback?: string }): Promise<VerifyReport> {
  // git fsck is the longest step; it runs beside the rest on its own git instance, so the two cores share the work.
  const fsckRun = new Git(store.dir).run('verify-fsck', ['fsck', ...(options.deep ? [] : ['--connectivity-only']), '--no-progress', '--no-dangling'], { ok: [0, 1, 2, 3, 4, 5, 6, 7, 8] });
  fsckRun.catch(() => undefined); // awaited below; this only keeps an early failure elsewhere from leaving it unhandled
  const tips = await store.readTips();
  const fromGit = new LedgerIndex(store.git, store.branch, store.gitDir, store.objectFormat, { ownHostId: store.hostId, useCaches: false });
  await fromGit.refresh(tips);
  const view = fromGit.view!;
  const notices = await checkDerivedCaches(store, view);
  const ledger: IntegrityProblem[] = verifyLedgerRecords(view);
  const recordings: IntegrityProblem[] = [];
  const problems: IntegrityProblem[] = [];
  let records = 0;
  for (const entries of view.sessions.values()) records += entries.length;
  const history = await checkHistories(store.git, view);
  problems.push(...history.problems);
  if (view.policy.ok && view.policy.rejected) {
    problems.push({ sessionId: null, seq: null, path: 'policy.yaml', commit: tips.tips.find((t) => t.organisation)?.commit ?? null, message: `policy.yaml is invalid (${formatPolicyProblems(view.policy.rejected.problems).replace(/\n/g, '; ')}); the last valid policy (sha256 ${view.policy.sha256.slice(0, 12)}) stays in force until it is fixed.` });
  }
  // Issue 17: each governed shell's recording — its chunk chain, its start and its end.
  for (const [sessionId, entries] of view.sessions) {
    for (const p of await verifySessionRecordings(entries.map((e) => e.record))) {
      recordings.push({ sessionId, seq: p.recordSeq, path: null, commit: null, message: `Recording ${p.recordingId}: ${p.message}` });
    }
  }
  // Who signed each commit, against the roster in force (issue 15): main/evidence/verifySignatures.ts.
  const signed = await verifySignatures(store, view, options);
  // The commander's acknowledgements (issue 16): main/evidence/verifyAcknowledgements.ts; they
  // depend on the clock, so they are judged afresh on every verify (the checkpoint carries their inputs).
  const roster = await rosterOf(fromGit);
  const acknowledged = verifyAcknowledgements(roster, view, options.nowMs);
  // The witnesses (issue 16): main/evidence/verifyWitnesses.ts; statements arrive from other hosts at any time, so checked against the refs on every verify.
  const witnessed = await verifyWitnesses(store.git, view, store.hostId);
  const volatile = await afresh(store, tips.tips, records, await fsckRun);
  // The order of issue 14's report: records, history, policy, recordings, signatures, then what is checked afresh.
  const durable = [...ledger, ...problems, ...recordings, ...signed.problems, ...volatile.problems];
  const all = [...durable, ...acknowledged.problems, ...witnessed.problems];
  const sessionProblems = [...ledger, ...recordings];
  const ok = all.length === 0;
  if (!volatile.damaged && (durable.length === 0 || !options.writeWhenOk)) {
    const counts = new Map<string, number>();
    for (const [id, entries] of view.sessions) counts.set(id, entries.length);
    const s = signed.summary;
    await writeCheckpoint(store.gitDir, {
      version: 3, objectFormat: store.objectFormat, branch: store.branch, hostId: store.hostId, pinned: options.anchor ?? null, head: view.head,
      tips: tips.tips.map((t) => ({ ref: t.ref, commit: t.commit })),
      problems: [...sessionProblems.map((problem) => ({ problem, session: true })), ...[...problems, ...signed.problems].map((problem) => ({ problem, session: false }))],
      counts, commitsChecked: history.commitsChecked, signatures: { roster: s.roster, anchor: s.anchor, proven: s.proven, claimed: s.claimed, invalid: s.invalid }, governance: signed.resume,
      carried: carriedOf(view, fromGit.governed?.roster ?? null, ackJudge(roster), witnessed.contained),
    });
  }
  return {
    ok, head: view.head, sessions: [...view.sessions.keys()].filter((k) => !k.startsWith('journal-')).length, records,
    commitsChecked: history.commitsChecked, comparedWithRemote: volatile.comparedWithRemote, comparedWith: volatile.comparedWith, tips: tips.tips.map((t) => ({ ref: t.ref, commit: t.commit })), notices, problems: all,
    signatures: signed.summary, mode: options.deep ? 'full+deep' : 'full', ...(options.fallback ? { fallback: options.fallback } : {}), acknowledgements: acknowledged.list, witnesses: witnessed.summary,
  };
}

/** What every verify checks afresh, never from a checkpoint: history against the remote, an empty view, and git fsck's answer (null: not run). */
async function afresh(store: VerifiedStore, tips: ReadonlyArray<{ ref: string }>, records: number, fsck: GitResult | null): Promise<{ problems: IntegrityProblem[]; comparedWith: string[]; comparedWithRemote: string | null; damaged: boolean }> {
  const problems: IntegrityProblem[] = [];
  const comparedWith: string[] = [];
  const comparedWithRemote = await compareOwnWithRemote(store, problems, comparedWith);
  if (records === 0) await refuseEmptyView(store.git, problems);
  let damaged = false;
  if (fsck && (fsck.exitCode !== 0 || /^(error|missing|broken|bad)/m.test(fsck.text() + fsck.stderr))) {
    const first = `${fsck.text()}\n${fsck.stderr}`.split('\n').filter((l) => /error|missing|broken|bad/i.test(l)).slice(0, 5).join(' | ');
    problems.push({ sessionId: null, seq: null, path: null, commit: null, message: `git fsck reports damage: ${first || `exit ${fsck.exitCode}`}` });
    damaged = true;
  }
  if (tips.some((t) => t.ref === orgTrackingRef(store.branch))) comparedWith.unshift(orgTrackingRef(store.branch));
  return { problems, comparedWith, comparedWithRemote, damaged };
}

/**
 * Issue 12 item 3: the console's view comes through derived caches; verify's comes from git alone.
 * When they disagree, the caches are discarded and rebuilt from git, and verify says so.
 */
async function checkDerivedCaches(store: VerifiedStore, truth: LedgerView): Promise<string[]> {
  const cached = await store.read();
  const differing = differences(truth, cached);
  if (differing === 0) return [];
  await store.discardDerivedCaches();
  await store.read();
  return [`The derived record caches beside the repository disagreed with git for ${differing} record(s); they were discarded and rebuilt from git's objects. Nothing in this report was read from them.`];
}

/** How many records the two views hold differently (content, path or commit). */
function differences(a: LedgerView, b: LedgerView): number {
  const key = (v: LedgerView) => {
    const m = new Map<string, string>();
    for (const entries of v.sessions.values()) for (const e of entries) m.set(e.path, `${e.commit}\n${canonicalize(e.record)}`);
    return m;
  };
  const ka = key(a);
  const kb = key(b);
  let n = 0;
  for (const [p, v] of ka) if (kb.get(p) !== v) n += 1;
  for (const p of kb.keys()) if (!ka.has(p)) n += 1;
  return n;
}

/**
 * Records already pushed must still be in this host's own history, unchanged: its own ref must
 * contain the configured remote's copy of it (`refs/remotes/origin/hosts/<id>`, issue 12 item 4 —
 * no other remote's ref counts), and the commit of it the remote last confirmed (issue 16,
 * verifyConfirmed.ts). Returns the tracking ref compared with, or null.
 */
async function compareOwnWithRemote(store: VerifiedStore, problems: IntegrityProblem[], comparedWith: string[]): Promise<string | null> {
  if (store.hostId === null) return null;
  const own = ownRef(store.hostId);
  const tracking = trackingRefOf(store.hostId);
  const listed = (await store.git.readText('list-own-refs', ['for-each-ref', '--format=%(refname) %(objectname)', own, tracking])).split('\n').filter(Boolean);
  const commitOf = new Map(listed.map((l) => l.split(' ') as [string, string]));
  const head = commitOf.get(own);
  const before = problems.length;
  const compared = commitOf.has(tracking) && head ? await compareWithTracking(store, tracking, head, problems, comparedWith) : null;
  // Issue 16: the commit the remote confirmed (sync state), which no tracking ref moved by hand
  // hides; when the tracking ref holds it and has just shown the rewrite, that is said once.
  await compareOwnWithConfirmed(store, head ?? null, problems, comparedWith, problems.length > before ? commitOf.get(tracking) ?? null : null);
  return compared;
}

/** The own ref's history against its tracking ref: records the remote has must be here, unchanged. */
async function compareWithTracking(store: VerifiedStore, tracking: string, head: string, problems: IntegrityProblem[], comparedWith: string[]): Promise<string> {
  comparedWith.push(tracking);
  const shown = tracking.replace('refs/remotes/', '');
  const anc = await store.git.run('verify-remote-ancestry', ['merge-base', '--is-ancestor', tracking, head], { ok: [0, 1] });
  if (anc.exitCode === 0) return tracking;
  const diff = await store.git.text('verify-remote-diff', ['diff-tree', '-r', '--no-renames', '--name-status', tracking, head, '--', 'sessions', 'journal']);
  let named = 0;
  for (const line of diff.split('\n')) {
    const [status, p] = line.split('\t');
    if (!p || status === 'A') continue; // Added locally since the push: normal.
    const rec = parseRecordPath(p);
    named += 1;
    problems.push({
      sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path: p, commit: null,
      message: status === 'D' ? `Record was pushed to ${shown} but is missing from local history (history rewritten).` : `Record differs from the copy already pushed to ${shown} (history rewritten).`,
    });
  }
  if (named === 0) {
    problems.push({ sessionId: null, seq: null, path: null, commit: null, message: `Local history does not contain ${shown} (already pushed): it was rewritten. Never rewrite evidence; restore the pushed history.` });
  }
  return tracking;
}

/**
 * Issue 12 item 1: an empty view is never OK while a fetched ref holds records (of any remote: then
 * the evidence is not where this repository reads it, and verify says where it is).
 */
async function refuseEmptyView(git: Git, problems: IntegrityProblem[]): Promise<void> {
  const refs = (await git.readText('list-remote-refs', ['for-each-ref', '--format=%(refname)', 'refs/remotes/', 'refs/heads/'])).split('\n').filter(Boolean);
  if (refs.length === 0) return;
  const out = (await git.text('find-records', ['cat-file', '--batch-check=%(objecttype)'], { input: `${refs.flatMap((r) => [`${r}:sessions`, `${r}:journal`]).join('\n')}\n` })).split('\n');
  const holding = refs.filter((_, i) => out[2 * i] === 'tree' || out[2 * i + 1] === 'tree');
  if (holding.length > 0) {
    problems.push({ sessionId: null, seq: null, path: null, commit: null, message: `No record was read, but ${holding.slice(0, 3).join(', ')} hold${holding.length === 1 ? 's' : ''} records: this repository does not read that branch. Fetch from the evidence remote as ${REMOTE_NAME}, or check out its organisation branch.` });
  }
}
