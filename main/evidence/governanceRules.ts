import { sha256Hex } from '../../app/chain';
import type { IntegrityProblem } from '../../app/ledger';
import { parsePolicyYaml, type Policy } from '../../app/policy';
import { parseRecordPath } from '../../app/records';
import { ApprovalSchema, approvalsRequired, parseGovernancePath, type GovernedFile } from '../../app/roster/governance';
import { keyAt } from '../../app/roster/lookup';
import { parseRosterYaml, type Roster, type RosterPerson } from '../../app/roster/schema';
import type { CommitSignatureCheck } from '../signing/commitSignature';
import type { Git } from '../git';
import { readBlobs } from './blobs';

/**
 * The rules that decide which roster.yaml and policy.yaml are in force (issue 15, "Policy and
 * roster changes are governed"), walked commit by commit. `verify` runs them over every commit of
 * every ref (verifySignatures.ts); the console and the CLI run them over the organisation branch's
 * governance commits only (governedState.ts), so what the app enforces is what verify adopts: a
 * change committed without enough approvals is in the tip's tree but not in force anywhere.
 *
 * A change counts only when adopted from a proposal approved by enough distinct roster admins in
 * force at the commit's parent; anything else is a finding and the change is not in force. The
 * first roster is the trust anchor (trusted on first use, or pinned by the auditor). Before it,
 * policy changes are not governed.
 */

/** One path changed by a commit (`git log --raw`). */
export interface Change { status: string; path: string; blob: string }
/** One commit of `git log --raw --format=%x01%H%x02%P`. */
export interface LoggedCommit { id: string; parents: string[]; changes: Change[] }

/** The governed files in force after a commit (blob ids; null: none). */
export interface GovernanceState {
  roster: string | null;
  policy: string | null;
  /** Order of the last adoption (a merge takes the parent that adopted last). */
  changedAt: number;
}

/** Parses `git log --raw --format=%x01%H%x02%P` output. */
export function parseRawLog(text: string): LoggedCommit[] {
  const commits: LoggedCommit[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('\x01')) {
      const [id, parents] = line.slice(1).split('\x02');
      commits.push({ id: id!, parents: (parents ?? '').split(' ').filter(Boolean), changes: [] });
      continue;
    }
    const m = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) ([A-Z])\d*\t(.+)$/.exec(line);
    if (m && commits.length) commits[commits.length - 1]!.changes.push({ blob: m[1]!, status: m[2]!, path: m[3]! });
  }
  return commits;
}

/** The paths the governance walk reads: the governed files and everything under governance/. */
export const GOVERNANCE_PATHSPEC = ['roster.yaml', 'policy.yaml', 'governance/'] as const;

export const isGovernancePath = (p: string): boolean => p === 'roster.yaml' || p === 'policy.yaml' || p.startsWith('governance/');

/** A finding at a commit and path. */
export function problemAt(commit: string, path: string | null, message: string): IntegrityProblem {
  const rec = path ? parseRecordPath(path) : null;
  return { sessionId: rec?.sessionId ?? null, seq: rec?.seq ?? null, path, commit, message };
}

/** How a commit's signature reads in a finding. */
export function signatureWords(check: CommitSignatureCheck): string {
  if (check.status === 'invalid') return `a signature that does not verify (${check.reason}${check.key ? `, key ${check.key.fingerprint}` : ''})`;
  return check.status === 'unsigned' ? 'no signature' : `key ${check.key.fingerprint}`;
}

/** The governance walk's memory: parsed files, proposals and their approvals, adopted rosters. */
export class GovernanceRules {
  private readonly texts = new Map<string, string>();
  private readonly rosters = new Map<string, Roster | null>();
  /** Every proposal seen, by id: its file, the approving admins counted, and the commit that adopted it. */
  readonly proposals = new Map<string, { file: GovernedFile; blob: string; sha256: string; admins: Set<string>; adoptedIn: string | null }>();
  /** The rosters adopted on the organisation branch, in order (the anchor first). */
  readonly adopted: string[] = [];
  /** The policies adopted on the organisation branch, in order. */
  readonly adoptedPolicies: string[] = [];
  /** The commit that created the first roster (the trust anchor). */
  anchor: string | null = null;

  constructor(private readonly git: Git) {}

  /** Reads, in one `git cat-file --batch`, every governed file and governance file the commits change. */
  async prefetch(commits: readonly LoggedCommit[]): Promise<void> {
    const wanted = new Set<string>();
    for (const c of commits) {
      for (const ch of c.changes) if (ch.status !== 'D' && isGovernancePath(ch.path) && !this.texts.has(ch.blob)) wanted.add(ch.blob);
    }
    for (const [blob, text] of await readBlobs(this.git, [...wanted])) this.texts.set(blob, text);
  }

  async text(blob: string): Promise<string> {
    let text = this.texts.get(blob);
    if (text === undefined) {
      text = (await readBlobs(this.git, [blob])).get(blob) ?? '';
      this.texts.set(blob, text);
    }
    return text;
  }

  /** The roster at `blob` (null: none, or not a valid roster). */
  async rosterOf(blob: string | null): Promise<Roster | null> {
    if (blob === null) return null;
    if (!this.rosters.has(blob)) {
      const load = parseRosterYaml(await this.text(blob));
      this.rosters.set(blob, load.ok ? load.roster : null);
    }
    return this.rosters.get(blob)!;
  }

  async policyOf(blob: string | null): Promise<Policy | null> {
    if (blob === null) return null;
    const load = parsePolicyYaml(await this.text(blob));
    return load.ok ? load.policy : null;
  }

  /** The state before a commit: its parents' (a merge takes the parent that adopted last). */
  static before<S extends GovernanceState>(parents: ReadonlyArray<S | undefined>, none: S): S {
    const known = parents.filter((s): s is S => s !== undefined);
    return known.sort((a, b) => b.changedAt - a.changedAt)[0] ?? none;
  }

  /**
   * Applies one non-record change of commit `commitId` (signed as `check`) to `after`, the state
   * the commit leaves, judged against `before`; `order` is the commit's place in the walk and
   * `organisation` whether it is on the organisation branch. Returns the findings.
   */
  async apply(commitId: string, ch: Change, before: GovernanceState, after: GovernanceState, check: CommitSignatureCheck, order: number, organisation: boolean): Promise<IntegrityProblem[]> {
    const roster = await this.rosterOf(before.roster);
    const fp = check.status === 'valid' ? check.key.fingerprint : null;
    const atMs = (check.committerSeconds ?? 0) * 1000;
    const short = commitId.slice(0, 12);
    const admin = (): RosterPerson | null => {
      const k = roster && fp ? keyAt(roster, fp, atMs) : null;
      return k?.status === 'valid' && k.holder.kind === 'person' && k.holder.person.roles.includes('roster-admin') ? k.holder.person : null;
    };
    const gov = parseGovernancePath(ch.path);
    if (gov && ch.status === 'A') {
      const signer = admin();
      if (!signer) return [problemAt(commitId, ch.path, `A governance file is committed with ${signatureWords(check)}, not by a roster admin in force (commit ${short}).`)];
      if (gov.kind === 'proposal') {
        this.proposals.set(gov.id, { file: gov.file, blob: ch.blob, sha256: sha256Hex(await this.text(ch.blob)), admins: new Set(), adoptedIn: null });
        return [];
      }
      const parsed = ApprovalSchema.safeParse(safeJson(await this.text(ch.blob)));
      const proposal = this.proposals.get(gov.id);
      if (!parsed.success || !proposal || parsed.data.proposal !== gov.id || parsed.data.proposedSha256 !== proposal.sha256 || parsed.data.approver !== signer.id || gov.personId !== signer.id) {
        return [problemAt(commitId, ch.path, `An approval that does not match its proposal or its signer ${signer.id} (commit ${short}): not counted.`)];
      }
      proposal.admins.add(signer.id);
      return [];
    }
    if (ch.path !== 'roster.yaml' && ch.path !== 'policy.yaml') return [];
    if (ch.path === 'roster.yaml' && !roster) {
      // The first roster: the trust anchor (trusted on first use, or pinned by the auditor).
      const created = await this.rosterOf(ch.status === 'D' ? null : ch.blob);
      this.anchor ??= commitId;
      const k = created && fp ? keyAt(created, fp, atMs) : null;
      after.roster = created ? ch.blob : null;
      after.changedAt = order;
      if (created && organisation) this.adopted.push(ch.blob);
      if (!created) return [problemAt(commitId, 'roster.yaml', `The roster created by commit ${short} is not a valid roster.`)];
      if (!(k?.status === 'valid' && k.holder.kind === 'person' && k.holder.person.roles.includes('roster-admin'))) return [problemAt(commitId, 'roster.yaml', `The roster created by commit ${short} is signed with ${signatureWords(check)}, not by one of its own roster admins.`)];
      return [];
    }
    if (!roster) {
      // No roster yet: policy changes are not governed.
      if (ch.path === 'policy.yaml') {
        after.policy = ch.status === 'D' ? null : ch.blob;
        if (organisation && after.policy) this.adoptedPolicies.push(after.policy);
      }
      return [];
    }
    const file = ch.path as GovernedFile;
    const required = approvalsRequired(roster, await this.policyOf(before.policy));
    const signer = admin();
    const proposal = [...this.proposals.values()].find((p) => p.file === file && p.blob === ch.blob);
    if (ch.status === 'D' || !signer || !proposal || proposal.admins.size < required) {
      const why = ch.status === 'D' ? 'removed' : !signer ? `changed with ${signatureWords(check)}, not by a roster admin` : !proposal ? 'changed without a proposal' : `changed with ${proposal.admins.size} of the ${required} roster admin approvals required`;
      return [problemAt(commitId, file, `${file} ${why} (commit ${short}): the change is not in force.`)];
    }
    proposal.adoptedIn ??= commitId;
    if (file === 'roster.yaml') {
      after.roster = ch.blob;
      if (organisation) this.adopted.push(ch.blob);
    } else {
      after.policy = ch.blob;
      if (organisation) this.adoptedPolicies.push(ch.blob);
    }
    after.changedAt = order;
    return [];
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
