import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import treeKill from 'tree-kill';

/**
 * How everything a session starts is contained (issue 17, "Containment for everything a session
 * starts"). On Linux each command or shell runs as PID 1 of its own PID namespace:
 *
 *   setpriv --pdeathsig KILL -- unshare [--user --map-current-user] --pid --fork --mount-proc --kill-child -- CMD
 *
 * - When the namespace's PID 1 ends, the kernel SIGKILLs every other process in it: `setsid`,
 *   double forks and daemons cannot outlive it (pid_namespaces(7)).
 * - `--kill-child` makes unshare's child (the namespace's PID 1) die with SIGKILL when unshare
 *   dies, so `kill -9` of the wrapper ends the namespace.
 * - `setpriv --pdeathsig KILL` ties unshare to our process: `kill -9` of Node (or Electron) kills
 *   unshare, which kills the namespace. Under a PTY the master's hangup does the same.
 * - `--user --map-current-user` is what lets an unprivileged user create the namespace. As root
 *   it is left out: root in a child user namespace loses its power over files of other users.
 *   Inside a user namespace setuid programs (sudo, su) cannot raise privileges; `userNamespace`
 *   says so, so the UI and README can tell the operator.
 *
 * Where this is not possible (macOS, Windows, unshare missing or refused, e.g. Ubuntu's AppArmor
 * restriction on unprivileged user namespaces), commands run in their own process group and are
 * stopped by group and by tree (tree-kill); `contained: false` and `reason` say what escapes.
 */

/** What contains a started process; `contained: false` says what can escape and why. */
export type Containment =
  | { kind: 'pid-namespace'; contained: true; userNamespace: boolean; tiedToParent: boolean }
  | { kind: 'process-group'; contained: false; reason: string };

/** The prefix that runs a command inside the container, and how it is contained. */
export interface ContainmentPlan {
  containment: Containment;
  /** Put before the command's argv (empty for the process-group fallback). */
  prefix: string[];
}

const GROUP_REASON_PLATFORM =
  'This platform has no PID namespaces: processes that start their own session and leave their parent (setsid with a double fork, daemons) can outlive the session, and nothing is stopped if the console itself is killed.';
const GROUP_REASON_REFUSED =
  'unshare could not create a PID namespace here (missing, or user namespaces are disabled): processes that start their own session and leave their parent (setsid with a double fork, daemons) can outlive the session.';
const GROUP_REASON_FORCED = 'Containment was turned off with BREAKGLASS_CONTAINMENT=process-group.';

function commandWorks(file: string, args: string[]): boolean {
  const probe = spawnSync(file, args, { stdio: 'ignore', timeout: 5_000 });
  return probe.status === 0;
}

let cachedPlan: ContainmentPlan | null = null;

/**
 * Probes once per process what containment this host offers (a real `unshare … true`).
 * `BREAKGLASS_CONTAINMENT=process-group` forces the fallback (for hosts where namespaces misbehave,
 * and for the fallback's own tests).
 */
export function containmentPlan(env: NodeJS.ProcessEnv = process.env): ContainmentPlan {
  if (env.BREAKGLASS_CONTAINMENT === 'process-group') return { containment: { kind: 'process-group', contained: false, reason: GROUP_REASON_FORCED }, prefix: [] };
  if (cachedPlan) return cachedPlan;
  cachedPlan = probePlan();
  return cachedPlan;
}

function probePlan(): ContainmentPlan {
  if (process.platform !== 'linux') return { containment: { kind: 'process-group', contained: false, reason: GROUP_REASON_PLATFORM }, prefix: [] };
  const asRoot = process.geteuid?.() === 0;
  const unshare = ['unshare', ...(asRoot ? [] : ['--user', '--map-current-user']), '--pid', '--fork', '--mount-proc', '--kill-child', '--'];
  if (!commandWorks(unshare[0]!, [...unshare.slice(1), 'true'])) {
    return { containment: { kind: 'process-group', contained: false, reason: GROUP_REASON_REFUSED }, prefix: [] };
  }
  const setpriv = ['setpriv', '--pdeathsig', 'KILL', '--'];
  const tiedToParent = commandWorks(setpriv[0]!, [...setpriv.slice(1), 'true']);
  return {
    containment: { kind: 'pid-namespace', contained: true, userNamespace: !asRoot, tiedToParent },
    prefix: [...(tiedToParent ? setpriv : []), ...unshare],
  };
}

/** State and parent pid of a process from /proc/PID/stat (the fields after the parenthesised name). */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

function parentPid(pid: number): number | null {
  return procStat(pid)?.ppid ?? null;
}

function numericEntries(dir: string): number[] {
  try {
    return readdirSync(dir).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/** The namespace's PID 1 as seen from outside: the wrapper's (unshare's) only child. */
export function namespaceInit(wrapperPid: number): number | null {
  try {
    const children = readFileSync(`/proc/${wrapperPid}/task/${wrapperPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (children.length > 0) return Number(children[0]);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: fall back to scanning parents.
  }
  return numericEntries('/proc').find((p) => parentPid(p) === wrapperPid) ?? null;
}

function pidNamespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/**
 * Every live process (outside pids) in the same PID namespace as `initPid`, init first. Zombies
 * are left out: a PID 1 that is not a shell does not reap the orphans it inherits.
 */
export function namespaceMembers(initPid: number): number[] {
  const ns = pidNamespaceOf(initPid);
  if (!ns) return [];
  const live = (p: number) => {
    const state = procStat(p)?.state;
    return state !== undefined && state !== 'Z' && state !== 'X';
  };
  const others = numericEntries('/proc').filter((p) => p !== initPid && pidNamespaceOf(p) === ns && live(p));
  return [initPid, ...others];
}

/**
 * Whether a process has a handler for `signal` (SigCgt in /proc/PID/status). The namespace's PID 1
 * receives from outside only the signals it catches; for one it does not catch, the default action
 * would have ended it at once, so ending it with SIGKILL instead changes nothing for it.
 */
export function catchesSignal(pid: number, signal: NodeJS.Signals): boolean {
  const number = osConstants.signals[signal];
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^SigCgt:\s*([0-9a-f]+)$/m);
    return line ? (BigInt(`0x${line[1]}`) >> BigInt(number - 1)) % 2n === 1n : false;
  } catch {
    return false;
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Signals everything a contained process started. In a namespace: SIGKILL kills the wrapper (and so,
 * through --kill-child, the namespace); any other signal goes to every member from outside — the
 * namespace's PID 1 only receives signals it handles (a shell's SIGHUP, say), which is why stopping
 * ends with SIGKILL. In the fallback: the process group, then the tree for those that left it.
 */
export function signalContained(containment: Containment, wrapperPid: number, signal: NodeJS.Signals): void {
  if (containment.kind === 'pid-namespace') {
    if (signal === 'SIGKILL') {
      const init = namespaceInit(wrapperPid);
      signalQuietly(wrapperPid, 'SIGKILL');
      // Without waiting for unshare's death signal to reach init: kill init directly too.
      if (init !== null) signalQuietly(init, 'SIGKILL');
      return;
    }
    const init = namespaceInit(wrapperPid);
    if (init !== null) for (const pid of namespaceMembers(init)) signalQuietly(pid, signal);
    return;
  }
  signalQuietly(-wrapperPid, signal);
  treeKill(wrapperPid, signal, () => {});
}
