import type { Command } from 'commander';
import { ROSTER_ROLES } from '../../app/roster/roles';
import type { CommandGroup } from './commandGroup';

/** The implementation, imported when one of these commands runs (issue 18). */
const actions = () => import('./governanceActions');

/**
 * `breakglass roster …` and `breakglass policy …` (issue 15): create the roster, show it and its
 * allowed_signers, propose and approve changes. Every change is signed by a roster admin's key
 * from the ssh-agent (`--key FINGERPRINT` picks one) and takes effect only once enough distinct
 * admins approved (the policy's governanceApprovals, default 2).
 */

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
    .action(action(async (o: { id: string; name: string; email: string; account?: string[]; key?: string }) => (await actions()).rosterInit(g(), o)));

  roster.command('show')
    .description('print the roster in force, its trust anchor and pending changes')
    .option('--allowed-signers <file>', 'also write git\'s allowed_signers file for plain-git verification')
    .action(action(async (o: { allowedSigners?: string }) => (await actions()).rosterShow(g(), o)));

  roster.command('allowed-signers')
    .description('print git\'s allowed_signers for the roster in force (git -c gpg.ssh.allowedSignersFile=FILE verify-commit)')
    .action(action(async () => (await actions()).rosterAllowedSigners(g())));

  keyOption(roster.command('add'))
    .description('propose adding a person (a second roster admin approves)')
    .requiredOption('--id <id>', 'roster id')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--email <email>', 'e-mail address')
    .requiredOption('--roles <roles>', `comma-separated: ${ROSTER_ROLES.join(', ')}`)
    .requiredOption('--public-key <line>', 'their SSH public key line (ssh-ed25519 …, sk-ssh-ed25519@openssh.com …)')
    .option('--account <name...>', 'their OS account names')
    .action(action(async (o: { id: string; name: string; email: string; roles: string; publicKey: string; account?: string[]; key?: string }) => (await actions()).rosterAdd(g(), o)));

  keyOption(roster.command('add-host'))
    .description('propose registering this host\'s signing key (it signs lock recovery, policy adoption and expiry)')
    .action(action(async (o: { key?: string }) => (await actions()).rosterAddHost(g(), o)));

  for (const [group, file] of [[roster, 'roster.yaml'], [program.command('policy').description('the policy in force and governed changes of it (issue 15)'), 'policy.yaml']] as const) {
    keyOption(group.command('propose'))
      .description(`propose a new ${file} (the whole file); it takes effect once enough roster admins approve`)
      .requiredOption('--file <file>', `the proposed ${file}`)
      .action(action(async (o: { file: string; key?: string }) => (await actions()).propose(g(), file, o)));
    keyOption(group.command('approve'))
      .description(`approve a pending change of ${file} as another roster admin`)
      .argument('<proposal>', 'the proposal id (gov-…)')
      .action(action(async (id: string, o: { key?: string }) => (await actions()).approve(g(), id, o)));
  }
};
