import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSshPublicKey, type SshPublicKey } from '../../app/roster/sshKey';
import { waitFor } from './waitFor';

/** A real ssh-agent started by a test (`ssh-agent -D -a <socket>`), stopped by its own pid. */
export interface TestAgent {
  socket: string;
  add(privateKeyPath: string): void;
  stop(): void;
}

/** Starts a real ssh-agent listening on `<dir>/agent.sock`. */
export async function startAgent(dir: string): Promise<TestAgent> {
  const socket = path.join(dir, 'agent.sock');
  const child: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The socket file appears when ssh-agent binds it, a moment before it listens: wait until it
  // answers (`ssh-add -l` exits 1 for "no identities", 2 when it cannot connect).
  await waitFor('the ssh-agent to answer on its socket', () => existsSync(socket)
    && spawnSync('ssh-add', ['-l'], { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: socket }, stdio: 'ignore' }).status !== 2);
  return {
    socket,
    add(privateKeyPath) {
      const r = spawnSync('ssh-add', ['-q', privateKeyPath], { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ssh-add failed: ${r.stderr}`);
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}

/** A key made by the real ssh-keygen for a test person. */
export interface TestKey {
  privatePath: string;
  publicKey: SshPublicKey;
  /** The `.pub` line (with comment), as a person pastes it into the roster. */
  line: string;
}

/** Creates a key with the real `ssh-keygen -t <type> -N ''` (ed25519 or ecdsa P-256). */
export function makeKey(dir: string, name: string, type: 'ed25519' | 'ecdsa' = 'ed25519'): TestKey {
  const privatePath = path.join(dir, `${name}_${type}`);
  const r = spawnSync('ssh-keygen', ['-q', '-t', type, ...(type === 'ecdsa' ? ['-b', '256'] : []), '-N', '', '-C', `${name}@test`, '-f', privatePath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  const line = readFileSync(`${privatePath}.pub`, 'utf8').trim();
  return { privatePath, publicKey: parseSshPublicKey(line), line };
}

/** OpenSSH's own fingerprint of a public key line (`ssh-keygen -lf`). */
export function opensshFingerprint(line: string): string {
  const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: `${line}\n`, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen -l failed: ${r.stderr}`);
  return r.stdout.split(' ')[1]!;
}
