import { z } from 'zod';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The commander's offline acknowledgement (issue 16): short codes read aloud by phone or radio.
 *
 * Alphabet: Crockford's base32 (0–9 and A–Z without I, L, O and U), because it has no letters
 * that are confused with digits when read or heard. Typed codes are forgiving: case, spaces and
 * dashes do not matter, and I or L read as 1, O as 0 (Crockford's own rule). A code is 10
 * characters (50 bits), shown in two groups of five: `ABCDE-FGHJK`.
 *
 * - The challenge commits to a record's commit: the first 50 bits of the commit id (its bytes,
 *   big-endian), so anyone holding the commit can compute it and nobody can pick another commit
 *   with the same code by chance (2^-50).
 * - The response is the first 50 bits of SHA-256 over the commander's signature (the SSHSIG blob's
 *   bytes): only the holder of the commander's key can produce a signature whose response matches.
 */

/** Crockford's base32 alphabet. */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Characters in a code. */
export const CODE_LENGTH = 10;

/** What the commander's key signs for a challenge. */
export const ACK_NAMESPACE = 'breakglass-ack';

/** The signed message of an acknowledgement: `breakglass-ack-v1:<challenge>` (the challenge without its dash). */
export function ackMessage(challenge: string): string {
  return `breakglass-ack-v1:${challenge}`;
}

/** The first `length` base32 characters of `bytes`, most significant bits first. */
export function base32(bytes: Uint8Array, length = CODE_LENGTH): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CODE_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  if (out.length < length) throw new Error(`base32: ${bytes.length} byte(s) give fewer than ${length} characters`);
  return out;
}

/** The challenge of a commit (sha1 or sha256 id, hex): the code the operator reads aloud. */
export function challengeOf(commit: string): string {
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) throw new Error('challengeOf: not a commit id');
  return base32(hexToBytes(commit));
}

/** The response code of a signature (the SSHSIG blob's bytes): what the commander reads back. */
export function responseOf(signatureBlob: Uint8Array): string {
  return base32(sha256(signatureBlob));
}

/** The response code of an armored SSHSIG, or null when it is not one. */
export function responseOfArmored(armored: string): string | null {
  const m = /^-----BEGIN SSH SIGNATURE-----\n([A-Za-z0-9+/=\n]+)\n-----END SSH SIGNATURE-----\n?$/.exec(armored.replace(/\r\n/g, '\n').trim());
  if (!m) return null;
  const body = m[1]!.replace(/\n/g, '');
  if (body.length % 4 !== 0) return null;
  try {
    const bin = atob(body);
    return responseOf(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** The event an acknowledgement is of, in words: "declaration" or "closing". */
export function ackEventWord(event: 'declared' | 'closed'): 'declaration' | 'closing' {
  return event === 'declared' ? 'declaration' : 'closing';
}

/** A code as shown and read aloud: `ABCDE-FGHJK`. */
export function formatCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** A code as stored: 10 characters of the alphabet, no dash. */
export const StoredCodeSchema = z.string().regex(new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`), 'Not a code.');

/**
 * A typed code: spaces and dashes dropped, upper-cased, I and L read as 1 and O as 0; then exactly
 * 10 characters of the alphabet. The error never repeats what was typed.
 */
export const TypedCodeSchema = z.string({ error: 'Type the code: 10 letters and digits, like ABCDE-FGHJK.' })
  .max(64, 'A code has 10 letters and digits, like ABCDE-FGHJK.')
  .transform((s) => s.replace(/[\s-]+/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0'))
  .pipe(z.string()
    .length(CODE_LENGTH, `A code has ${CODE_LENGTH} letters and digits (like ABCDE-FGHJK); check it and type it again.`)
    .regex(new RegExp(`^[${CODE_ALPHABET}]+$`), 'A code has only digits and the letters A–Z without U; check it and type it again.'));

/** The event an acknowledgement is about. */
export const AckEventSchema = z.enum(['declared', 'closed'], { error: 'Say which event: declared or closed.' });

/** `declared` or `closed`. */
export type AckEvent = z.infer<typeof AckEventSchema>;

/** A string's UTF-8 bytes (the signed message). */
export function messageBytes(challenge: string): Uint8Array {
  return utf8ToBytes(ackMessage(challenge));
}
