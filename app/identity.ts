import { z } from 'zod';
import { whyNotSafeLine } from './text';

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
      .refine((n) => !/[<>\n\r\0]/.test(n), 'The name may not contain <, > or line breaks.')
      .superRefine((n, ctx) => {
        // Only what the rule above does not already name (escape, tab, C1, bidi overrides, lone surrogates).
        const why = /[<>\n\r\0]/.test(n) ? null : whyNotSafeLine(n);
        if (why) ctx.addIssue({ code: 'custom', message: `The name ${why}` });
      }),
    email: z
      .string({ error: 'Give your e-mail address.' })
      .trim()
      .max(254, 'The e-mail address is too long.')
      // z.email admits no control character, so the address needs no check of its own here.
      .pipe(z.email({ error: 'Give a valid e-mail address, like ada@example.com.' })),
  })
  .strict();

/** A named person (operator or reviewer). */
export type Person = z.infer<typeof PersonSchema>;

/** A name as the sorted set of its lower-case words: "Lovelace, Ada" and "ada lovelace" are one key. */
function nameWords(value: string): string {
  return value.toLowerCase().split(/[\s,.;_+-]+/u).filter(Boolean).sort().join(' ');
}

/** A name or mailbox compared against the refused list: its words, separators dropped ("break-glass" is "breakglass"). */
function compact(value: string): string {
  return nameWords(value).replace(/ /g, '');
}

/**
 * Says why `person` is not a named human, or returns null when it is.
 * Refused: a name or e-mail local part on the refused list, a name with no letters, initials.
 */
export function whyNotNamedHuman(person: Person, extraRefused: readonly string[] = []): string | null {
  const refusedSet = new Set([...BUILT_IN_REFUSED_IDENTITIES, ...extraRefused].map(compact));
  const key = personKey(person);
  const name = compact(key.name);
  // Sub-addressing (admin+prod@…) still reaches the shared mailbox: personKey drops it.
  const local = compact(key.email.slice(0, Math.max(0, key.email.lastIndexOf('@'))) || key.email);
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

/**
 * The one normalisation of a person that every identity rule uses (issue 12, item 8): the e-mail
 * lower-cased with its sub-address dropped (`ada+review@` is `ada@`), and the name as the set of
 * its words, lower-cased and without punctuation, so "Lovelace, Ada", "ada lovelace" and
 * "Ada  Lovelace" are one person.
 */
export function personKey(person: Person): { email: string; name: string } {
  const email = person.email.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  const local = at < 0 ? email : email.slice(0, at);
  const domain = at < 0 ? '' : email.slice(at);
  return { email: `${local.split('+')[0] ?? local}${domain}`, name: nameWords(person.name) };
}

/** True when two records name the same human: the same normalised e-mail or the same normalised name (personKey). */
export function samePerson(a: Person, b: Person): boolean {
  const ka = personKey(a);
  const kb = personKey(b);
  return ka.email === kb.email || (ka.name !== '' && ka.name === kb.name);
}
