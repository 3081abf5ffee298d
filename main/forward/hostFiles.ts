import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { SecretRef } from '../../app/forwarding/policy';
import { ForwardError } from './errors';

/**
 * The files and environment variables a destination's policy names on this host (CA,
 * client certificate, secrets). Read at each delivery, so a rotated secret or certificate takes
 * effect without a restart. Messages name the variable or file, never the value.
 */

/** Longest secret or PEM file accepted (a CA bundle is a few hundred KiB at most). */
const MAX_FILE_BYTES = 1024 * 1024;

function expandHome(p: string): string {
  return p.startsWith('~/') ? `${os.homedir()}${p.slice(1)}` : p;
}

/** Reads a file the policy names (`field` says which setting, for the message). */
export async function readHostFile(p: string, field: string): Promise<Buffer> {
  try {
    const handle = await fs.open(expandHome(p), 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_FILE_BYTES) throw new ForwardError('config', `The file ${p} named by ${field} is larger than 1 MiB: it is not a certificate, key or secret.`);
      const buf = Buffer.alloc(size);
      await handle.read(buf, 0, size, 0);
      return buf;
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof ForwardError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this account' : `cannot be read (${code ?? 'error'})`;
    throw new ForwardError('config', `The file ${p} named by ${field} ${why} on this host.`, 0, { cause: e });
  }
}

/** Reads a secret from the environment variable or file the policy names; refuses an empty one. */
export async function readSecret(ref: SecretRef, field: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (!value) throw new ForwardError('config', `The ${field} is not set: the policy names the environment variable ${ref.env}, which is empty or unset for this process.`);
    return value;
  }
  const text = (await readHostFile(ref.file!, field)).toString('utf8').replace(/\r?\n$/, '');
  if (!text) throw new ForwardError('config', `The ${field} is empty: the file ${ref.file} named by the policy holds nothing.`);
  return text;
}

/** How a secret is named in advice ("the secret in $NAME"), never its value. */
export function describeSecret(ref: SecretRef, field: string): string {
  return ref.env !== undefined ? `the ${field} in $${ref.env}` : `the ${field} in ${ref.file}`;
}

/** TLS material a destination names: CA, and for syslog an optional client certificate and key. */
export async function tlsMaterial(d: { caFile?: string; clientCertFile?: string; clientKeyFile?: string }): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  return {
    ...(d.caFile ? { ca: await readHostFile(d.caFile, 'caFile') } : {}),
    ...(d.clientCertFile ? { cert: await readHostFile(d.clientCertFile, 'clientCertFile') } : {}),
    ...(d.clientKeyFile ? { key: await readHostFile(d.clientKeyFile, 'clientKeyFile') } : {}),
  };
}
