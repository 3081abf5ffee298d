import path from 'node:path';
import type { ForwardingConfig } from '../../app/forwarding/policy';
import { forwardingPrecondition, type ForwardDestinationStatus, type ForwardTestResult } from '../../app/forwarding/status';
import type { HostInfo, LedgerView } from '../../app/ports';
import { StoreForwardSource } from '../evidence/forwardSource';
import type { GitEvidenceStore } from '../evidence/store';
import { Forwarder } from '../forward/forwarder';

/**
 * The one forwarder of an evidence repository (issue 19), as the console and the CLI run it: it
 * reads this host's records from the repository's ledger, keeps its cursors in the repository's
 * git dir (host state, never committed), follows the policy's `forwarding` section as the
 * policy changes, and hears of every commit from the application layer's after-write work.
 */

/** The product every event names (package.json's name for people, and its version). */
export const FORWARD_PRODUCT = { name: 'Break-Glass Console', version: '0.1.0' };

/**
 * How long a CLI process waits, after its last write, for its records to reach every destination
 * before it exits. A destination that fails or answers slowly does not hold the command up longer:
 * the records stay after the cursor in the ledger (nothing is held in memory) and the next CLI
 * write or the running console sends them.
 */
export const CLI_FORWARD_WAIT_MS = 5_000;

/** Options of {@link RepositoryForwarding}. */
export interface RepositoryForwardingOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** How often the ledger's tip is checked for records other writers committed (default 2 s). */
  pollIntervalMs?: number;
}

/** One evidence repository's forwarding. */
export class RepositoryForwarding {
  readonly forwarder: Forwarder;
  private config: string;
  private started = false;

  constructor(
    store: GitEvidenceStore,
    private readonly host: HostInfo,
    forwarding: ForwardingConfig | null,
    options: RepositoryForwardingOptions = {},
  ) {
    this.config = JSON.stringify(forwarding);
    this.forwarder = new Forwarder({
      source: new StoreForwardSource(store, host.hostId),
      stateDir: path.join(store.gitDir, 'breakglass-forward'),
      forwarding,
      host: { id: host.hostId, name: host.hostName },
      product: FORWARD_PRODUCT,
      ...(options.env ? { env: options.env } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
  }

  /** Opens the forwarding of `store` under the policy in force. */
  static async open(store: GitEvidenceStore, host: HostInfo, options: RepositoryForwardingOptions = {}): Promise<RepositoryForwarding> {
    return new RepositoryForwarding(store, host, forwardingOf(await store.read()), options);
  }

  /** Starts delivering in the background (the console; the CLI on its first write). */
  start(): void {
    this.started = true;
    this.forwarder.start();
  }

  /** After a commit: starts forwarding if it was not (a CLI's first write), and hands it the new record. Returns at once. */
  committed(): void {
    if (!this.started) this.start();
    else this.forwarder.notify();
  }

  /**
   * Follows the policy in force: when its forwarding section changed (a policy commit, a merge of
   * the organisation's policy), the destinations are reconfigured. An invalid policy changes
   * nothing: records cannot be written under it, and what was written is still forwarded.
   */
  async follow(view: LedgerView): Promise<void> {
    if (!view.policy.ok) return;
    const next = view.policy.policy.forwarding ?? null;
    const json = JSON.stringify(next);
    if (json === this.config) return;
    this.config = json;
    await this.forwarder.reconfigure(next);
  }

  /** Each destination's state. */
  status(): Promise<ForwardDestinationStatus[]> {
    return this.forwarder.status();
  }

  /** Sends one test event to a destination; changes nothing else. */
  test(destinationId: string): Promise<ForwardTestResult> {
    return this.forwarder.test(destinationId);
  }

  /**
   * The wizard's forwarding precondition (a warning at worst), or null when the policy forwards
   * nothing. It reads the host's state files, not the ledger: a declaration runs it inside its commit.
   */
  async precondition(view: LedgerView): Promise<{ status: 'pass' | 'warn'; detail: string } | null> {
    if (!view.policy.ok || !view.policy.policy.forwarding) return null;
    const statuses = await this.forwarder.failures().catch(() => []);
    return forwardingPrecondition(view.policy.policy.forwarding, this.host, statuses);
  }

  /**
   * Stops forwarding. With `waitMs`, first waits up to that long for every destination to settle
   * (delivered, failing, or left to another process): what a short-lived CLI does before it exits.
   */
  async stop(waitMs = 0): Promise<void> {
    if (this.started && waitMs > 0) await this.forwarder.whenSettled(waitMs);
    this.started = false;
    await this.forwarder.stop();
  }
}

/** The forwarding section of the policy in force, or null. */
function forwardingOf(view: LedgerView): ForwardingConfig | null {
  return view.policy.ok ? view.policy.policy.forwarding ?? null : null;
}

/**
 * Calls `send` with every destination's state whenever it may have changed (the console's
 * `forward.changed` event), at most every 250 ms: a backlog saves its cursor per batch.
 * Returns the unsubscribe.
 */
export function watchForwarding(forwarding: RepositoryForwarding, send: (statuses: ForwardDestinationStatus[]) => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const unsubscribe = forwarding.forwarder.onChange(() => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void forwarding.status().then((s) => {
        if (!stopped) send(s);
      }, () => {});
    }, 250);
  });
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}
