import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** SHA-256 of a UTF-8 string as lower-case hex; portable (Node and Chromium). */
export function sha256Hex(text: string | Uint8Array): string {
  return bytesToHex(sha256(typeof text === 'string' ? utf8ToBytes(text) : text));
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
