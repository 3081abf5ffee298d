import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TOUCH_PROMPT } from '../../app/roster/signerChoice';
import { parseSshPublicKey, SshFormatError, type SshPublicKey } from '../../app/roster/sshKey';
import { verifySshSignature } from './sshsig';
import { runSshTool, SshToolFailure } from './sshTools';

/**
 * Who signs a commit (issue 15). A person's key is only ever used through their ssh-agent: the
 * console hands `ssh-keygen -Y sign -U` the public key and the agent signs, so the private key
 * never enters the console. The host key (hostKey.ts) is a file the console owns, signed with
 * `ssh-keygen -Y sign -f`. Every signature is verified in-process against the expected key before
 * it is used, so a confused or hostile agent cannot slip another key's signature into evidence.
 */

// The words shown (UI, CLI) before a security key's signature live in app/ so the wizard says the same.
export { TOUCH_PROMPT } from '../../app/roster/signerChoice';

/** Something that signs commit payloads in SSH's "git" namespace with one key. */
export interface CommitSigner {
  readonly key: SshPublicKey;
  /** Returns the armored SSHSIG over `payload`, in `namespace` (default "git"; issue 16: "breakglass-ack"). */
  sign(payload: Buffer, namespace?: string): Promise<string>;
}

/** Options of an agent signer. */
export interface AgentSignerOptions {
  /** The agent's socket; default SSH_AUTH_SOCK of this process. */
  agentSocket?: string | null;
  /** Called with TOUCH_PROMPT before a security key signs. */
  onTouch?: (message: string) => void;
  /** How long to wait for the agent (and the touch); default 60 s for security keys, 15 s otherwise. */
  timeoutMs?: number;
}

async function signedAndChecked(caller: string, key: SshPublicKey, payload: Buffer, args: string[], options: { agentSocket?: string | null; timeoutMs: number; namespace?: string | undefined }): Promise<string> {
  const namespace = options.namespace ?? 'git';
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(namespace)) throw new Error('signedAndChecked: not a namespace');
  const { stdout } = await runSshTool(caller, 'ssh-keygen', ['-Y', 'sign', '-n', namespace, ...args], { input: payload, agentSocket: options.agentSocket ?? null, timeoutMs: options.timeoutMs });
  const armored = stdout.toString('utf8');
  const check = verifySshSignature(armored, payload, namespace);
  if (!check.ok || check.key.fingerprint !== key.fingerprint) throw new SshToolFailure(caller, 'ssh-keygen', 'failed', 0, `signature did not verify against ${key.fingerprint}`);
  return armored;
}

/** A signer that asks the ssh-agent to sign with `publicKey` (a key line or a parsed key). */
export function agentSigner(publicKey: SshPublicKey | string, options: AgentSignerOptions = {}): CommitSigner {
  const key = typeof publicKey === 'string' ? parseSshPublicKey(publicKey) : publicKey;
  const socket = options.agentSocket === undefined ? process.env.SSH_AUTH_SOCK ?? null : options.agentSocket;
  return {
    key,
    async sign(payload, namespace) {
      // ssh-keygen names the key by a file; a public key file and -U mean "the agent holds the private half".
      const dir = await mkdtemp(path.join(os.tmpdir(), 'bg-sign-'));
      try {
        const file = path.join(dir, 'key.pub');
        await writeFile(file, `${key.line}\n`, { mode: 0o600 });
        if (key.securityKey) options.onTouch?.(TOUCH_PROMPT);
        return await signedAndChecked('sign-with-agent', key, payload, ['-U', '-f', file], { agentSocket: socket, namespace, timeoutMs: options.timeoutMs ?? (key.securityKey ? 60_000 : 15_000) });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A signer for a private key file the console owns (the per-host key); no agent is consulted. */
export function keyFileSigner(privateKeyPath: string, publicKey: SshPublicKey, options: { timeoutMs?: number } = {}): CommitSigner {
  return {
    key: publicKey,
    sign: (payload, namespace) => signedAndChecked('sign-with-host-key', publicKey, payload, ['-f', privateKeyPath], { agentSocket: null, namespace, timeoutMs: options.timeoutMs ?? 15_000 }),
  };
}

/** A key the agent holds, with the comment `ssh-add -L` shows (for choosing one; never written to evidence). */
export interface AgentKey extends SshPublicKey {
  comment: string;
}

/**
 * The keys in the ssh-agent (`ssh-add -L`) that a roster accepts; other types (RSA, certificates)
 * are left out. An agent with no keys gives []; no agent at all is an SshToolFailure
 * `agent-unreachable`.
 */
export async function listAgentKeys(options: { agentSocket?: string | null } = {}): Promise<AgentKey[]> {
  const socket = options.agentSocket === undefined ? process.env.SSH_AUTH_SOCK ?? null : options.agentSocket;
  if (!socket) throw new SshToolFailure('list-agent-keys', 'ssh-add', 'agent-unreachable', null, 'SSH_AUTH_SOCK is not set');
  const { stdout, exitCode } = await runSshTool('list-agent-keys', 'ssh-add', ['-L'], { agentSocket: socket, ok: [0, 1], timeoutMs: 10_000 });
  if (exitCode === 1) return [];
  const keys: AgentKey[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const key = parseSshPublicKey(line);
      keys.push({ ...key, comment: line.trim().split(/\s+/).slice(2).join(' ') });
    } catch (e) {
      if (!(e instanceof SshFormatError)) throw e;
    }
  }
  return keys;
}
