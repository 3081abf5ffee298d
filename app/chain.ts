import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** SHA-256 (lower-case hex) of a string in UTF-8, or of bytes. */
export type Sha256Hex = (text: string | Uint8Array) => string;

/** The portable SHA-256 (Node and Chromium): @noble/hashes, in JavaScript. */
export const portableSha256Hex: Sha256Hex = (text) => bytesToHex(sha256(typeof text === 'string' ? utf8ToBytes(text) : text));

let implementation: Sha256Hex = portableSha256Hex;

/** SHA-256 of a UTF-8 string as lower-case hex: the portable one, or the native one main installed. */
export function sha256Hex(text: string | Uint8Array): string {
  return implementation(text);
}

// Known answers the installed implementation must give (FIPS 180-2 "abc"; a lone surrogate, which
// both encode as U+FFFD; bytes), so a wrong one is refused rather than sealing records with it.
const CHECKS: Array<string | Uint8Array> = ['abc', 'caf\u00e9 \ud83d\ude00 \ud800', new Uint8Array([0, 255, 10])];

/**
 * Installs a native SHA-256 (main: node:crypto). Every record is hashed when it is sealed and again
 * by verify: a governed shell's 256 KiB chunk took about 5 ms in JavaScript, on the thread that
 * reads the terminal. Refused unless it gives the portable implementation's answers.
 */
export function installSha256Hex(native: Sha256Hex): void {
  for (const c of CHECKS) if (native(c) !== portableSha256Hex(c)) throw new Error('The native SHA-256 disagrees with the portable one: not installed.');
  implementation = native;
}

/** The canonical JSON form (RFC 8785) that record hashes are computed over. */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('Value has no canonical JSON form.');
  return out;
}

/** The hash of a record: SHA-256 over the canonical JSON of every field except `hash` itself. */
export function computeRecordHash(record: { hash?: string } & Record<string, unknown>): string {
  const { hash: _omit, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}
