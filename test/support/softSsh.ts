import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { parseSshKeyBlob, type SshKeyType, type SshPublicKey } from '../../app/roster/sshKey';
import { sshsigSignedData } from '../../main/signing/sshsig';

/**
 * Software keys that sign SSHSIG in-process — for test fixtures and benchmark repositories only
 * (the product never holds a person's private key). FIDO2 (`sk-`) signatures are made the way a
 * security key makes them (PROTOCOL.u2f: SHA256(application) || flags || counter ||
 * SHA256(data)), so the verifier can be tested without hardware; tests check them against the
 * real `ssh-keygen -Y verify` so they are not only our own reading of the format.
 */

/** A software key of one SSH type. */
export interface SoftKey {
  publicKey: SshPublicKey;
  privateKey: KeyObject;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
/** RFC 4251 string. */
export const sshString = (b: Uint8Array | string) => {
  const buf = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
  return Buffer.concat([u32(buf.length), buf]);
};
const mpint = (b: Buffer) => {
  let v = b;
  while (v.length > 0 && v[0] === 0) v = v.subarray(1);
  if (v.length > 0 && (v[0]! & 0x80) !== 0) v = Buffer.concat([Buffer.from([0]), v]);
  return sshString(v);
};

/** Makes a software key of `type` (FIDO2 types carry `application`, "ssh:" by default). */
export function softKey(type: SshKeyType, application = 'ssh:'): SoftKey {
  const ed = type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com';
  const pair = ed ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const material = ed
    ? Buffer.from(jwk.x!, 'base64url')
    : Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const fields = ed ? [sshString(type), sshString(material)] : [sshString(type), sshString('nistp256'), sshString(material)];
  if (type.startsWith('sk-')) fields.push(sshString(application));
  return { publicKey: parseSshKeyBlob(Buffer.concat(fields)), privateKey: pair.privateKey };
}

/** Signs `message` as `ssh-keygen -Y sign -n <namespace>` would (or as a security key would, for sk- keys); returns the armored SSHSIG. */
export function softSign(key: SoftKey, message: Uint8Array, options: { namespace?: string; hash?: 'sha256' | 'sha512'; flags?: number; counter?: number } = {}): string {
  const namespace = options.namespace ?? 'git';
  const hash = options.hash ?? 'sha512';
  const data = sshsigSignedData(namespace, hash, message);
  const type = key.publicKey.type;
  const ed = type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com';
  const raw = (bytes: Buffer) => (ed ? sign(null, bytes, key.privateKey) : sign('sha256', bytes, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }));
  const encode = (sig: Buffer) => (ed ? sshString(sig) : sshString(Buffer.concat([mpint(sig.subarray(0, 32)), mpint(sig.subarray(32))])));
  let signature: Buffer;
  if (type.startsWith('sk-')) {
    const flags = options.flags ?? 0x01;
    const counter = options.counter ?? 1;
    const signed = Buffer.concat([createHash('sha256').update(key.publicKey.application!).digest(), Buffer.from([flags]), u32(counter), createHash('sha256').update(data).digest()]);
    signature = Buffer.concat([sshString(type), encode(raw(signed)), Buffer.from([flags]), u32(counter)]);
  } else {
    signature = Buffer.concat([sshString(type), encode(raw(data))]);
  }
  const blob = Buffer.concat([Buffer.from('SSHSIG'), u32(1), sshString(key.publicKey.blob), sshString(namespace), sshString(''), sshString(hash), sshString(signature)]);
  const b64 = blob.toString('base64').match(/.{1,70}/g)!.join('\n');
  return `-----BEGIN SSH SIGNATURE-----\n${b64}\n-----END SSH SIGNATURE-----\n`;
}
