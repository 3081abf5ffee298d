import type { LedgerView } from '../ports';
import type { ForwardDestinationStatus } from './status';
import type { ForwardingStatePayload } from './statePayload';

/**
 * Whether a host's forwarding is behind, for the commander's board (issue 19). Forwarding's state
 * is host state (cursors and failures in the git dir, never pushed), so one console knows two
 * different things, and the board says which it shows:
 * - this host's: live, from its own forwarder's state — what the receivers acknowledged;
 * - another host's: only what that host recorded in its journal (`forwarding-state` records,
 *   written when its forwarding falls behind and when it catches up) — its claim at that time,
 *   as fresh as the last fetch. A host that never recorded one has never said it was behind;
 *   nothing here can prove that it is not.
 * Recording the state as evidence is the simplest design that works offline and across hosts:
 * it travels with the records the commander fetches anyway, needs no new channel, and the SIEM
 * gets it too (through the destinations that still work).
 */

/** How long a destination must fail, with records pending, before the host records that it is behind. */
export const RECORD_BEHIND_AFTER_MS = 5 * 60_000;

/** One destination as the board and a `forwarding-state` record state it. */
export type DestinationLag = ForwardingStatePayload['destinations'][number];

/** What the board knows of one host's forwarding. */
export interface HostForwarding {
  hostId: string;
  hostName: string;
  /** `live`: this host's own forwarder, now. `recorded`: the host's latest `forwarding-state` record, its claim at `at`. */
  source: 'live' | 'recorded';
  at: string;
  behind: boolean;
  /** The destinations behind (all of them when none is). */
  destinations: DestinationLag[];
  /** The commit holding the record (`recorded` only). */
  commit: string | null;
}

/** A destination is behind while it fails with this host's records pending (the header's "failing"). */
function isBehind(s: ForwardDestinationStatus): boolean {
  return s.pending > 0 && s.failing !== null;
}

function lagOf(s: ForwardDestinationStatus): DestinationLag {
  return { id: s.id, pending: s.pending, failure: s.failing?.kind ?? null, failingSince: s.failing?.since ?? null, lastDeliveredAt: s.deliveredUpTo?.deliveredAt ?? null };
}

/**
 * The `forwarding-state` record this host should write now, or null: `behind` once a destination
 * has failed for `behindAfterMs` with records pending (again when the set of such destinations
 * changes), `caught-up` once every destination delivered everything after a `behind`. Only
 * transitions are recorded, so a host that stays behind for a day writes one record, not one a poll.
 */
export function nextForwardingState(statuses: readonly ForwardDestinationStatus[], now: number, last: ForwardingStatePayload | null, behindAfterMs = RECORD_BEHIND_AFTER_MS): ForwardingStatePayload | null {
  const behind = statuses.filter((s) => isBehind(s) && now - Date.parse(s.failing!.since) >= behindAfterMs);
  if (behind.length > 0) {
    const ids = behind.map((s) => s.id).sort().join(',');
    const lastIds = last?.state === 'behind' ? last.destinations.map((d) => d.id).sort().join(',') : null;
    return ids === lastIds ? null : { state: 'behind', destinations: behind.map(lagOf) };
  }
  if (last?.state === 'behind' && statuses.every((s) => s.failing === null && s.pending === 0)) return { state: 'caught-up', destinations: statuses.map(lagOf) };
  return null;
}

/** This host's forwarding now, from its forwarder's statuses; null when the policy forwards nothing. */
export function liveForwarding(host: { id: string; name: string }, statuses: readonly ForwardDestinationStatus[], now: number): HostForwarding | null {
  if (statuses.length === 0) return null;
  const behind = statuses.filter(isBehind);
  return { hostId: host.id, hostName: host.name, source: 'live', at: new Date(now).toISOString(), behind: behind.length > 0, destinations: (behind.length > 0 ? behind : statuses).map(lagOf), commit: null };
}

/** The newest `forwarding-state` record of each host's journal (its last word on its forwarding), by host id. */
export function recordedForwarding(view: LedgerView): Map<string, HostForwarding> {
  const out = new Map<string, HostForwarding>();
  for (const [sessionId, entries] of view.sessions) {
    if (!sessionId.startsWith('journal-')) continue;
    for (let i = entries.length - 1; i >= 0; i--) {
      const { record, commit } = entries[i]!;
      if (record.type !== 'forwarding-state') continue;
      const p = record.payload;
      out.set(record.host.id, { hostId: record.host.id, hostName: record.host.name, source: 'recorded', at: record.at, behind: p.state === 'behind', destinations: p.destinations, commit });
      break;
    }
  }
  return out;
}

/** The latest `forwarding-state` payload this host recorded, or null (what {@link nextForwardingState} compares with). */
export function lastRecordedState(view: LedgerView, hostId: string): ForwardingStatePayload | null {
  const entries = view.sessions.get(`journal-${hostId}`) ?? [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const r = entries[i]!.record;
    if (r.type === 'forwarding-state') return r.payload;
  }
  return null;
}

/** The board's forwarding lines: this host live (when it forwards), every other host as it recorded. */
export function boardForwarding(view: LedgerView, host: { id: string; name: string }, statuses: readonly ForwardDestinationStatus[], now: number): HostForwarding[] {
  const live = liveForwarding(host, statuses, now);
  const others = [...recordedForwarding(view).values()].filter((f) => f.hostId !== host.id).sort((a, b) => a.hostId.localeCompare(b.hostId));
  return live ? [live, ...others] : others;
}
