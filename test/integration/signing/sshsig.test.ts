import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSshPublicKey, SSH_KEY_TYPES, type SshKeyType } from '../../../app/roster/sshKey';
import { parseSshSignature, verifySshSignature } from '../../../main/signing/sshsig';
import { makeKey, opensshFingerprint } from '../../support/sshAgent';
import { softKey, softSign } from '../../support/softSsh';

// The in-process SSHSIG verifier against the real OpenSSH: signatures made by ssh-keygen verify
// here, and FIDO2 signatures made in software verify both here and in `ssh-keygen -Y verify`.

const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-sshsig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = Buffer.from('tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Ada <ada@example.com> 1780000000 +0000\n\nrecord\n');

function flip(b: Buffer | string, at: number): Buffer {
  const out = Buffer.from(b);
  out[at] = out[at]! ^ 0x01;
  return out;
}

function keygenSign(privatePath: string, data: Buffer, namespace = 'git'): string {
  const r = spawnSync('ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', privatePath], { input: data, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** `ssh-keygen -Y verify` with a one-line allowed_signers file: the reference answer. */
function keygenVerifies(keyLine: string, armored: string, data: Buffer, namespace = 'git'): boolean {
  const signers = path.join(dir, `allowed-${Math.random()}`);
  const sigFile = path.join(dir, `sig-${Math.random()}`);
  writeFileSync(signers, `someone@example.com ${keyLine}\n`);
  writeFileSync(sigFile, armored);
  const r = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', signers, '-I', 'someone@example.com', '-n', namespace, '-s', sigFile], { input: data });
  return r.status === 0;
}

/** Re-armors a signature blob after flipping one byte of it. */
function tamperSignature(armored: string, at: number): string {
  const body = armored.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  const blob = flip(Buffer.from(body, 'base64'), at);
  return `-----BEGIN SSH SIGNATURE-----\n${blob.toString('base64').match(/.{1,70}/g)!.join('\n')}\n-----END SSH SIGNATURE-----\n`;
}

describe('signatures made by the real ssh-keygen', () => {
  for (const type of ['ed25519', 'ecdsa'] as const) {
    it(`${type}: verifies in-process, with OpenSSH's fingerprint; a changed message, signature or namespace fails`, () => {
      const key = makeKey(dir, `ada-${type}`, type);
      expect(key.publicKey.fingerprint).toBe(opensshFingerprint(key.line));
      const armored = keygenSign(key.privatePath, message);
      const parsed = parseSshSignature(armored);
      expect(parsed.publicKey.fingerprint).toBe(key.publicKey.fingerprint);
      expect(parsed.namespace).toBe('git');
      expect(parsed.hashAlgorithm).toBe('sha512');
      const good = verifySshSignature(armored, message, 'git');
      expect(good.ok && good.key.fingerprint).toBe(key.publicKey.fingerprint);
      expect(verifySshSignature(armored, flip(message, 10), 'git')).toMatchObject({ ok: false, reason: 'bad-signature' });
      expect(verifySshSignature(armored, message, 'file')).toMatchObject({ ok: false, reason: 'namespace-mismatch' });
      // The last bytes of the blob are the signature itself.
      const blobLength = Buffer.from(armored.split('\n').filter((l) => l && !l.startsWith('-----')).join(''), 'base64').length;
      const broken = tamperSignature(armored, blobLength - 5);
      expect(verifySshSignature(broken, message, 'git').ok).toBe(false);
      expect(keygenVerifies(key.line, broken, message)).toBe(false);
    });
  }
});

describe('FIDO2 security-key signatures (made in software, checked by the real ssh-keygen -Y verify)', () => {
  for (const type of ['sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'] as SshKeyType[]) {
    it(`${type}: OpenSSH and the in-process verifier agree; a flipped byte fails both`, () => {
      const key = softKey(type);
      expect(key.publicKey.securityKey).toBe(true);
      expect(key.publicKey.fingerprint).toBe(opensshFingerprint(key.publicKey.line));
      const armored = softSign(key, message, { flags: 0x05, counter: 0x12345678 });
      expect(keygenVerifies(key.publicKey.line, armored, message)).toBe(true);
      const good = verifySshSignature(armored, message, 'git');
      expect(good).toMatchObject({ ok: true, securityKey: { counter: 0x12345678, userPresent: true, userVerified: true } });

      const changed = flip(message, 3);
      expect(keygenVerifies(key.publicKey.line, armored, changed)).toBe(false);
      expect(verifySshSignature(armored, changed, 'git')).toMatchObject({ ok: false, reason: 'bad-signature' });
      // The counter is signed: a signature whose counter byte was changed fails both.
      const blobLength = Buffer.from(armored.split('\n').filter((l) => l && !l.startsWith('-----')).join(''), 'base64').length;
      const counterFlipped = tamperSignature(armored, blobLength - 1);
      expect(keygenVerifies(key.publicKey.line, counterFlipped, message)).toBe(false);
      expect(verifySshSignature(counterFlipped, message, 'git').ok).toBe(false);
    });

    it(`${type}: a signature made without the user-presence flag is refused (stricter than ssh-keygen -Y verify)`, () => {
      const key = softKey(type);
      const untouched = softSign(key, message, { flags: 0x00 });
      // OpenSSH's sshsig verification does not look at the flag; the console requires the touch.
      expect(keygenVerifies(key.publicKey.line, untouched, message)).toBe(true);
      expect(verifySshSignature(untouched, message, 'git')).toMatchObject({ ok: false, reason: 'user-presence-missing' });
    });
  }

  it('a signature by a key other than the one it embeds fails, and a wrong FIDO application fails', () => {
    const a = softKey('sk-ssh-ed25519@openssh.com');
    const b = softKey('sk-ssh-ed25519@openssh.com', 'ssh:other');
    const byA = softSign(a, message);
    // Splice b's public key into a's signature: the signature no longer matches the embedded key.
    const spliced = softSign({ publicKey: b.publicKey, privateKey: a.privateKey }, message);
    expect(verifySshSignature(byA, message, 'git').ok).toBe(true);
    expect(verifySshSignature(spliced, message, 'git')).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(keygenVerifies(b.publicKey.line, spliced, message)).toBe(false);
  });
});

describe('malformed input', () => {
  it('is refused as malformed, never thrown', () => {
    const key = softKey('ssh-ed25519');
    const armored = softSign(key, message);
    expect(verifySshSignature('not a signature', message, 'git')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifySshSignature(armored.replace('SSH SIGNATURE', 'PGP SIGNATURE'), message, 'git')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifySshSignature(tamperSignature(armored, 0), message, 'git')).toMatchObject({ ok: false, reason: 'malformed' });
    // Version 2 is not ours to accept (PROTOCOL.sshsig: reject greater versions).
    expect(verifySshSignature(tamperSignature(armored, 7), message, 'git')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(() => parseSshPublicKey('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDA')).toThrow(/not accepted|base64|truncated/);
    expect(SSH_KEY_TYPES).toContain('sk-ecdsa-sha2-nistp256@openssh.com');
  });
});
