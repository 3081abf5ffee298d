import { z } from 'zod';
import { PersonSchema, whyNotNamedHuman } from '../identity';
import { formatYamlProblems, parseYamlWithSchema, type YamlProblem } from '../yamlFile';
import { parseSshPublicKey, SshFormatError } from './sshKey';
import { ROSTER_ROLES, type RosterRole } from './roles';

/**
 * The roster (issue 15): who may act, in which role, with which SSH keys and when. It lives in
 * the evidence repository at {@link ROSTER_PATH}, so it travels, merges and is verified with the
 * evidence, and it generates git's own `allowed_signers` file (allowedSigners.ts) for auditors.
 */

/** Where the roster lives in the evidence repository (beside policy.yaml). */
export const ROSTER_PATH = 'roster.yaml';

// The roles (app/roster/roles.ts), here too for the roster's readers.
export { ROSTER_ROLES, type RosterRole };

/**
 * A UTC instant to the second (`2026-01-01T00:00:00Z`). Whole seconds because git stamps commits
 * in seconds and OpenSSH compares `valid-after`/`valid-before` in seconds: a finer bound could not
 * mean the same thing to the console and to `git verify-commit`.
 */
export const RosterInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'Give a UTC time to the second, like 2026-01-01T00:00:00Z.')
  .refine((s) => !Number.isNaN(Date.parse(s)) && new Date(Date.parse(s)).toISOString().slice(0, 19) === s.slice(0, 19), 'Not a real date and time.');

const KeyText = z.string().trim().superRefine((text, ctx) => {
  try {
    parseSshPublicKey(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `Not an accepted SSH public key: ${e instanceof SshFormatError ? e.message : 'unreadable'}.` });
  }
});

/** A key's validity window and revocation; all bounds are inclusive of the second they name, except revocation, which applies from its second on. */
export const RosterKeySchema = z.object({
  /** The public key line as `ssh-keygen` or `ssh-add -L` prints it (the comment is kept here and never copied into allowed_signers). */
  key: KeyText,
  validAfter: RosterInstant.optional(),
  validBefore: RosterInstant.optional(),
  revoked: z.object({
    at: RosterInstant,
    reason: z.string().trim().min(1, 'Say why the key was revoked.').max(500),
  }).strict().optional(),
}).strict().superRefine((k, ctx) => {
  if (k.validAfter && k.validBefore && Date.parse(k.validBefore) <= Date.parse(k.validAfter)) {
    ctx.addIssue({ code: 'custom', path: ['validBefore'], message: 'validBefore must be after validAfter.' });
  }
});

/** One key of a person or host in the roster. */
export type RosterKey = z.infer<typeof RosterKeySchema>;

/** A roster id (a person's): lower-case letters, digits and dashes. */
export const RosterIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use lower-case letters, digits and dashes (like "ada-lovelace").');

/** OS account names a person logs in with (procedure.md §1: the OS account is checked against the person's). */
export const RosterAccountSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\$?$/, 'Not an OS account name.');

/** A person who may act: named, with roles and keys (seed §3: named human accountability). */
export const RosterPersonSchema = z.object({
  id: RosterIdSchema,
  ...PersonSchema.shape,
  roles: z.array(z.enum(ROSTER_ROLES, { error: `A role is one of ${ROSTER_ROLES.join(', ')}.` })).min(1, 'Give the person at least one role.'),
  accounts: z.array(RosterAccountSchema).optional(),
  keys: z.array(RosterKeySchema).min(1, 'List at least one SSH public key.'),
}).strict().superRefine((p, ctx) => {
  const why = whyNotNamedHuman({ name: p.name, email: p.email });
  if (why) ctx.addIssue({ code: 'custom', path: ['name'], message: why });
  if (new Set(p.roles).size !== p.roles.length) ctx.addIssue({ code: 'custom', path: ['roles'], message: 'A role is listed twice.' });
});

/** A person in the roster. */
export type RosterPerson = z.infer<typeof RosterPersonSchema>;

/** A host whose per-host key signs host-level records (lock recovery, policy adoption, migration); registered by a roster admin. */
export const RosterHostSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'A host id is lower-case letters, digits and dashes (as in the records).'),
  keys: z.array(RosterKeySchema).min(1, 'List the host key.'),
}).strict();

/** A host in the roster. */
export type RosterHost = z.infer<typeof RosterHostSchema>;

/** The roster file's schema. Unknown keys are refused so a typo cannot silently drop a revocation. */
export const RosterSchema = z.object({
  version: z.literal(1),
  people: z.array(RosterPersonSchema).min(1, 'List at least one person.'),
  hosts: z.array(RosterHostSchema).default([]),
}).strict().superRefine((r, ctx) => {
  const ids = new Map<string, number>();
  const emails = new Map<string, number>();
  const hostIds = new Map<string, number>();
  // A key belongs to exactly one holder, or a signature could not say who made it.
  const keys = new Map<string, string>();
  const claimKey = (text: string, where: Array<string | number>) => {
    let fp: string;
    try {
      fp = parseSshPublicKey(text).fingerprint;
    } catch {
      return; // already reported by the key's own schema
    }
    const first = keys.get(fp);
    if (first) ctx.addIssue({ code: 'custom', path: [...where, 'key'], message: `This key (${fp}) is already listed at ${first}: a key belongs to one person or host.` });
    else keys.set(fp, where.map((w) => (typeof w === 'number' ? `[${w}]` : `.${w}`)).join('').slice(1));
  };
  r.people.forEach((p, i) => {
    if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['people', i, 'id'], message: `Person id "${p.id}" is listed twice.` });
    ids.set(p.id, i);
    const email = p.email.toLowerCase();
    if (emails.has(email)) ctx.addIssue({ code: 'custom', path: ['people', i, 'email'], message: 'This e-mail address is listed for another person.' });
    emails.set(email, i);
    p.keys.forEach((k, j) => claimKey(k.key, ['people', i, 'keys', j]));
  });
  r.hosts.forEach((h, i) => {
    if (hostIds.has(h.id)) ctx.addIssue({ code: 'custom', path: ['hosts', i, 'id'], message: `Host id "${h.id}" is listed twice.` });
    hostIds.set(h.id, i);
    h.keys.forEach((k, j) => claimKey(k.key, ['hosts', i, 'keys', j]));
  });
  if (!r.people.some((p) => p.roles.includes('roster-admin'))) {
    ctx.addIssue({ code: 'custom', path: ['people'], message: 'Name at least one roster-admin, or nobody can change the roster.' });
  }
});

/** A validated roster. */
export type Roster = z.infer<typeof RosterSchema>;

/** A problem in the roster file, located by file, field path and line. */
export type RosterProblem = YamlProblem;

/** The result of loading a roster file: the roster, or every problem found. */
export type RosterLoad = { ok: true; roster: Roster } | { ok: false; problems: RosterProblem[] };

/** Parses and validates roster YAML text; every error names the file, the field and the line. */
export function parseRosterYaml(text: string, file = ROSTER_PATH): RosterLoad {
  const load = parseYamlWithSchema(text, file, RosterSchema);
  return load.ok ? { ok: true, roster: load.value } : load;
}

/** One line per problem: `roster.yaml:12: people[0].keys[1].key: …`. */
export function formatRosterProblems(problems: readonly RosterProblem[]): string {
  return formatYamlProblems(problems);
}
