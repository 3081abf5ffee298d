import path from 'node:path';
import { Forwarder } from '../../main/forward/forwarder';
import { StoreForwardSource } from '../../main/evidence/forwardSource';
import { GitEvidenceStore } from '../../main/evidence/store';
import { openContext } from '../../main/application/context';
import { nodeHostInfo } from '../../main/host/hostInfo';
import { declaration, editPolicy } from './cli';
import { gitx } from './lifecycleKit';
import type { OcsfEvent } from '../../app/forwarding/ocsf';

/** The product the forwarding tests name. */
export const PRODUCT = { name: 'Break-Glass Console', version: '0.1.0' };

/** The host the CLI writes as in tests (test/support/cli.ts `cliEnv`). */
export const TEST_HOST = { id: 'test-host', name: 'admin-test' };

/** Puts a forwarding section into the repository's policy, the way an organisation would (a commit to policy.yaml). */
export function setForwarding(repo: string, destinations: Array<Record<string, unknown>>, checkpointMinutes = 60): void {
  editPolicy(repo, (p) => ({ ...p, forwarding: { checkpointMinutes, destinations } }));
}

/**
 * Declares a session through the service alone, as this host (`TEST_HOST`), without the
 * application layer's after-write work: a record committed and not yet forwarded by anyone. (The
 * CLI forwards what it writes before it exits, so a test of the forwarder's own backlog, ordering
 * or checkpoints commits its records this way.)
 */
export async function declareUnforwarded(repo: string): Promise<void> {
  const ctx = await openContext({ repo, host: nodeHostInfo({ ...process.env, BREAKGLASS_HOST_ID: TEST_HOST.id }) });
  await ctx.service.declare(declaration());
}

/** A forwarder over the repository's own policy and ledger, as the console will run it. */
export async function openForwarder(repo: string, options: { env: NodeJS.ProcessEnv; now?: () => number; random?: () => number; pollIntervalMs?: number }): Promise<{ forwarder: Forwarder; store: GitEvidenceStore; stateDir: string }> {
  // The host's own store: its records are on its own ref (issue 14), whose tip is the view's head.
  const store = await GitEvidenceStore.open(repo, { hostId: TEST_HOST.id });
  const view = await store.read();
  if (!view.policy.ok) throw new Error('the test policy does not load');
  const stateDir = path.join(store.gitDir, 'breakglass-forward');
  const forwarder = new Forwarder({
    source: new StoreForwardSource(store, TEST_HOST.id),
    stateDir,
    forwarding: view.policy.policy.forwarding,
    host: TEST_HOST,
    product: PRODUCT,
    env: options.env,
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
    pollIntervalMs: options.pollIntervalMs ?? 300,
  });
  return { forwarder, store, stateDir };
}

/**
 * The record hashes of the ledger in commit order, read with plain git from each commit's
 * `Breakglass-Record-Sha256` trailer (independently of the code under test).
 */
export function ledgerOrder(repo: string): string[] {
  return gitx(repo, ['log', '--reverse', '--topo-order', '--no-merges', '--format=%(trailers:key=Breakglass-Record-Sha256,valueonly)', `refs/heads/hosts/${TEST_HOST.id}`])
    .split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The record events among received events (checkpoints and test events left out), as their ids. */
export function recordIds(events: readonly OcsfEvent[]): string[] {
  return events.filter((e) => !['checkpoint', 'test'].includes(e.metadata.event_code)).map((e) => e.metadata.uid);
}

/** Ids in order of first arrival, and how many arrived more than once. */
export function firstArrivals(ids: readonly string[]): { order: string[]; duplicates: number } {
  const seen = new Set<string>();
  const order: string[] = [];
  for (const id of ids) {
    if (!seen.has(id)) order.push(id);
    seen.add(id);
  }
  return { order, duplicates: ids.length - order.length };
}
