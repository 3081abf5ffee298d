import type { Roster, RosterKey } from './schema';
import { parseSshPublicKey } from './sshKey';

/**
 * git's `allowed_signers` file from the roster (issue 15), so an auditor checks any evidence
 * commit with plain git and OpenSSH:
 *   git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit <commit>
 * Format: ssh-keygen(1) "ALLOWED SIGNERS". git passes the committer time as `-Overify-time`, so
 * `valid-after`/`valid-before` judge each commit at its own time, as keyAt() does.
 */

/** The principal a host key is listed under (people are listed under their e-mail address). */
export function hostPrincipal(hostId: string): string {
  return `host:${hostId}`;
}

/** `2026-01-01T00:00:00Z` → `20260101000000Z`, the UTC form OpenSSH's parse_absolute_time reads. */
export function toOpenSshTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
}

/** The options of one key line, or null when the window is empty (revoked before it began): such a key is left out. */
function optionsFor(key: RosterKey): string | null {
  const opts = ['namespaces="git"'];
  const after = key.validAfter ? Math.floor(Date.parse(key.validAfter) / 1000) : null;
  let before = key.validBefore ? Math.floor(Date.parse(key.validBefore) / 1000) : null;
  // valid-before includes its second; a revocation refuses its own second on (lookup.ts statusAt).
  if (key.revoked) {
    const last = Math.floor(Date.parse(key.revoked.at) / 1000) - 1;
    before = before === null ? last : Math.min(before, last);
  }
  // OpenSSH refuses a line whose valid-before is not after its valid-after.
  if (after !== null && before !== null && before <= after) return null;
  if (before !== null && before < 1) return null;
  if (after !== null) opts.push(`valid-after="${toOpenSshTime(after)}"`);
  if (before !== null) opts.push(`valid-before="${toOpenSshTime(before)}"`);
  return opts.join(',');
}

/** The allowed_signers text for every key in the roster; comment lines name each holder, key comments are never copied. */
export function allowedSignersFor(roster: Roster): string {
  const lines = [
    '# allowed_signers generated from roster.yaml by the Break-Glass Console (issue 15).',
    '# git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=<this file> verify-commit <commit>',
  ];
  const emit = (principal: string, key: RosterKey) => {
    const options = optionsFor(key);
    const line = parseSshPublicKey(key.key).line;
    if (options === null) lines.push(`# (left out: revoked before its window began) ${line}`);
    else lines.push(`${principal} ${options} ${line}`);
  };
  for (const person of roster.people) {
    lines.push(`# ${person.name} (${person.id}): ${person.roles.join(', ')}`);
    for (const key of person.keys) emit(person.email, key);
  }
  for (const host of roster.hosts) {
    lines.push(`# host ${host.id}`);
    for (const key of host.keys) emit(hostPrincipal(host.id), key);
  }
  return `${lines.join('\n')}\n`;
}
