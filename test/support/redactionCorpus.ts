// The credential corpus of issue 13: over 100 formats, each built from its provider's documented
// shape with random values from a seeded generator at test time (never a real credential, and no
// token-shaped literal in the repository for a secret scanner on the remote to trip over).
// Each sample is the text as a tool prints it, the secrets that must not survive, and the argv
// that would carry it on a command line.
import { CLOUD_AND_FILES, KEYS_AND_HASHES, VENDOR_TOKENS } from './redactionFormatsA';
import { BASE64_WRAPPED, CONFIG_BY_KEY, FLAGS, HTTP_AND_URLS, TABLES_AND_TOOLS } from './redactionFormatsB';
import type { Format } from './redactionShapes';

export { Rng, type Format, type Sample } from './redactionShapes';

/** Every credential format of the corpus. */
export const CREDENTIAL_FORMATS: readonly Format[] = [...VENDOR_TOKENS, ...CLOUD_AND_FILES, ...KEYS_AND_HASHES, ...HTTP_AND_URLS, ...FLAGS, ...CONFIG_BY_KEY, ...TABLES_AND_TOOLS, ...BASE64_WRAPPED];

/** Every substring of a secret that must not survive: the whole, and each 12-character slice of a long one. */
export function leakProbes(secret: string): string[] {
  if (secret.length <= 12) return [secret];
  const out = [secret];
  for (let i = 0; i + 12 <= secret.length; i += 6) out.push(secret.slice(i, i + 12));
  return out;
}

/** The first probe of `secrets` found in `text`, or undefined. */
export function firstLeak(text: string, secrets: readonly string[]): string | undefined {
  for (const s of secrets) for (const p of leakProbes(s)) if (text.includes(p)) return p;
  return undefined;
}
