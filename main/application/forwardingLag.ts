import { lastRecordedState, nextForwardingState, RECORD_BEHIND_AFTER_MS } from '../../app/forwarding/lag';
import type { Application } from './application';
import type { RepositoryForwarding } from './forwarding';

/** Options of {@link recordForwardingLag}. */
export interface ForwardingLagOptions {
  /** How long a destination fails, with records pending, before it is recorded as behind (default 5 min). */
  behindAfterMs?: number;
  /** How often the state is looked at besides on every change of it (default 15 s: "failing for 5 min" becomes true with no change). */
  checkEveryMs?: number;
  /** The forwarder's clock: the failure times it writes are compared with it (default Date.now). */
  now?: () => number;
}

/**
 * Records this host's forwarding falling behind and catching up as `forwarding-state` journal
 * records (issue 19, "the board shows a host whose forwarding is behind"): forwarding's state
 * stays in this host's git dir, and the commander's console on another machine learns of it only
 * through the evidence it fetches. The console runs this, never an observer (which writes no
 * record) nor the CLI (which does not live long enough to see a destination fail for minutes).
 * The record goes through the application layer's write like any other, so it is pushed and
 * forwarded to the destinations that still work. Returns the stop.
 */
export function recordForwardingLag(app: Application, forwarding: RepositoryForwarding, options: ForwardingLagOptions = {}): () => void {
  const now = options.now ?? Date.now;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const check = async (): Promise<void> => {
    const statuses = await forwarding.status();
    const view = await app.service.read();
    const next = nextForwardingState(statuses, now(), lastRecordedState(view, app.ctx.host.hostId), options.behindAfterMs ?? RECORD_BEHIND_AFTER_MS);
    if (next && !stopped) await app.write((s) => s.recordForwardingState(next));
  };
  // One check at a time; a change during one asks for one more after it (so no transition is recorded twice).
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        // A failed check (a ledger being written, a write refused) is retried at the next change or tick.
        await check().catch(() => {});
      } while (again && !stopped);
      running = null;
    })();
  };
  const unsubscribe = forwarding.forwarder.onChange(kick);
  const timer = setInterval(kick, options.checkEveryMs ?? 15_000);
  timer.unref?.();
  kick();
  return () => {
    stopped = true;
    clearInterval(timer);
    unsubscribe();
  };
}
