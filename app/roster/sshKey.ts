import { sha256 } from '@noble/hashes/sha2.js';

/**
 * SSH public keys as the roster and the signature verifier read them (issue 15). The wire format
 * is RFC 4251 §5 (uint32-length-prefixed strings); the key layouts are RFC 8709 (ssh-ed25519),
 * RFC 5656 (ecdsa-sha2-nistp256) and OpenSSH's PROTOCOL.u2f (the FIDO2 `sk-` types, which add the
 * FIDO application string). Hand-written because it is a few length-prefixed fields and the npm
 * SSH key libraries (sshpk, ssh2) do not know the `sk-` types; pure (Uint8Array, no Buffer) so the
 * renderer can show fingerprints with the same code.
 */

/** The key types a roster accepts: Ed25519 and P-256, in software or on a FIDO2 security key. */
export const SSH_KEY_TYPES = ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com', 'ecdsa-sha2-nistp256'] as const;

/** One of the accepted key types. */
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** A malformed SSH key or signature blob; the message names the field, never the bytes. */
export class SshFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshFormatError';
  }
}

/** Reads RFC 4251 wire data field by field; every read past the end is an SshFormatError. */
export class SshWireReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** One byte. */
  u8(): number {
    if (this.offset + 1 > this.bytes.length) throw new SshFormatError('truncated (byte)');
    return this.bytes[this.offset++]!;
  }

  /** A big-endian uint32. */
  u32(): number {
    if (this.offset + 4 > this.bytes.length) throw new SshFormatError('truncated (uint32)');
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
  }

  /** Exactly `n` raw bytes. */
  raw(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw new SshFormatError('truncated (bytes)');
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A length-prefixed byte string. */
  string(): Uint8Array {
    return this.raw(this.u32());
  }

  /** A length-prefixed string that must be printable ASCII (type names, namespaces, hash names). */
  text(): string {
    const bytes = this.string();
    // An indexed loop: verify reads four of these per signature, for every commit.
    let out = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b < 0x20 || b > 0x7e) throw new SshFormatError('a name field is not printable ASCII');
      out += String.fromCharCode(b);
    }
    return out;
  }

  /** True when every byte was read. */
  atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  /** Refuses trailing data, as OpenSSH does (SSH_ERR_UNEXPECTED_TRAILING_DATA). */
  end(what: string): void {
    if (!this.atEnd()) throw new SshFormatError(`${what} has trailing data`);
  }
}

/** A parsed SSH public key: its type, wire blob, key material, FIDO application and fingerprint. */
export interface SshPublicKey {
  type: SshKeyType;
  /** The key's wire blob (what `ssh-add -L` prints in base64). */
  blob: Uint8Array;
  /** `type base64` — the canonical one-line form, without comment. */
  line: string;
  /** Ed25519: the 32-byte public key; P-256: the 65-byte uncompressed point. */
  material: Uint8Array;
  /** FIDO2 keys only: the application string signed over (usually "ssh:"). */
  application: string | null;
  /** OpenSSH's `SHA256:<base64 without padding>` fingerprint. */
  fingerprint: string;
  /** True for a FIDO2 security key, whose signature needs a touch. */
  securityKey: boolean;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes strict base64 (no whitespace) to bytes; an SshFormatError otherwise. */
export function base64ToBytes(text: string): Uint8Array {
  if (!BASE64.test(text) || text.length % 4 !== 0) throw new SshFormatError('not base64');
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Encodes bytes as base64 with padding. */
export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** OpenSSH's fingerprint of a key blob: `SHA256:` and the unpadded base64 of its SHA-256. */
export function sshFingerprint(blob: Uint8Array): string {
  return `SHA256:${bytesToBase64(sha256(blob)).replace(/=+$/, '')}`;
}

function isKeyType(type: string): type is SshKeyType {
  return (SSH_KEY_TYPES as readonly string[]).includes(type);
}

/** Parses a key's wire blob; refuses unknown types, wrong curves, bad lengths and trailing data. */
export function parseSshKeyBlob(blob: Uint8Array): SshPublicKey {
  const r = new SshWireReader(blob);
  const type = r.text();
  if (!isKeyType(type)) throw new SshFormatError(`key type "${type.slice(0, 64)}" is not accepted (use ssh-ed25519, ecdsa-sha2-nistp256 or a FIDO2 sk- key)`);
  let material: Uint8Array;
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    material = r.string();
    if (material.length !== 32) throw new SshFormatError('an Ed25519 public key is 32 bytes');
  } else {
    if (r.text() !== 'nistp256') throw new SshFormatError('the ECDSA curve is not nistp256');
    material = r.string();
    if (material.length !== 65 || material[0] !== 0x04) throw new SshFormatError('a P-256 public key is an uncompressed 65-byte point');
  }
  const securityKey = type.startsWith('sk-');
  const application = securityKey ? r.text() : null;
  r.end('the key');
  return { type, blob, line: `${type} ${bytesToBase64(blob)}`, material, application, fingerprint: sshFingerprint(blob), securityKey };
}

/** Parses one public key line (`type base64 [comment]`, as in a .pub file or `ssh-add -L`); the type word must match the blob. */
export function parseSshPublicKey(text: string): SshPublicKey {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 2) throw new SshFormatError('a public key is "<type> <base64> [comment]"');
  const key = parseSshKeyBlob(base64ToBytes(parts[1]!));
  if (key.type !== parts[0]) throw new SshFormatError('the key type word does not match the key blob');
  return key;
}

