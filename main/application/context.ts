import { BreakGlassService } from '../../app/service';
import { remotePrecondition } from '../../app/preconditions';
import type { BootClock, Clock, HostInfo, LockRecovery } from '../../app/ports';
import { GitEvidenceStore } from '../evidence/store';
import { repositoryOutputAuthenticator } from '../evidence/outputKey';
import { systemClock } from '../host/hostInfo';
import { systemBootClock } from '../host/bootClock';
import { Outbox } from '../sync/outbox';
import { RepositoryForwarding } from './forwarding';
import { openingPrologue } from './openSliceService';
import { Remote } from '../sync/remote';

/** Everything a caller (CLI, console, test host) needs, wired once. */
export interface ConsoleContext {
  repoDir: string;
  store: GitEvidenceStore;
  service: BreakGlassService;
  /** The shared remote's configuration (the outbox pushes to it, the board fetches from it). */
  remote: Remote;
  outbox: Outbox;
  /** Forwarding of this host's records to the policy's destinations (issue 19); started by the console, by the CLI on its first write. */
  forwarding: RepositoryForwarding;
  host: HostInfo;
  clock: Clock;
}

/** How a caller opens the repository. */
export interface OpenContextOptions {
  repo?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /**
   * The wall clock; the system's by default. A clock of the caller's (a test moving time) comes
   * without the system's boot clock, which would read its every move as skew: give `boot` with it.
   */
  clock?: Clock;
  /** The boot clock (issue 16); by default the system's, unless `clock` is given. */
  boot?: BootClock;
  host?: HostInfo;
  /** The commander's read-only console (issue 6): fetches, never writes a record. */
  observer?: boolean;
  /**
   * Reading only (verify, log, report, the observer's board: issue 12 item 1): an absent folder is
   * refused rather than created, an existing repository is never written, not even its config.
   */
  readOnly?: boolean;
  /** Reads of this host's open sessions only (issue 18: `env`, `status`; see OpenOptions.openOnly in main/evidence/store.ts). */
  openOnly?: boolean;
  /** Says the touch prompt before a security key signs (issue 15): the CLI writes it to stderr. */
  onTouch?: (message: string) => void;
  /** How long a write waits for the writer lock (default 30 s; tests of a held lock shorten it). */
  lockWaitMs?: number;
}

/** Opens the evidence repository (creating the embedded default on first use) and wires the service. */
export async function openContext(options: OpenContextOptions = {}): Promise<ConsoleContext> {
  const { env, repoDir, host } = await openingPrologue(options);
  // The embedded default is created on first use; an explicit folder is created only if empty or
  // absent, and never for reading or by an observer. An existing repository is never committed to
  // by opening it (issue 12 item 1).
  const readOnly = options.readOnly ?? false;
  // Records are signed through the caller's ssh-agent (issue 15): the console's backend and the CLI say which in `env`.
  const store = await GitEvidenceStore.open(repoDir, { create: !readOnly && !options.observer, readOnly, hostId: host.hostId, openOnly: options.openOnly ?? false, ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}), signing: { agentSocket: env.SSH_AUTH_SOCK ?? null, ...(options.onTouch ? { onTouch: options.onTouch } : {}) } });
  const clock = options.clock ?? systemClock;
  const boot = options.boot ?? (options.clock ? undefined : systemBootClock);
  const remote = new Remote(store.git, store.branch, store.gitDir);
  // The "Shared remote" precondition reads the outbox's push state (issue 12 item 2); the outbox is
  // made below, after the service it reports lock recoveries and policy adoptions to.
  let outboxRef: Outbox | null = null;
  const forwarding = new RepositoryForwarding(store, host, { env });
  // Action output is authenticated under the repository's host key, not hashed in the clear (issue 13).
  const service = new BreakGlassService({
    store, clock, ...(boot ? { boot } : {}), host, outputAuth: repositoryOutputAuthenticator(repoDir),
    remote: { describe: async () => remotePrecondition(outboxRef ? await outboxRef.status() : { state: 'local-only' }) },
    forwarding: { describe: (view) => forwarding.precondition(view) },
    signing: { state: async () => store.signing.stateFor(await store.roster()) },
  });
  // An observer (the commander's machine, issue 6) fetches but writes no record of its own.
  const outbox = new Outbox(store, remote, {
    now: () => clock.now(),
    ...(options.observer || readOnly ? {} : {
      onPolicyAdopted: async (o: { previous: string | null; adopted: string }) => {
        await service.recordPolicyAdopted(o.previous, o.adopted);
      },
      onLockRecovered: async (r: LockRecovery) => {
        await service.recordLockRecovery(r);
      },
      onLayoutMove: async () => {
        await service.recordLayoutMove();
      },
    }),
  });
  outboxRef = outbox;
  return { repoDir, store, service, remote, outbox, forwarding, host, clock };
}
