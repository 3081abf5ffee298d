import type { IntegrityProblem } from '../../app/ledger';
import type { LedgerView } from '../../app/ports';
import { parseRecordPath, type EvidenceRecord } from '../../app/records';
import { authorizeRecordSigner, keyAt, signerRuleFor } from '../../app/roster/lookup';
import type { Roster } from '../../app/roster/schema';
import type { SignatureSummary, RecordSignature } from '../../app/verifyResult';
import { verifyCommitSignatures, type CommitSignatureCheck, type ObjectFormat } from '../signing/commitSignature';
import type { Git } from '../git';
import { GovernanceRules, isGovernancePath, parseRawLog, problemAt, type GovernanceState, type LoggedCommit } from './governanceRules';
import type { ResumeState } from './verifyCheckpoint';
import { reachableIn } from './verifyHistory';

/**
 * Who made each evidence commit (issue 15, "Verify checks who"): every record commit's SSH
 * signature is checked in-process against the roster in force at the commit's parent — the person
 * the record names, with the role its type needs, inside the key's window; a review never by the
 * session's operator or their key. Changes of roster.yaml and policy.yaml count only when adopted
 * from a proposal approved by enough distinct roster admins (app/roster/governance.ts); anything
 * else is a finding and the change is not in force. Before the first roster (the trust anchor,
 * trusted on first use or pinned with `anchor`) records are unsigned: claimed, not proven.
 *
 * Governance lives on the organisation branch; records on each host's own ref (issue 14). A host's
 * ref holds the roster of the organisation tip it started from, and is never merged, so it never
 * sees a later adoption. A record on a host's ref is therefore judged by the latest roster adopted
 * on the organisation branch that lists its key — a revocation binds every host, whether or not it
 * fetched; a key a later roster dropped is judged by the last roster that listed it. An unsigned
 * record on a host's ref is only claimed when nothing in its own history shows the host knew of a
 * roster (its base predates the anchor and none of its records before was signed).
 */

/** What signature verification reads: the repository's git and object format. */
export interface SignedStore {
  git: Git;
  objectFormat: ObjectFormat;
}

interface State extends GovernanceState { /** A record commit in this history was validly signed. */ signedSeen: boolean }

/** Raised when an incremental walk cannot go on from the checkpoint (a governance change, a parent it does not know): verify is then full. */
export class CheckpointUnusable extends Error {}

/** Where an incremental walk starts (issue 18): the checkpoint's tips (excluded) and the walk's state there. */
export interface SignaturesSince { exclude: readonly string[]; resume: ResumeState; parents: ReadonlyMap<string, readonly string[]> }

/** Verifies every commit's signature and the governance of roster.yaml and policy.yaml over every ref of `view`, from the first commit. */
export async function verifySignatures(store: SignedStore, view: LedgerView, options: { anchor?: string; since?: SignaturesSince } = {}): Promise<{ summary: SignatureSummary; problems: IntegrityProblem[]; resume: ResumeState }> {
  const problems: IntegrityProblem[] = [];
  const records: RecordSignature[] = [];
  const summary: SignatureSummary = { roster: false, anchor: null, proven: 0, claimed: 0, invalid: 0, records };
  const tips = view.tips && view.tips.length > 0 ? view.tips : view.head ? [{ ref: '', commit: view.head, hostId: null, organisation: true }] : [];
  const since = options.since;
  if (tips.length === 0) return { summary, problems, resume: since?.resume ?? { anchor: null, adopted: [], order: 0, states: {}, operatorKeys: {} } };
  const not = (since?.exclude ?? []).map((c) => `^${c}`);
  const orgTip = tips.find((t) => t.organisation)?.commit ?? null;
  const [log, orgLog] = since ? [
    since.parents.size === 0 ? '' : await store.git.readText('verify-signatures-history', ['log', '--reverse', '--topo-order', '--no-renames', '--raw', '--no-abbrev', '--diff-merges=off', '--format=%x01%H%x02%P', ...new Set(tips.map((t) => t.commit)), ...not]),
    [...(orgTip ? reachableIn(since.parents, [orgTip]) : [])].join('\n'),
  ] : await Promise.all([
    store.git.readText('verify-signatures-history', ['log', '--reverse', '--topo-order', '--no-renames', '--raw', '--no-abbrev', '--diff-merges=off', '--format=%x01%H%x02%P', ...new Set(tips.map((t) => t.commit)), ...not]),
    orgTip ? store.git.readText('verify-signatures-organisation', ['rev-list', orgTip, ...not]) : Promise.resolve(''),
  ]);
  const onOrganisation = new Set(orgLog.split('\n').filter(Boolean));
  const commits = parseRawLog(log);
  const signed = commits.filter((c) => c.parents.length <= 1).map((c) => c.id);
  const checks = new Map<string, CommitSignatureCheck>((await verifyCommitSignatures(store.git, signed, { format: store.objectFormat })).map((r) => [r.id, r.check]));

  const byPath = new Map<string, EvidenceRecord>();
  const operatorOf = new Map<string, EvidenceRecord['actor']>();
  for (const [sessionId, entries] of view.sessions) {
    for (const e of entries) byPath.set(e.path, e.record);
    if (entries[0]?.record.type === 'declared') operatorOf.set(sessionId, entries[0].record.actor);
  }
  const rules = new GovernanceRules(store.git);
  await rules.prefetch(commits);
  const states = new Map<string, State>();
  /** Record commits, judged after the walk: a host's records need every adoption, a review its operator's keys. */
  const pending: Array<{ c: LoggedCommit; path: string; record: EvidenceRecord; before: State; check: CommitSignatureCheck }> = [];
  const operatorKeys = new Map<string, string[]>(Object.entries(since?.resume.operatorKeys ?? {}));
  let order = since?.resume.order ?? 0;
  if (since) {
    rules.adopted.push(...since.resume.adopted);
    rules.anchor = since.resume.anchor;
    for (const [id, st] of Object.entries(since.resume.states)) states.set(id, { ...st });
  }

  /**
   * The roster a record commit is judged by. On the organisation branch (records from before issue
   * 14): the one in force at its parent. On a host's ref: the latest adopted roster listing its key
   * (see the comment at the top), else the latest adopted at all when its history shows the host
   * knew of a roster, else none (claimed).
   */
  const rosterFor = async (p: (typeof pending)[number], organisation: boolean): Promise<Roster | null> => {
    if (organisation) return rules.rosterOf(p.before.roster);
    const adopted = rules.adopted;
    if (p.check.status === 'valid') {
      for (let i = adopted.length - 1; i >= 0; i--) {
        const r = await rules.rosterOf(adopted[i]!);
        if (r && keyAt(r, p.check.key.fingerprint, (p.check.committerSeconds ?? 0) * 1000)) return r;
      }
    }
    const latest = adopted.length > 0 ? await rules.rosterOf(adopted[adopted.length - 1]!) : null;
    if (p.before.roster !== null || p.before.signedSeen) return latest ?? rules.rosterOf(p.before.roster);
    return p.check.status === 'valid' ? latest : null;
  };

  const none: State = { roster: null, policy: null, changedAt: 0, signedSeen: false };
  for (const c of commits) {
    order += 1;
    // A merge takes the most recently adopted roster and policy of its parents (merges change no file, verify.ts checks that).
    if (since && c.parents.some((p) => !states.has(p))) throw new CheckpointUnusable(`commit ${c.id.slice(0, 12)} starts from a commit below the checkpoint's tips`);
    if (since && c.changes.some((ch) => isGovernancePath(ch.path))) throw new CheckpointUnusable(`commit ${c.id.slice(0, 12)} changes the governed roster or policy`);
    const before = GovernanceRules.before(c.parents.map((p) => states.get(p)), none);
    const after: State = { ...before };
    states.set(c.id, after);
    if (c.parents.length > 1) continue;
    const check = checks.get(c.id)!;
    for (const ch of c.changes) {
      const rec = parseRecordPath(ch.path);
      if (rec && ch.status === 'A') {
        const record = byPath.get(ch.path);
        if (!record) continue; // not at the head: verify.ts names it
        pending.push({ c, path: ch.path, record, before, check });
        if (check.status === 'valid') after.signedSeen = true;
        continue;
      }
      problems.push(...(await rules.apply(c.id, ch, before, after, check, order, onOrganisation.has(c.id))));
    }
  }
  // Reviews last: a review is judged against the keys its session's operator signed with.
  pending.sort((a, b) => Number(a.record.type === 'reviewed') - Number(b.record.type === 'reviewed'));
  for (const p of pending) {
    const roster = await rosterFor(p, onOrganisation.has(p.c.id));
    const judged = judgeRecordSignature(roster, p.record, p.path, p.c.id, p.check, operatorOf.get(p.record.sessionId) ?? null, operatorKeys);
    records.push(judged);
    summary[judged.status] += 1;
    if (judged.status === 'invalid') problems.push(problemAt(p.c.id, p.path, `${(judged.message ?? '').replace(/\.$/, '')} (${judged.fingerprint ? `key ${judged.fingerprint}` : 'unsigned'}, commit ${p.c.id.slice(0, 12)}).`));
  }
  summary.anchor = rules.anchor;
  summary.roster = summary.anchor !== null;
  if (options.anchor !== undefined && summary.anchor !== options.anchor) {
    problems.push({ sessionId: null, seq: null, path: 'roster.yaml', commit: summary.anchor, message: summary.anchor === null ? `The trust anchor ${options.anchor} was given, but this history has no roster.` : `The roster's trust anchor is commit ${summary.anchor}, not the pinned ${options.anchor}: the history was rebuilt from another roster.` });
  }
  const resume: ResumeState = {
    anchor: rules.anchor, adopted: [...rules.adopted], order, operatorKeys: Object.fromEntries(operatorKeys),
    states: Object.fromEntries(tips.flatMap((t) => { const st = states.get(t.commit); return st ? [[t.commit, st]] : []; })),
  };
  return { summary, problems, resume };
}

/**
 * One record commit's signature judged against `roster` (null: no roster, claimed): the person
 * the record names, the role its type needs, the key's window, and for a review the session's
 * operator and the keys their records were signed with (`operatorKeys`, which this extends).
 */
export function judgeRecordSignature(roster: Roster | null, record: EvidenceRecord, path: string, commit: string, check: CommitSignatureCheck, operator: EvidenceRecord['actor'] | null, operatorKeys: Map<string, string[]>): RecordSignature {
  const fp = check.status === 'valid' ? check.key.fingerprint : null;
  if (!roster) return { path, commit, status: 'claimed', signer: null, fingerprint: fp, message: 'Unsigned: the repository had no roster (claimed, not proven).' };
  if (check.status === 'invalid') {
    return { path, commit, status: 'invalid', signer: null, fingerprint: check.key?.fingerprint ?? null, message: `The ${record.type} record's commit carries a signature that does not verify (${check.reason}${check.key ? `, key ${check.key.fingerprint}` : ''}).` };
  }
  const answer = authorizeRecordSigner(roster, {
    record: { type: record.type, sessionId: record.sessionId, actor: record.actor, host: record.host },
    fingerprint: fp, atMs: (check.committerSeconds ?? 0) * 1000,
    ...(record.type === 'reviewed' ? { operator: { person: operator ?? record.actor, fingerprints: operatorKeys.get(record.sessionId) ?? [] } } : {}),
  });
  if (!answer.ok) return { path, commit, status: 'invalid', signer: null, fingerprint: answer.finding.fingerprint, message: answer.finding.message };
  const holder = answer.signer.holder;
  if (holder.kind === 'person' && signerRuleFor(record) === 'operator') operatorKeys.set(record.sessionId, [...(operatorKeys.get(record.sessionId) ?? []), answer.signer.fingerprint]);
  return {
    path, commit, status: 'proven', fingerprint: answer.signer.fingerprint,
    signer: holder.kind === 'person' ? { kind: 'person', id: holder.person.id, name: holder.person.name } : { kind: 'host', id: holder.host.id, name: `host ${holder.host.id}` },
  };
}
