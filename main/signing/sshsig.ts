import * as crypto from 'node:crypto';
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { parseSshKeyBlob, SshFormatError, SshWireReader, type SshPublicKey } from '../../app/roster/sshKey';

/**
 * SSH signatures (OpenSSH PROTOCOL.sshsig), parsed and verified in-process with node:crypto —
 * what `git verify-commit` asks `ssh-keygen -Y verify` to do, at a fraction of a process per
 * commit (issue 15: verification runs in-process). Key types: ssh-ed25519, ecdsa-sha2-nistp256
 * and the FIDO2 types of PROTOCOL.u2f, whose signature covers
 *   SHA256(application) || flags || counter || SHA256(signed data)
 * and whose user-presence flag we require (a signature made without a touch is not a person's
 * act). `ssh-keygen -Y verify` does not check that flag; this verifier is stricter there.
 */

const MAGIC = Buffer.from('SSHSIG');
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';

/** FIDO2 authenticator-data flags (WebAuthn §6.1; PROTOCOL.u2f "flags"). */
const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;

/** A parsed SSHSIG blob. */
export interface SshSignature {
  publicKey: SshPublicKey;
  namespace: string;
  hashAlgorithm: 'sha256' | 'sha512';
  /** The signature algorithm named inside the signature (must equal the key type). */
  signatureType: string;
  /** The raw signature field (RFC 4253 §6.6 encoding of the key type). */
  signature: Uint8Array;
}

/** Why a signature does not verify. */
export type SshSigFailure =
  | 'malformed' | 'namespace-mismatch' | 'unsupported-hash' | 'signature-type-mismatch'
  | 'bad-signature' | 'user-presence-missing';

/** The security-key details of a FIDO2 signature. */
export interface SecurityKeySignature {
  flags: number;
  counter: number;
  userPresent: boolean;
  userVerified: boolean;
}

/** The outcome of verifying one SSH signature. */
export type SshSigVerification =
  | { ok: true; key: SshPublicKey; securityKey: SecurityKeySignature | null }
  | { ok: false; reason: SshSigFailure; key: SshPublicKey | null };

const BASE64_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_CHARS[c.charCodeAt(0)] = 1;
const isBase64Char = (c: number) => c < 128 && BASE64_CHARS[c] === 1;

/** /^[A-Za-z0-9+/]+={0,2}$/ with a length that is a multiple of 4, without a regular expression (verify decodes one per commit). */
function isBase64(body: string): boolean {
  if (body.length === 0 || body.length % 4 !== 0) return false;
  let end = body.length;
  if (body.charCodeAt(end - 1) === 0x3d) end--;
  if (body.charCodeAt(end - 1) === 0x3d) end--;
  if (end === 0) return false;
  for (let i = 0; i < end; i++) if (!isBase64Char(body.charCodeAt(i))) return false;
  return true;
}

/** Decodes the armored form (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`) to the blob. */
export function dearmorSshSignature(armored: string): Buffer {
  const text = (armored.includes('\r') ? armored.replace(/\r\n/g, '\n') : armored).trim();
  if (!text.startsWith(BEGIN) || !text.endsWith(END)) throw new SshFormatError('not an armored SSH signature');
  const body = text.slice(BEGIN.length, text.length - END.length).replaceAll('\n', '');
  if (!isBase64(body)) throw new SshFormatError('the SSH signature is not base64');
  return Buffer.from(body, 'base64');
}

const BEGIN_BYTES = Buffer.from(BEGIN);
const END_BYTES = Buffer.from(END);

/**
 * dearmorSshSignature of the bytes `armored` (a commit's signature header, read as git stores
 * it), without building strings for the usual form: BEGIN, lines of base64, END, at most one
 * newline after it. Anything else is decoded as text by dearmorSshSignature, so the answer is
 * always the same as dearmorSshSignature(armored as UTF-8).
 */
export function dearmorSshSignatureBytes(armored: Buffer): Buffer {
  let end = armored.length;
  if (end > 0 && armored[end - 1] === 0x0a) end--;
  const bodyEnd = end - END_BYTES.length;
  if (bodyEnd >= BEGIN_BYTES.length && armored.compare(BEGIN_BYTES, 0, BEGIN_BYTES.length, 0, BEGIN_BYTES.length) === 0 && armored.compare(END_BYTES, 0, END_BYTES.length, bodyEnd, end) === 0) {
    // isBase64 of the body without its newlines: base64 characters, then at most two '=', a multiple of 4 in all.
    let chars = 0;
    let pad = 0;
    let plain = true;
    for (let i = BEGIN_BYTES.length; i < bodyEnd && plain; i++) {
      const c = armored[i]!;
      if (c === 0x0a) continue;
      if (c === 0x3d) pad++;
      else if (pad > 0 || !isBase64Char(c)) plain = false;
      chars++;
    }
    if (plain && pad <= 2 && chars > pad && chars % 4 === 0) {
      const body = armored.toString('latin1', BEGIN_BYTES.length, bodyEnd);
      return Buffer.from(body.includes('\n') ? body.replaceAll('\n', '') : body, 'base64');
    }
  }
  return dearmorSshSignature(armored.toString('utf8'));
}

// The same few keys sign thousands of commits: parse each key blob (and hash its fingerprint) once.
const parsedKeys = new Map<string, SshPublicKey>();

function cachedKey(blob: Uint8Array): SshPublicKey {
  const id = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('latin1');
  let key = parsedKeys.get(id);
  if (!key) {
    key = parseSshKeyBlob(Uint8Array.from(blob));
    if (parsedKeys.size > 4096) parsedKeys.clear();
    parsedKeys.set(id, key);
  }
  return key;
}

/** Parses an SSHSIG blob or its armored text; an SshFormatError names what is wrong. */
export function parseSshSignature(input: string | Uint8Array): SshSignature {
  const blob = typeof input === 'string' ? dearmorSshSignature(input) : input;
  const r = new SshWireReader(blob);
  if (!MAGIC.equals(r.raw(6))) throw new SshFormatError('the SSH signature lacks the SSHSIG preamble');
  // PROTOCOL.sshsig: "Verifiers MUST reject signatures with versions greater than those they support."
  if (r.u32() !== 1) throw new SshFormatError('unsupported SSH signature version');
  const publicKey = cachedKey(r.string());
  const namespace = r.text();
  r.string(); // reserved: ignored, as PROTOCOL.sshsig says
  const hashAlgorithm = r.text();
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') throw new SshFormatError('the SSH signature uses an unsupported hash');
  const signature = r.string();
  r.end('the SSH signature');
  const signatureType = new SshWireReader(signature).text();
  return { publicKey, namespace, hashAlgorithm, signatureType, signature };
}

const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

// One-shot hashing (node ≥ 20.12) skips a Hash object per commit; older runtimes hash the usual way.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;
const digestOf = (algorithm: string, message: Uint8Array): Buffer => (oneShot ? oneShot(algorithm, message, 'buffer') : createHash(algorithm).update(message).digest());

// The signed data's fixed part, per namespace and hash: verification builds it for every commit.
const prefixes = new Map<string, Buffer>();

/** The bytes the key signs (PROTOCOL.sshsig §3); the reserved field is always empty here, as in OpenSSH's sshsig_wrap_verify. */
export function sshsigSignedData(namespace: string, hashAlgorithm: 'sha256' | 'sha512', message: Uint8Array): Buffer {
  const id = `${namespace}\0${hashAlgorithm}`;
  let prefix = prefixes.get(id);
  if (!prefix) {
    const ns = Buffer.from(namespace);
    const alg = Buffer.from(hashAlgorithm);
    prefix = Buffer.concat([MAGIC, u32be(ns.length), ns, u32be(0), u32be(alg.length), alg, u32be(hashAlgorithm === 'sha512' ? 64 : 32)]);
    if (prefixes.size < 64) prefixes.set(id, prefix);
  }
  return Buffer.concat([prefix, digestOf(hashAlgorithm, message)], prefix.length + (hashAlgorithm === 'sha512' ? 64 : 32));
}

// Verification asks about the same few keys for thousands of commits: keep their KeyObjects.
const keyObjects = new Map<string, KeyObject>();

function keyObjectOf(key: SshPublicKey): KeyObject {
  let ko = keyObjects.get(key.fingerprint);
  if (ko) return ko;
  const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  ko = key.type === 'ssh-ed25519' || key.type === 'sk-ssh-ed25519@openssh.com'
    ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(key.material) }, format: 'jwk' })
    : createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(key.material.subarray(1, 33)), y: b64u(key.material.subarray(33, 65)) }, format: 'jwk' });
  if (keyObjects.size > 4096) keyObjects.clear();
  keyObjects.set(key.fingerprint, ko);
  return ko;
}

/** An RFC 4251 mpint as a 32-byte big-endian integer (P-256 r or s); refuses negative or oversized values. */
function mpint32(bytes: Uint8Array): Buffer {
  let b = Buffer.from(bytes);
  if (b.length > 0 && (b[0]! & 0x80) !== 0) throw new SshFormatError('a negative ECDSA signature value');
  while (b.length > 0 && b[0] === 0) b = b.subarray(1);
  if (b.length > 32) throw new SshFormatError('an oversized ECDSA signature value');
  return Buffer.concat([Buffer.alloc(32 - b.length), b]);
}

/** ECDSA (r, s) from its SSH encoding to IEEE P1363 (r || s), the form node:crypto verifies without ASN.1. */
function ecdsaP1363(field: Uint8Array): Buffer {
  const r = new SshWireReader(field);
  const out = Buffer.concat([mpint32(r.string()), mpint32(r.string())]);
  r.end('the ECDSA signature');
  return out;
}

/** The one public-key operation a signature needs, in a form a worker thread can run (verifyPool.ts). */
export interface SignatureCheckJob {
  key: SshPublicKey;
  /** The bytes the key signed. */
  signed: Buffer;
  /** Ed25519: the 64-byte signature; P-256: r || s (IEEE P1363). */
  signature: Buffer;
}

/** A parsed, structurally checked signature waiting for its public-key check. */
export type PreparedSignature =
  | { ok: false; reason: SshSigFailure; key: SshPublicKey | null }
  | { ok: true; key: SshPublicKey; job: SignatureCheckJob; securityKey: { flags: number; counter: number } | null };

/** Everything but the public-key operation: parse, namespace, types, signed bytes (PROTOCOL.sshsig §3, PROTOCOL.u2f). */
export function prepareSshSignature(input: SshSignature | string | Uint8Array, message: Uint8Array, namespace: string): PreparedSignature {
  let sig: SshSignature;
  try {
    sig = typeof input === 'string' || input instanceof Uint8Array ? parseSshSignature(input) : input;
  } catch (e) {
    if (e instanceof SshFormatError) return { ok: false, reason: 'malformed', key: null };
    throw e;
  }
  const key = sig.publicKey;
  const fail = (reason: SshSigFailure): PreparedSignature => ({ ok: false, reason, key });
  if (sig.namespace !== namespace) return fail('namespace-mismatch');
  if (sig.signatureType !== key.type) return fail('signature-type-mismatch');
  const data = sshsigSignedData(namespace, sig.hashAlgorithm, message);
  const ed = key.type === 'ssh-ed25519' || key.type === 'sk-ssh-ed25519@openssh.com';
  try {
    const r = new SshWireReader(sig.signature);
    r.text();
    const field = r.string();
    if (ed && field.length !== 64) return fail('malformed');
    const signature = ed ? Buffer.from(field) : ecdsaP1363(field);
    if (!key.securityKey) {
      r.end('the signature');
      return { ok: true, key, job: { key, signed: data, signature }, securityKey: null };
    }
    const flags = r.u8();
    const counter = r.u32();
    r.end('the signature');
    // PROTOCOL.u2f "SSH U2F signatures": no extensions are defined for SSH, so none are signed.
    const signed = Buffer.concat([
      createHash('sha256').update(key.application ?? '').digest(),
      Buffer.from([flags]), u32be(counter),
      createHash('sha256').update(data).digest(),
    ]);
    return { ok: true, key, job: { key, signed, signature }, securityKey: { flags, counter } };
  } catch (e) {
    if (e instanceof SshFormatError) return fail('malformed');
    throw e;
  }
}

/** Whether the key type uses Ed25519 (else ECDSA P-256 with SHA-256). */
export function isEd25519(key: SshPublicKey): boolean {
  return key.type === 'ssh-ed25519' || key.type === 'sk-ssh-ed25519@openssh.com';
}

/** Runs the public-key check of a job in this thread. */
export function runSignatureCheck(job: SignatureCheckJob): boolean {
  return isEd25519(job.key)
    ? verify(null, job.signed, keyObjectOf(job.key), job.signature)
    : verify('sha256', job.signed, { key: keyObjectOf(job.key), dsaEncoding: 'ieee-p1363' }, job.signature);
}

/** The verdict once the public-key check is known; a security key's signature must also carry the touch (user-presence flag). */
export function finishSshSignature(prepared: PreparedSignature & { ok: true }, good: boolean): SshSigVerification {
  const { key, securityKey } = prepared;
  if (!good) return { ok: false, reason: 'bad-signature', key };
  if (!securityKey) return { ok: true, key, securityKey: null };
  if ((securityKey.flags & FLAG_USER_PRESENT) === 0) return { ok: false, reason: 'user-presence-missing', key };
  return { ok: true, key, securityKey: { ...securityKey, userPresent: true, userVerified: (securityKey.flags & FLAG_USER_VERIFIED) !== 0 } };
}

/**
 * Verifies `sig` over `message` for `namespace` (git signs commits in namespace "git"). The key is
 * the one embedded in the signature: the caller decides whether that key is acceptable (the
 * roster, or an expected fingerprint).
 */
export function verifySshSignature(input: SshSignature | string | Uint8Array, message: Uint8Array, namespace: string): SshSigVerification {
  const prepared = prepareSshSignature(input, message, namespace);
  return prepared.ok ? finishSshSignature(prepared, runSignatureCheck(prepared.job)) : prepared;
}
