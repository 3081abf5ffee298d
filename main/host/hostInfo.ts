import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { sha256Hex } from '../../app/chain';
import type { Clock, HostInfo } from '../../app/ports';

/**
 * A stable id for this host: derived from the machine id and hostname, so the console and the CLI
 * agree without any stored state. `BREAKGLASS_HOST_ID` overrides it (tests simulate several hosts
 * on one machine this way).
 */
export function hostIdentity(env: NodeJS.ProcessEnv = process.env): { hostId: string; hostName: string } {
  const hostName = env.BREAKGLASS_HOST_NAME || os.hostname() || 'localhost';
  if (env.BREAKGLASS_HOST_ID) return { hostId: env.BREAKGLASS_HOST_ID.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 64), hostName };
  let machineId = '';
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      machineId = readFileSync(f, 'utf8').trim();
      if (machineId) break;
    } catch {
      /* try the next */
    }
  }
  return { hostId: sha256Hex(`${machineId}\n${hostName}`).slice(0, 12), hostName };
}

/** The real host: OS account, environment variables and files for credential checks. */
export function nodeHostInfo(env: NodeJS.ProcessEnv = process.env): HostInfo {
  const id = hostIdentity(env);
  return {
    ...id,
    osAccount() {
      const info = os.userInfo();
      return { username: info.username, uid: info.uid === -1 ? null : info.uid };
    },
    env: (name) => env[name],
    fileExists: (p) => existsSync(p.startsWith('~/') ? `${os.homedir()}${p.slice(1)}` : p),
  };
}

/**
 * Milliseconds since boot, counting suspend (CLOCK_BOOTTIME, from /proc/uptime at 10 ms steps), or
 * null where there is no /proc (not Linux).
 */
export function bootTimeMs(read: () => string = () => readFileSync('/proc/uptime', 'utf8')): number | null {
  try {
    const seconds = Number(read().split(' ')[0]);
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : null;
  } catch {
    return null;
  }
}

const hasBootTime = bootTimeMs() !== null;

/**
 * The system clock. The monotonic reading counts suspend where the OS says how long it was up
 * (Linux): a laptop lid closed for an hour then moves both clocks by an hour, and is no clock skew
 * (issue 5), with or without a power monitor to announce the resume — the Chromium console has
 * none (issue 20). Elsewhere `performance.now()`, and Electron's resume event resets the check.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicMs: () => (hasBootTime ? (bootTimeMs() ?? performance.now()) : performance.now()),
};
