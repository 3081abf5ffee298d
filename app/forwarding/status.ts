import type { ForwardingConfig } from './policy';
import { destinationHostProblems } from './policy';

/**
 * What the console, the CLI and the wizard say about forwarding (issue 19 "Visible" and "Bad
 * configuration is caught before the day it matters"): each destination's state as main/forward
 * reports it, one summary for the header, and the precondition, which warns and never blocks.
 */

/** Why a destination did not take an event (main/forward/errors.ts explains each). */
export type ForwardFailureKind = 'unreachable' | 'tls' | 'wrong-ca' | 'certificate' | 'auth' | 'http-status' | 'protocol' | 'config' | 'ledger';

/** One destination's state, for the header, Settings and `breakglass forward status`. */
export interface ForwardDestinationStatus {
  id: string;
  kind: 'syslog' | 'webhook' | 'splunk-hec';
  /** Where it sends (no secrets). */
  target: string;
  /** The last record delivered: its position, hash and time, and when it was delivered. Null when nothing was yet. */
  deliveredUpTo: { position: number; recordHash: string; recordAt: string | null; deliveredAt: string | null } | null;
  /** This host's records not yet delivered. */
  pending: number;
  /** Set while deliveries fail: since when, why, how often, and the next try. */
  failing: { kind: ForwardFailureKind; reason: string; since: string; attempts: number; nextTryAt: string | null } | null;
  lastCheckpointAt: string | null;
  /** Why delivery started again from the first record, if it did. */
  restarted: { at: string; reason: string } | null;
}

/** The outcome of sending one test event to a destination (nothing else changes). */
export type ForwardTestResult =
  | { ok: true; destination: string; target: string; ms: number }
  | { ok: false; destination: string; target: string; kind: ForwardFailureKind; message: string };

/** The header's one line about forwarding. */
export type ForwardingSummary =
  | { state: 'off' }
  | { state: 'delivered'; destinations: number; deliveredAt: string | null }
  | { state: 'delivering'; pending: number }
  | { state: 'failing'; since: string; pending: number; failing: string[]; reason: string };

/** Folds every destination's state into the header's line: failing wins, then anything queued, else delivered. */
export function forwardingSummary(destinations: readonly ForwardDestinationStatus[]): ForwardingSummary {
  if (destinations.length === 0) return { state: 'off' };
  const pending = Math.max(...destinations.map((d) => d.pending));
  const failing = destinations.filter((d) => d.failing !== null);
  if (failing.length > 0) {
    const first = [...failing].sort((a, b) => a.failing!.since.localeCompare(b.failing!.since))[0]!;
    return { state: 'failing', since: first.failing!.since, pending, failing: failing.map((d) => d.id), reason: first.failing!.reason };
  }
  if (pending > 0) return { state: 'delivering', pending };
  const times = destinations.map((d) => d.deliveredUpTo?.deliveredAt ?? null);
  const oldest = times.includes(null) ? null : [...(times as string[])].sort()[0] ?? null;
  return { state: 'delivered', destinations: destinations.length, deliveredAt: oldest };
}

/**
 * The wizard's "Forwarding" precondition: what this host lacks for each destination (files and
 * environment variables the policy names) and each destination that is failing now, with its
 * reason. Always a warning at worst (issue 19: never a blocker): evidence is committed whether or
 * not the SIEM hears of it, and is sent when the destination is fixed.
 */
export function forwardingPrecondition(
  forwarding: ForwardingConfig | undefined,
  host: { env(name: string): string | undefined; fileExists(path: string): boolean },
  statuses: ReadonlyArray<Pick<ForwardDestinationStatus, 'id' | 'target' | 'failing'>>,
): { status: 'pass' | 'warn'; detail: string } | null {
  if (!forwarding) return null;
  const problems = forwarding.destinations.flatMap((d) => destinationHostProblems(d, host));
  for (const s of statuses) {
    if (s.failing) problems.push(`Forwarding to ${s.id} (${s.target}) is failing since ${s.failing.since}: ${s.failing.reason}`);
  }
  if (problems.length > 0) return { status: 'warn', detail: `${problems.join(' ')} Records are committed and queued; they are sent once this is fixed.` };
  const ids = forwarding.destinations.map((d) => d.id).join(', ');
  return { status: 'pass', detail: `Every record is forwarded to ${ids}.` };
}

/** One destination's state in words, one or two lines (`breakglass forward status`). */
export function describeForwardDestination(s: ForwardDestinationStatus): string {
  const delivered = s.deliveredUpTo
    ? `delivered up to record ${s.deliveredUpTo.position}${s.deliveredUpTo.recordAt ? ` (${s.deliveredUpTo.recordAt})` : ''}${s.deliveredUpTo.deliveredAt ? `, at ${s.deliveredUpTo.deliveredAt}` : ''}`
    : 'nothing delivered yet';
  const lines = [`${s.id} (${s.kind}, ${s.target}): ${delivered}; ${s.pending} pending${s.lastCheckpointAt ? `; last checkpoint ${s.lastCheckpointAt}` : ''}.`];
  if (s.failing) {
    lines.push(`  failing since ${s.failing.since} (${s.failing.kind}, ${s.failing.attempts} attempt(s)${s.failing.nextTryAt ? `, next try ${s.failing.nextTryAt}` : ''}): ${s.failing.reason}`);
  }
  if (s.restarted) lines.push(`  started again from the first record at ${s.restarted.at}: ${s.restarted.reason}`);
  return lines.join('\n');
}
