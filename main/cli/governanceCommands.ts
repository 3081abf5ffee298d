import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Command } from 'commander';
import { BreakGlassError } from '../../app/errors';
import { allowedSignersFor } from '../../app/roster/allowedSigners';
import type { GovernedFile } from '../../app/roster/governance';
import { RosterSchema, ROSTER_ROLES, type Roster } from '../../app/roster/schema';
import { parseOrThrow } from '../../app/zodIssues';
import { approveChange, createRoster, listProposals, proposeChange, rosterAnchor, type ProposalStatus } from '../evidence/governance';
import { ensureHostKey } from '../signing/hostKey';
import { openApplication, type CommandGroup } from './commandGroup';
import { out } from './output';

/**
 * `breakglass roster …` and `breakglass policy …` (issue 15): create the roster, show it and its
 * allowed_signers, propose and approve changes. Every change is signed by a roster admin's key
 * from the ssh-agent (`--key FINGERPRINT` picks one) and takes effect only once enough distinct
 * admins approved (the policy's governanceApprovals, default 2).
 */

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

const keyOption = (c: Command) => c.option('--key <fingerprint>', 'which ssh-agent key signs (SHA256:…), when it holds several');

/** The roster and policy governance commands. */
export const registerGovernanceCommands: CommandGroup = (program, { g, action }) => {
  const roster = program.command('roster').description('who may act, in which role, with which SSH keys (issue 15)');

  keyOption(roster.command('init'))
    .description('create the roster: you become its first roster admin and operator, with your key from ssh-agent')
    .requiredOption('--id <id>', 'your roster id (lower-case, like ada-lovelace)')
    .requiredOption('--name <name>', 'your full name')
    .requiredOption('--email <email>', 'your e-mail address')
    .option('--account <name...>', 'the OS account names you log in with')
    .action(action(async (o: { id: string; name: string; email: string; account?: string[]; key?: string }) => {
      const { ctx } = await openApplication(g());
      // This host's key is registered with the roster it creates: expiry and lock recovery are signed by it.
      const hostKey = await ensureHostKey(ctx.store.gitDir, ctx.host.hostId);
      const r = await createRoster(ctx.store, { id: o.id, name: o.name, email: o.email, ...(o.account ? { accounts: o.account } : {}), ...(o.key ? { fingerprint: o.key } : {}), host: { id: ctx.host.hostId, publicKeyLine: hostKey.publicKey.line } });
      out(g(), `Roster created in commit ${r.commit} (the trust anchor: auditors pin it with breakglass verify --anchor ${r.commit}). Every record from now on is signed through your ssh-agent.`, { commit: r.commit, anchor: r.commit });
    }));

  roster.command('show')
    .description('print the roster in force, its trust anchor and pending changes')
    .option('--allowed-signers <file>', 'also write git\'s allowed_signers file for plain-git verification')
    .action(action(async (o: { allowedSigners?: string }) => {
      const { ctx } = await openApplication(g());
      const current = await ctx.store.roster();
      if (!current) {
        out(g(), 'No roster: records are unsigned (claimed, not proven). Create one with breakglass roster init --id ID --name NAME --email EMAIL (needs a key in ssh-agent: ssh-keygen -t ed25519-sk or -t ed25519, then ssh-add).', { roster: null, anchor: null, proposals: [] });
        return;
      }
      const anchor = await rosterAnchor(ctx.store);
      const proposals = await listProposals(ctx.store);
      if (o.allowedSigners) await writeFile(o.allowedSigners, allowedSignersFor(current));
      out(g(), [describeRoster(current, anchor), ...proposals.map(describeProposal), ...(o.allowedSigners ? [`allowed_signers written to ${o.allowedSigners}.`] : [])].join('\n'), { roster: current, anchor, proposals });
    }));

  roster.command('allowed-signers')
    .description('print git\'s allowed_signers for the roster in force (git -c gpg.ssh.allowedSignersFile=FILE verify-commit)')
    .action(action(async () => {
      const { ctx } = await openApplication(g());
      const current = await ctx.store.roster();
      if (!current) throw new BreakGlassError('refused', 'No roster: create one with breakglass roster init.');
      process.stdout.write(allowedSignersFor(current));
    }));

  keyOption(roster.command('add'))
    .description('propose adding a person (a second roster admin approves)')
    .requiredOption('--id <id>', 'roster id')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--email <email>', 'e-mail address')
    .requiredOption('--roles <roles>', `comma-separated: ${ROSTER_ROLES.join(', ')}`)
    .requiredOption('--public-key <line>', 'their SSH public key line (ssh-ed25519 …, sk-ssh-ed25519@openssh.com …)')
    .option('--account <name...>', 'their OS account names')
    .action(action(async (o: { id: string; name: string; email: string; roles: string; publicKey: string; account?: string[]; key?: string }) => {
      const { ctx } = await openApplication(g());
      const current = await ctx.store.roster();
      if (!current) throw new BreakGlassError('refused', 'No roster: create one with breakglass roster init.');
      const person = { id: o.id, name: o.name, email: o.email, roles: o.roles.split(',').map((r) => r.trim()), ...(o.account ? { accounts: o.account } : {}), keys: [{ key: o.publicKey }] };
      await proposeAndPrint(ctx.store, 'roster.yaml', rosterText({ ...current, people: [...current.people, person] } as Roster), o.key, g);
    }));

  keyOption(roster.command('add-host'))
    .description('propose registering this host\'s signing key (it signs lock recovery, policy adoption and expiry)')
    .action(action(async (o: { key?: string }) => {
      const { ctx } = await openApplication(g());
      const current = await ctx.store.roster();
      if (!current) throw new BreakGlassError('refused', 'No roster: create one with breakglass roster init.');
      const hostKey = await ensureHostKey(ctx.store.gitDir, ctx.host.hostId);
      const hosts = [...current.hosts.filter((h) => h.id !== ctx.host.hostId), { id: ctx.host.hostId, keys: [{ key: hostKey.publicKey.line }] }];
      await proposeAndPrint(ctx.store, 'roster.yaml', rosterText({ ...current, hosts }), o.key, g);
    }));

  for (const [group, file] of [[roster, 'roster.yaml'], [program.command('policy').description('the policy in force and governed changes of it (issue 15)'), 'policy.yaml']] as const) {
    keyOption(group.command('propose'))
      .description(`propose a new ${file} (the whole file); it takes effect once enough roster admins approve`)
      .requiredOption('--file <file>', `the proposed ${file}`)
      .action(action(async (o: { file: string; key?: string }) => {
        const { ctx } = await openApplication(g());
        await proposeAndPrint(ctx.store, file, await readFile(o.file, 'utf8'), o.key, g);
      }));
    keyOption(group.command('approve'))
      .description(`approve a pending change of ${file} as another roster admin`)
      .argument('<proposal>', 'the proposal id (gov-…)')
      .action(action(async (id: string, o: { key?: string }) => {
        const { ctx } = await openApplication(g());
        const p = await approveChange(ctx.store, id, o.key ? { fingerprint: o.key } : {});
        out(g(), describeProposal(p), p);
      }));
  }
};

function rosterText(r: Roster): string {
  const valid = parseOrThrow(RosterSchema, r, 'roster');
  return stringify(valid);
}

async function proposeAndPrint(store: Parameters<typeof proposeChange>[0], file: GovernedFile, text: string, key: string | undefined, g: () => { json?: boolean }): Promise<void> {
  const p = await proposeChange(store, file, text, key ? { fingerprint: key } : {});
  out(g(), describeProposal(p), p);
}
