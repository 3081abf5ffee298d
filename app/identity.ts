import { z } from 'zod';

/**
 * Named human accountability (seed §3, procedure.md §1): shared and anonymous identities are
 * refused as operator and reviewer. The policy can add names to this list.
 */
export const BUILT_IN_REFUSED_IDENTITIES = [
  'root', 'admin', 'administrator', 'ops', 'operator', 'breakglass', 'shared', 'service', 'user', 'test',
  // Anonymity is prohibited outright by seed §3, so these are refused even though the list above does not name them.
  'anonymous', 'nobody', 'unknown',
] as const;

/** A person as git records them: `Name <email>`. Characters that would break a commit header are refused. */
export const PersonSchema = z
  .object({
    name: z
      .string({ error: 'Give your full name.' })
      .trim()
      .min(1, 'Give your full name.')
      .max(200, 'The name is longer than 200 characters: shorten it.')
      .refine((n) => !/[<>\n\r\0]/.test(n), 'The name may not contain <, > or line breaks.'),
    email: z
      .string({ error: 'Give your e-mail address.' })
      .trim()
      .max(254, 'The e-mail address is too long.')
      .pipe(z.email({ error: 'Give a valid e-mail address, like ada@example.com.' })),
  })
  .strict();

/** A named person (operator or reviewer). */
export type Person = z.infer<typeof PersonSchema>;

/** Normalises a name for comparison against the refused list: lower case, separators dropped. */
function normalise(value: string): string {
  return value.trim().toLowerCase().replace(/[\s._-]+/g, '');
}

/**
 * Says why `person` is not a named human, or returns null when it is.
 * Refused: a name or e-mail local part on the refused list, a name with no letters, initials.
 */
export function whyNotNamedHuman(person: Person, extraRefused: readonly string[] = []): string | null {
  const refusedSet = new Set([...BUILT_IN_REFUSED_IDENTITIES, ...extraRefused].map(normalise));
  const name = normalise(person.name);
  // Sub-addressing (admin+prod@…) still reaches the shared mailbox.
  const local = normalise((person.email.split('@')[0] ?? '').split('+')[0] ?? '');
  if (refusedSet.has(name)) {
    return `"${person.name.trim()}" is a shared or anonymous identity: break-glass needs a named human. Use your own full name.`;
  }
  if (refusedSet.has(local)) {
    return `"${person.email}" is a shared mailbox: break-glass needs a named human. Use your personal e-mail address.`;
  }
  if (!/\p{L}/u.test(person.name)) return 'The name must contain letters: use your own full name.';
  // Initials ("A", "AL", "A. L.") are not accountability; a short full name in a non-Latin script is.
  const trimmed = person.name.trim();
  if (/^(\p{Lu}\.?\s*){1,3}$/u.test(trimmed) || trimmed.length < 2 || /^\p{Script=Latin}{1,2}$/u.test(trimmed)) {
    return 'Initials are not enough for accountability: use your full name.';
  }
  return null;
}

/** Formats a person the way git and BREAK_GLASS_OPERATOR show them. */
export function formatPerson(person: Person): string {
  return `${person.name} <${person.email}>`;
}

/** True when two records name the same human (e-mail compared case-insensitively). */
export function samePerson(a: Person, b: Person): boolean {
  return a.email.trim().toLowerCase() === b.email.trim().toLowerCase() || normalise(a.name) === normalise(b.name);
}
