import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { BreakGlassError } from '../../app/errors';
import { allowedSignersFor } from '../../app/roster/allowedSigners';
import type { GovernedFile } from '../../app/roster/governance';
import { RosterSchema, type Roster } from '../../app/roster/schema';
import { parseOrThrow } from '../../app/zodIssues';
import { approveChange, createRoster, listProposals, proposeChange, rosterAnchor, type ProposalStatus } from '../evidence/governance';
import { ensureHostKey } from '../signing/hostKey';
import { openApplication } from './openApplication';
import { out, type GlobalOptions } from './output';

/** What `roster …` and `policy …` do (registered in governanceCommands.ts, imported when one runs). */

function describeProposal(p: ProposalStatus): string {
  return p.adoptedIn
    ? `${p.id} (${p.file}): adopted in commit ${p.adoptedIn.slice(0, 12)}, approved by ${p.approvers.join(', ')}.`
    : `${p.id} (${p.file}): PENDING, ${p.approvers.length} of ${p.required} roster admin approval(s) (${p.approvers.join(', ')}); nothing in it is in force. Another admin runs: breakglass ${p.file === 'roster.yaml' ? 'roster' : 'policy'} approve ${p.id}`;
}

function describeRoster(roster: Roster, anchor: string | null): string {
  const lines = [`Roster (trust anchor: commit ${anchor ?? 'none'}):`];
  for (const p of roster.people) {
    lines.push(`  ${p.id}: ${p.name} <${p.email}> — ${p.roles.join(', ')}${p.accounts ? `; accounts ${p.accounts.join(', ')}` : ''}`);
    for (const k of p.keys) lines.push(`    key ${keyWords(k)}`);
  }
  for (const h of roster.hosts) for (const k of h.keys) lines.push(`  host ${h.id}: key ${keyWords(k)}`);
  return lines.join('\n');
}

function keyWords(k: Roster['people'][number]['keys'][number]): string {
  const parts = k.key.trim().split(/\s+/);
  return `${parts[0]}${k.validAfter ? ` from ${k.validAfter}` : ''}${k.validBefore ? ` until ${k.validBefore}` : ''}${k.revoked ? ` REVOKED at ${k.revoked.at}` : ''}`;
}

/** `roster init`: creates the roster; its first admin and operator is the caller, with their ssh-agent key. */
export async function rosterInit(opts: GlobalOptions, o: { id: string; name: string; email: string; account?: string[]; key?: string }): Promise<void> {
  const { ctx } = await openApplication(opts);
  // This host's key is registered with the roster it creates: expiry and lock recovery are signed by it.
  const hostKey = await ensureHostKey(ctx.store.gitDir, ctx.host.hostId);
  const r = await createRoster(ctx.store, { id: o.id, name: o.name, email: o.email, ...(o.account ? { accounts: o.account } : {}), ...(o.key ? { fingerprint: o.key } : {}), host: { id: ctx.host.hostId, publicKeyLine: hostKey.publicKey.line } });
  out(opts, `Roster created in commit ${r.commit} (the trust anchor: auditors pin it with breakglass verify --anchor ${r.commit}). Every record from now on is signed through your ssh-agent.`, { commit: r.commit, anchor: r.commit });
}

/** `roster show`: the roster in force, its trust anchor and pending changes. */
export async function rosterShow(opts: GlobalOptions, o: { allowedSigners?: string }): Promise<void> {
  const { ctx } = await openApplication(opts);
  const current = await ctx.store.roster();
  if (!current) {
    out(opts, 'No roster: records are unsigned (claimed, not proven). Create one with breakglass roster init --id ID --name NAME --email EMAIL (needs a key in ssh-agent: ssh-keygen -t ed25519-sk or -t ed25519, then ssh-add).', { roster: null, anchor: null, proposals: [] });
    return;
  }
  const anchor = await rosterAnchor(ctx.store);
  const proposals = await listProposals(ctx.store);
  if (o.allowedSigners) await writeFile(o.allowedSigners, allowedSignersFor(current));
  out(opts, [describeRoster(current, anchor), ...proposals.map(describeProposal), ...(o.allowedSigners ? [`allowed_signers written to ${o.allowedSigners}.`] : [])].join('\n'), { roster: current, anchor, proposals });
}

/** `roster allowed-signers`: git's allowed_signers for the roster in force. */
export async function rosterAllowedSigners(opts: GlobalOptions): Promise<void> {
  const { ctx } = await openApplication(opts);
  const current = await ctx.store.roster();
  if (!current) throw new BreakGlassError('refused', 'No roster: create one with breakglass roster init.');
  process.stdout.write(allowedSignersFor(current));
}

/** `roster add`: proposes adding a person. */
export async function rosterAdd(opts: GlobalOptions, o: { id: string; name: string; email: string; roles: string; publicKey: string; account?: string[]; key?: string }): Promise<void> {
  const { ctx } = await openApplication(opts);
  const current = await ctx.store.roster();
  if (!current) throw new BreakGlassError('refused', 'No roster: create one with breakglass roster init.');
  const person = { id: o.id, name: o.name, email: o.email, roles: o.roles.split(',').map((r) => r.trim()), ...(o.account ? { accounts: o.account } : {}), keys: [{ key: o.publicKey }] };
  await proposeAndPrint(opts, ctx.store, 'roster.yaml', rosterText({ ...current, people: [...current.people, person] } as Roster), o.key);
}

/** `roster add-host`: proposes registering this host's signing key. */
export async function rosterAddHost(opts: GlobalOptions, o: { key?: string }): Promise<void> {
  const { ctx } = await openApplication(opts);
  const current = await ctx.store.roster();
  if (!current) throw new BreakGlassError('refused', 'No roster: create one with breakglass roster init.');
  const hostKey = await ensureHostKey(ctx.store.gitDir, ctx.host.hostId);
  const hosts = [...current.hosts.filter((h) => h.id !== ctx.host.hostId), { id: ctx.host.hostId, keys: [{ key: hostKey.publicKey.line }] }];
  await proposeAndPrint(opts, ctx.store, 'roster.yaml', rosterText({ ...current, hosts }), o.key);
}

/** `roster propose` / `policy propose`: a new version of the whole file. */
export async function propose(opts: GlobalOptions, file: GovernedFile, o: { file: string; key?: string }): Promise<void> {
  const { ctx } = await openApplication(opts);
  await proposeAndPrint(opts, ctx.store, file, await readFile(o.file, 'utf8'), o.key);
}

/** `roster approve` / `policy approve`: another admin's approval of a pending change. */
export async function approve(opts: GlobalOptions, id: string, o: { key?: string }): Promise<void> {
  const { ctx } = await openApplication(opts);
  const p = await approveChange(ctx.store, id, o.key ? { fingerprint: o.key } : {});
  out(opts, describeProposal(p), p);
}

function rosterText(r: Roster): string {
  const valid = parseOrThrow(RosterSchema, r, 'roster');
  return stringify(valid);
}

async function proposeAndPrint(opts: GlobalOptions, store: Parameters<typeof proposeChange>[0], file: GovernedFile, text: string, key: string | undefined): Promise<void> {
  const p = await proposeChange(store, file, text, key ? { fingerprint: key } : {});
  out(opts, describeProposal(p), p);
}
