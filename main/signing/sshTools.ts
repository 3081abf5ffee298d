import { spawn } from 'node:child_process';

/**
 * The one place that runs OpenSSH's tools (`ssh-keygen`, `ssh-add`), as main/git.ts is for git
 * (style.md "What we take" 6). Each call names its caller; a failure is a typed SshToolFailure
 * whose message is a fixed sentence chosen by what went wrong — OpenSSH's own stderr (which can
 * hold paths and key comments) is kept on the error for diagnosis, never in the message.
 */

/** The OpenSSH programs the console runs. */
export type SshTool = 'ssh-keygen' | 'ssh-add';

/** What went wrong, as far as the console can tell from the exit code and stderr. */
export type SshFailureReason = 'not-installed' | 'agent-unreachable' | 'agent-empty' | 'key-not-in-agent' | 'timed-out' | 'failed';

const MESSAGES: Record<SshFailureReason, string> = {
  'not-installed': 'OpenSSH (ssh-keygen, ssh-add) is not installed or not on PATH: install OpenSSH 8.9 or later.',
  'agent-unreachable': 'No ssh-agent answers (SSH_AUTH_SOCK is unset or stale): start ssh-agent and add your key with ssh-add.',
  'agent-empty': 'The ssh-agent holds no keys: add yours with ssh-add (or ssh-add -K for a security key).',
  'key-not-in-agent': 'The signing key is not in the ssh-agent (or the agent refused to use it): add it with ssh-add and try again.',
  'timed-out': 'Signing did not finish in time (was the security key touched?): nothing was signed.',
  failed: 'ssh-keygen could not sign or read the key: nothing was signed.',
};

/** An OpenSSH tool that failed; `message` is a fixed sentence, `stderr` the tool's own words (not for display). */
export class SshToolFailure extends Error {
  constructor(
    readonly caller: string,
    readonly tool: SshTool,
    readonly reason: SshFailureReason,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${caller}: ${MESSAGES[reason]}`);
    this.name = 'SshToolFailure';
  }
}

/** Options of one OpenSSH call. */
export interface SshCallOptions {
  input?: Buffer | string;
  /** The agent socket; default: this process's SSH_AUTH_SOCK. */
  agentSocket?: string | null;
  /** Exit codes that count as success (default [0]). */
  ok?: readonly number[];
  /** Hard timeout (a security key waits for its touch; default 120 s). */
  timeoutMs?: number;
}

/** What an OpenSSH call printed. */
export interface SshResult {
  stdout: Buffer;
  exitCode: number;
}

/** What OpenSSH children inherit: an allowlist (no SSH_ASKPASS or LD_PRELOAD from a hostile parent), C locale for stable messages. */
function childEnv(agentSocket: string | null | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C' };
  for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'SYSTEMROOT']) if (process.env[k] !== undefined) env[k] = process.env[k];
  const socket = agentSocket === undefined ? process.env.SSH_AUTH_SOCK : agentSocket;
  if (socket) env.SSH_AUTH_SOCK = socket;
  return env;
}

function classify(tool: SshTool, exitCode: number | null, stderr: string): SshFailureReason {
  if (exitCode === null) return 'timed-out';
  if (/Could not open a connection to your authentication agent|Error connecting to agent|Couldn't get agent socket|agent_?[a-z_]*: (communication|connect)/i.test(stderr)) return 'agent-unreachable';
  if (tool === 'ssh-add' && exitCode === 1 && /no identities/i.test(stderr)) return 'agent-empty';
  if (/agent refused operation|Couldn't find key in agent|not found in agent|sign using agent/i.test(stderr)) return 'key-not-in-agent';
  return 'failed';
}

/** Runs `tool args` for `caller`; resolves on an accepted exit code, else throws SshToolFailure. */
export function runSshTool(caller: string, tool: SshTool, args: readonly string[], options: SshCallOptions = {}): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env: childEnv(options.agentSocket), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => undefined); // the tool may exit before reading all of stdin; its exit code says why
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SshToolFailure(caller, tool, e.code === 'ENOENT' ? 'not-installed' : 'failed', null, ''));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      const exitCode = timedOut ? null : code;
      if (exitCode !== null && (options.ok ?? [0]).includes(exitCode)) resolve({ stdout: Buffer.concat(out), exitCode });
      else reject(new SshToolFailure(caller, tool, classify(tool, exitCode, stderr), exitCode, stderr));
    });
    child.stdin.end(options.input ?? '');
  });
}
