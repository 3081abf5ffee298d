import path from 'node:path';
import type { Destination } from '../../app/forwarding/policy';
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
  /** The forwarding section in force (JSON), once the policy was read; undefined before. */
  private config: string | undefined = undefined;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly store: GitEvidenceStore,
    private readonly host: HostInfo,
    options: RepositoryForwardingOptions = {},
  ) {
    this.forwarder = new Forwarder({
      source: new StoreForwardSource(store, host.hostId),
      stateDir: path.join(store.gitDir, 'breakglass-forward'),
      forwarding: null,
      host: { id: host.hostId, name: host.hostName },
      product: FORWARD_PRODUCT,
      ...(options.env ? { env: options.env } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
  }

  /** The policy is read on first use, so a command that never forwards never reads it for forwarding. */
  private async ready(): Promise<void> {
    if (this.config === undefined) await this.follow(await this.store.read());
  }

  /** Starts delivering in the background (the console at launch; the CLI on its first write). */
  start(): Promise<void> {
    this.starting ??= this.ready().then(() => this.forwarder.start(), () => this.forwarder.start());
    return this.starting;
  }

  /** After a commit: starts forwarding if it was not (a CLI's first write), and hands it the new record. Returns at once. */
  committed(): void {
    if (!this.starting) void this.start();
    else this.forwarder.notify();
  }

  /**
   * Follows the policy in force: when its forwarding section changed (a policy commit, a merge of
   * the organisation's policy), the destinations are reconfigured. An invalid policy changes
   * nothing: records cannot be written under it, and what was written is still forwarded.
   */
  async follow(view: LedgerView): Promise<void> {
    if (!view.policy.ok) {
      this.config ??= JSON.stringify(null);
      return;
    }
    const next = view.policy.policy.forwarding ?? null;
    const json = JSON.stringify(next);
    if (json === this.config) return;
    this.config = json;
    await this.forwarder.reconfigure(next);
  }

  /** Each destination's state. */
  async status(): Promise<ForwardDestinationStatus[]> {
    await this.ready();
    return this.forwarder.status();
  }

  /** The destinations of the policy in force. */
  async destinations(): Promise<readonly Destination[]> {
    await this.ready();
    return this.forwarder.destinations;
  }

  /** Sends one test event to a destination; changes nothing else. */
  async test(destinationId: string): Promise<ForwardTestResult> {
    await this.ready();
    return this.forwarder.test(destinationId);
  }

  /**
   * The wizard's forwarding precondition (a warning at worst), or null when the policy forwards
   * nothing. It reads the host's state files, not the ledger: a declaration runs it inside its commit.
   */
  async precondition(view: LedgerView): Promise<{ status: 'pass' | 'warn'; detail: string } | null> {
    if (!view.policy.ok || !view.policy.policy.forwarding) return null;
    // No follow() here: reconfiguring waits for passes that may wait for the ledger this commit holds.
    const statuses = await this.forwarder.failures(view.policy.policy.forwarding.destinations).catch(() => []);
    return forwardingPrecondition(view.policy.policy.forwarding, this.host, statuses);
  }

  /**
   * Stops forwarding. With `waitMs`, first waits up to that long for every destination to settle
   * (delivered, failing, or left to another process): what a short-lived CLI does before it exits.
   */
  async stop(waitMs = 0): Promise<void> {
    if (this.starting) {
      await this.starting;
      if (waitMs > 0) await this.forwarder.whenSettled(waitMs);
    }
    this.starting = null;
    await this.forwarder.stop();
  }
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
