import { sha256Hex } from '../../app/chain';
import { BreakGlassError } from '../../app/errors';
import { parsePolicyYaml, formatPolicyProblems, type Policy } from '../../app/policy';
import { adoptionMessage, approvalPath, approvalsRequired, ApprovalSchema, newProposalId, ProposalIdSchema, proposalPath, type GovernedFile } from '../../app/roster/governance';
import { formatRosterProblems, parseRosterYaml, RosterSchema, type Roster, type RosterPerson } from '../../app/roster/schema';
import { parseOrThrow } from '../../app/zodIssues';
import { stringify } from 'yaml';
import { agentSigner } from '../signing/signer';
import type { GitEvidenceStore } from './store';

/**
 * Roster and policy governance on the evidence repository (issue 15): create the first roster
 * (trusted on first use: its commit is the trust anchor), propose a change, approve it, list what
 * is pending. Every commit is signed by a roster admin's key through the ssh-agent; a change
 * takes effect only in the commit that adopts it, once enough distinct admins approved.
 */

/** What the roster commands work on. */
export type GovernedStore = Pick<GitEvidenceStore, 'git' | 'branch' | 'read' | 'roster' | 'signing' | 'commitGovernance'>;

/** The new roster's first person: its first roster admin and operator. */
export interface FirstAdmin {
  id: string;
  name: string;
  email: string;
  accounts?: string[];
  /** Which agent key (SHA256:…) when the agent holds several. */
  fingerprint?: string;
  /** This host, whose key (created on first use) the roster registers for host-level and automatic records. */
  host?: { id: string; publicKeyLine: string };
}

/** A pending or adopted change as the console and `roster show` list it. */
export interface ProposalStatus {
  id: string;
  file: GovernedFile;
  approvers: string[];
  required: number;
  adoptedIn: string | null;
}

async function fileAtHead(store: GovernedStore, p: string): Promise<string | null> {
  const r = await store.git.run('read-governed-file', ['cat-file', 'blob', `refs/heads/${store.branch}:${p}`], { ok: [0, 128] });
  return r.exitCode === 0 ? r.stdout.toString('utf8') : null;
}

/** The commit that created the first roster: the trust anchor (trust on first use, issue 15), or null. */
export async function rosterAnchor(store: Pick<GitEvidenceStore, 'governance'>): Promise<string | null> {
  return (await store.governance()).governed?.anchor ?? null;
}

/** Creates roster.yaml in a repository that has none, signed by the first admin's key from the ssh-agent. */
export async function createRoster(store: GovernedStore, admin: FirstAdmin): Promise<{ commit: string; roster: Roster }> {
  if (await store.roster()) throw new BreakGlassError('refused', 'This repository already has a roster: change it with breakglass roster propose (a second admin approves).');
  // Asked afresh: the key was just added (or removed) with ssh-add, and this is a one-off.
  const keys = await store.signing.keysInAgent({ fresh: true });
  const chosen = admin.fingerprint ? keys.filter((k) => k.fingerprint === admin.fingerprint) : keys;
  if (chosen.length === 0) {
    throw new BreakGlassError('refused', admin.fingerprint
      ? `The ssh-agent does not hold key ${admin.fingerprint}. Add it with ssh-add.`
      : 'The ssh-agent holds no ed25519, ECDSA or security key. Create one (ssh-keygen -t ed25519-sk, or ssh-keygen -t ed25519) and add it with ssh-add.');
  }
  if (chosen.length > 1) throw new BreakGlassError('invalid-input', `The ssh-agent holds several keys: name one with --key (${chosen.map((k) => k.fingerprint).join(', ')}).`, { field: 'key' });
  const key = chosen[0]!;
  const person: RosterPerson = parseOrThrow(RosterSchema, {
    version: 1,
    people: [{ id: admin.id, name: admin.name, email: admin.email, roles: ['operator', 'roster-admin'], ...(admin.accounts?.length ? { accounts: admin.accounts } : {}), keys: [{ key: key.line }] }],
  }, 'roster').people[0]!;
  const hosts = admin.host ? [{ id: admin.host.id, keys: [{ key: admin.host.publicKeyLine }] }] : [];
  const text = `# The roster (issue 15): who may act, in which role, with which SSH keys. Change it only with\n# breakglass roster propose / approve; see README "Signed evidence".\n${stringify({ version: 1, people: [person], hosts })}`;
  const roster = mustParse('roster.yaml', text) as Roster;
  const signer = agentSigner(key, { agentSocket: store.signing.agentSocket });
  const commit = await store.commitGovernance({ path: 'roster.yaml', content: text, message: 'breakglass: create the roster (trust anchor)\n', who: person }, signer);
  return { commit, roster };
}

function mustParse(file: GovernedFile, text: string): Roster | Policy {
  if (file === 'roster.yaml') {
    const load = parseRosterYaml(text);
    if (!load.ok) throw new BreakGlassError('invalid-input', `The proposed roster is invalid:\n${formatRosterProblems(load.problems)}`);
    return load.roster;
  }
  const load = parsePolicyYaml(text, 'policy.yaml');
  if (!load.ok) throw new BreakGlassError('invalid-input', `The proposed policy is invalid:\n${formatPolicyProblems(load.problems)}`);
  return load.policy;
}

async function requireRoster(store: GovernedStore): Promise<Roster> {
  const roster = await store.roster();
  if (!roster) throw new BreakGlassError('refused', 'This repository has no roster yet: create one with breakglass roster init.');
  return roster;
}

/** Proposes the whole new text of `file`, signed by a roster admin (who counts as its first approval). */
export async function proposeChange(store: GovernedStore, file: GovernedFile, text: string, options: { fingerprint?: string; nowMs?: number } = {}): Promise<ProposalStatus> {
  mustParse(file, text);
  const roster = await requireRoster(store);
  const now = options.nowMs ?? Date.now();
  const { person, signer } = await store.signing.adminSigner(roster, now, options.fingerprint);
  if ((await fileAtHead(store, file)) === text) throw new BreakGlassError('refused', `The proposed ${file} is the one in force: nothing to change.`);
  const id = newProposalId(now);
  await store.commitGovernance({ path: proposalPath(id, file), content: text, message: `breakglass: propose a change of ${file} (${id})\n`, who: person }, signer);
  return approveWith(store, id, roster, person, signer);
}

/** Approves a pending proposal as another roster admin; the approval that reaches the number required also adopts the change. */
export async function approveChange(store: GovernedStore, id: string, options: { fingerprint?: string; nowMs?: number } = {}): Promise<ProposalStatus> {
  parseOrThrow(ProposalIdSchema, id, 'proposal id');
  const roster = await requireRoster(store);
  const { person, signer } = await store.signing.adminSigner(roster, options.nowMs ?? Date.now(), options.fingerprint);
  return approveWith(store, id, roster, person, signer);
}

async function approveWith(store: GovernedStore, id: string, roster: Roster, person: RosterPerson, signer: Parameters<GovernedStore['commitGovernance']>[1]): Promise<ProposalStatus> {
  const status = await proposalStatus(store, id, roster);
  if (status.adoptedIn) throw new BreakGlassError('refused', `Proposal ${id} was adopted already (commit ${status.adoptedIn.slice(0, 12)}).`);
  if (status.approvers.includes(person.id)) throw new BreakGlassError('refused', `${person.name} (${person.id}) has approved proposal ${id} already: another roster admin must approve it.`);
  const text = (await fileAtHead(store, proposalPath(id, status.file)))!;
  const approval = parseOrThrow(ApprovalSchema, { proposal: id, file: status.file, proposedSha256: sha256Hex(text), approver: person.id }, 'approval');
  await store.commitGovernance({ path: approvalPath(id, person.id), content: `${JSON.stringify(approval, null, 2)}\n`, message: `breakglass: ${person.id} approves ${id}\n`, who: person }, signer);
  const approvers = [...status.approvers, person.id];
  let adoptedIn: string | null = null;
  if (approvers.length >= status.required) {
    adoptedIn = await store.commitGovernance({ path: status.file, content: text, message: adoptionMessage(status.file, id), who: person, replace: status.file }, signer);
  }
  return { ...status, approvers, adoptedIn };
}

/** A proposal's file, approvers (from the approval files at the head), the number required and the adopting commit. */
export async function proposalStatus(store: GovernedStore, id: string, roster: Roster): Promise<ProposalStatus> {
  const listing = await store.git.text('list-proposal', ['ls-tree', '--name-only', `refs/heads/${store.branch}`, `governance/${id}/`]);
  const names = listing.split('\n').filter(Boolean).map((p) => p.slice(`governance/${id}/`.length));
  const file = names.find((n): n is GovernedFile => n === 'roster.yaml' || n === 'policy.yaml');
  if (!file) throw new BreakGlassError('invalid-input', `No proposal ${id} in this repository. List them with breakglass roster show.`);
  const approvers = names.flatMap((n) => /^approval-(.+)\.json$/.exec(n)?.[1] ?? []);
  const view = await store.read();
  const adopted = await store.git.text('proposal-adopted', ['log', '-1', '--format=%H', '--fixed-strings', `--grep=Breakglass-Proposal: ${id}`, `refs/heads/${store.branch}`, '--', file]);
  return { id, file, approvers, required: approvalsRequired(roster, view.policy.ok ? view.policy.policy : null), adoptedIn: adopted || null };
}

/** Every proposal in the repository with its state (pending ones first). */
export async function listProposals(store: GovernedStore): Promise<ProposalStatus[]> {
  const roster = await store.roster();
  if (!roster) return [];
  const listing = await store.git.text('list-proposals', ['ls-tree', '-d', '--name-only', `refs/heads/${store.branch}`, 'governance/']);
  const ids = listing.split('\n').filter(Boolean).map((p) => p.slice('governance/'.length)).filter((p) => ProposalIdSchema.safeParse(p).success);
  const all = await Promise.all(ids.map((id) => proposalStatus(store, id, roster)));
  return all.sort((a, b) => Number(a.adoptedIn !== null) - Number(b.adoptedIn !== null) || a.id.localeCompare(b.id));
}
