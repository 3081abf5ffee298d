import { BreakGlassService } from '../app/service';
import type { Clock, HostInfo } from '../app/ports';
import { GitEvidenceStore } from './evidenceStore';
import { repositoryOutputAuthenticator } from './evidence/outputKey';
import { nodeHostInfo, systemClock } from './host';
import { Outbox } from './outbox';
import { evidenceRepoDir } from './paths';

/** Everything a caller (CLI, console, test host) needs, wired once. */
export interface ConsoleContext {
  repoDir: string;
  store: GitEvidenceStore;
  service: BreakGlassService;
  outbox: Outbox;
  host: HostInfo;
  clock: Clock;
}

/** Opens the evidence repository (creating the embedded default on first use) and wires the service. */
export async function openContext(options: { repo?: string | undefined; env?: NodeJS.ProcessEnv; clock?: Clock; host?: HostInfo; observer?: boolean } = {}): Promise<ConsoleContext> {
  const env = options.env ?? process.env;
  const repoDir = evidenceRepoDir(options.repo, env);
  // The embedded default is created on first use; an explicit folder is created only if empty or absent.
  const store = await GitEvidenceStore.open(repoDir, { create: true });
  const host = options.host ?? nodeHostInfo(env);
  const clock = options.clock ?? systemClock;
  // Action output is authenticated under the repository's host key, not hashed in the clear (issue 13).
  const service = new BreakGlassService({ store, clock, host, outputAuth: repositoryOutputAuthenticator(repoDir) });
  // An observer (the commander's machine, issue 6) fetches and merges but writes no record of its own.
  const outbox = new Outbox(store, {
    now: () => clock.now(),
    ...(options.observer ? {} : {
      onPolicyAdopted: async (o: { previous: string | null; adopted: string }) => {
        await service.recordPolicyAdopted(o.previous, o.adopted);
      },
      onLockRecovered: async (r: import('../app/ports').LockRecovery) => {
        await service.recordLockRecovery(r);
      },
    }),
  });
  return { repoDir, store, service, outbox, host, clock };
}
