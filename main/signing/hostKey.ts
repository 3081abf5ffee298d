import { link, lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';
import { parseSshPublicKey, type SshPublicKey } from '../../app/roster/sshKey';
import { keyFileSigner, type CommitSigner } from './signer';
import { runSshTool } from './sshTools';

/**
 * The per-host signing key (issue 15): host-level records (lock recovery, policy adoption,
 * migration) and automatic ones (expiry) are signed by this host, not by a person. Created on
 * first use with `ssh-keygen -t ed25519 -N ''` in the data dir, mode 0600, and registered in the
 * roster's `hosts:` by a roster admin. Signed with `ssh-keygen -Y sign -f` on the file rather than
 * through a dedicated agent: the key has to live in a file across restarts anyway, so an agent
 * would add a process to supervise and no protection. Operators' keys never come from a file.
 */

/** The host key's file name in the data dir (its public half is `<name>.pub`). */
export const HOST_KEY_FILE = 'host-signing-key';

/** This host's signing key: where the private half is and what the public half is. */
export interface HostKey {
  privateKeyPath: string;
  publicKey: SshPublicKey;
  /** True when this call created the key (the console then says: register it in the roster). */
  created: boolean;
}

/** Refuses a key file that another user owns or that others can read: ssh-keygen would refuse it too, and we fail closed first. */
async function checkPrivate(file: string): Promise<void> {
  const st = await lstat(file);
  if (!st.isFile()) throw new BreakGlassError('refused', 'The host signing key is not a regular file: remove it and restart to create a new one.');
  if ((st.mode & 0o077) !== 0) throw new BreakGlassError('refused', 'The host signing key is readable by other users: chmod 600 it (and consider it exposed).');
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new BreakGlassError('refused', 'The host signing key belongs to another user.');
}

/**
 * Returns this host's key, creating it on first use. Creation is race-free between the console
 * and the CLI: the key is generated under a temporary name and hard-linked into place, so a
 * second creator finds the first one's key.
 */
export async function ensureHostKey(dataDir: string, hostId: string): Promise<HostKey> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, HOST_KEY_FILE);
  let created = false;
  try {
    await lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const tmp = path.join(dataDir, `.${HOST_KEY_FILE}.${process.pid}.${Date.now()}`);
    try {
      await runSshTool('create-host-key', 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `breakglass-host-${hostId}`, '-f', tmp], { agentSocket: null, timeoutMs: 30_000 });
      try {
        await link(tmp, file);
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    } finally {
      await rm(tmp, { force: true });
      await rm(`${tmp}.pub`, { force: true });
    }
  }
  await checkPrivate(file);
  // The public half is derived from the private file, never trusted from a .pub beside it.
  const { stdout } = await runSshTool('read-host-key', 'ssh-keygen', ['-y', '-f', file], { agentSocket: null, timeoutMs: 15_000 });
  const publicKey = parseSshPublicKey(stdout.toString('utf8'));
  if (created) await writeFile(`${file}.pub`, `${publicKey.line} breakglass-host-${hostId}\n`, { mode: 0o644 });
  return { privateKeyPath: file, publicKey, created };
}

/** A signer for this host's key. */
export function hostKeySigner(hostKey: HostKey): CommitSigner {
  return keyFileSigner(hostKey.privateKeyPath, hostKey.publicKey);
}
