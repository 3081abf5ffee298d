import { describe, expect, it } from 'vitest';
import { boardForwarding, lastRecordedState, liveForwarding, nextForwardingState, RECORD_BEHIND_AFTER_MS } from '../../app/forwarding/lag';
import type { ForwardDestinationStatus } from '../../app/forwarding/status';
import { FORWARDING_STATE_PAYLOAD } from '../../app/forwarding/statePayload';
import type { LedgerView } from '../../app/ports';
import { ChainBuilder } from '../support/records';

/** Whether a host's forwarding is behind, live and as recorded (issue 19: "the board shows a host whose forwarding is behind"). */

const T = Date.parse('2026-11-28T13:00:00.000Z');
const MIN = 60_000;
const HERE = { id: 'host-a', name: 'admin-01' };

function status(id: string, o: { pending?: number; failingSince?: number | null; deliveredAt?: string | null } = {}): ForwardDestinationStatus {
  const since = o.failingSince ?? null;
  return {
    id, kind: 'syslog', target: `tls://${id}.example.com:6514`, pending: o.pending ?? 0,
    deliveredUpTo: o.deliveredAt === null ? null : { position: 3, recordHash: 'a'.repeat(64), recordAt: null, deliveredAt: o.deliveredAt ?? '2026-11-28T12:58:00.000Z' },
    failing: since === null ? null : { kind: 'unreachable', reason: 'Cannot reach it.', since: new Date(since).toISOString(), attempts: 4, nextTryAt: null },
    lastCheckpointAt: null, restarted: null,
  };
}

describe('nextForwardingState: what this host records, and when', () => {
  it('records nothing while destinations deliver, or fail for less than the threshold, or fail with nothing pending', () => {
    expect(nextForwardingState([status('siem'), status('alerts', { pending: 3 })], T, null)).toBeNull();
    expect(nextForwardingState([status('siem', { pending: 2, failingSince: T - RECORD_BEHIND_AFTER_MS + 1 })], T, null)).toBeNull();
    expect(nextForwardingState([status('siem', { pending: 0, failingSince: T - 60 * MIN })], T, null)).toBeNull();
  });

  it('records behind once a destination failed for the threshold with records pending, naming only the destinations behind', () => {
    const next = nextForwardingState([status('siem', { pending: 12, failingSince: T - 6 * MIN }), status('alerts')], T, null);
    expect(next).toEqual({ state: 'behind', destinations: [{ id: 'siem', pending: 12, failure: 'unreachable', failingSince: new Date(T - 6 * MIN).toISOString(), lastDeliveredAt: '2026-11-28T12:58:00.000Z' }] });
    expect(FORWARDING_STATE_PAYLOAD.safeParse(next).success).toBe(true);
  });

  it('records only transitions: the same destinations behind again write nothing; another set writes a new record', () => {
    const last = nextForwardingState([status('siem', { pending: 12, failingSince: T - 6 * MIN })], T, null)!;
    expect(nextForwardingState([status('siem', { pending: 40, failingSince: T - 60 * MIN })], T + 54 * MIN, last)).toBeNull();
    const both = nextForwardingState([status('siem', { pending: 40, failingSince: T - 60 * MIN }), status('alerts', { pending: 1, failingSince: T - 10 * MIN })], T, last);
    expect(both?.destinations.map((d) => d.id)).toEqual(['siem', 'alerts']);
  });

  it('records caught up after a behind only once every destination delivered everything', () => {
    const last = nextForwardingState([status('siem', { pending: 12, failingSince: T - 6 * MIN })], T, null)!;
    expect(nextForwardingState([status('siem', { pending: 3 })], T, last)).toBeNull();
    expect(nextForwardingState([status('siem'), status('alerts', { pending: 1 })], T, last)).toBeNull();
    expect(nextForwardingState([status('siem'), status('alerts')], T, last)).toMatchObject({ state: 'caught-up', destinations: [{ id: 'siem', pending: 0, failure: null }, { id: 'alerts', pending: 0 }] });
    // Caught up without ever having been behind: nothing to say.
    expect(nextForwardingState([status('siem')], T, null)).toBeNull();
    expect(nextForwardingState([status('siem')], T, { state: 'caught-up', destinations: [] })).toBeNull();
  });
});

describe('the board\'s forwarding lines', () => {
  it('this host live: behind at once while a destination fails with records pending (no threshold: it is this host\'s own state)', () => {
    expect(liveForwarding(HERE, [], T)).toBeNull();
    expect(liveForwarding(HERE, [status('siem', { pending: 2 })], T)).toMatchObject({ source: 'live', behind: false });
    const live = liveForwarding(HERE, [status('siem', { pending: 2, failingSince: T - MIN }), status('alerts')], T)!;
    expect(live).toMatchObject({ hostId: 'host-a', source: 'live', behind: true, at: new Date(T).toISOString(), commit: null });
    expect(live.destinations.map((d) => d.id)).toEqual(['siem']);
  });

  it('other hosts as their newest forwarding-state record says, this host live even when it recorded something', () => {
    const journal = (host: { id: string; name: string }) => {
      const b = new ChainBuilder(`journal-${host.id}`);
      (b as { host: { id: string; name: string } }).host = host;
      return b;
    };
    const b = journal({ id: 'host-b', name: 'admin-02' });
    b.add({ type: 'forwarding-state', at: '2026-11-28T12:10:00.000Z', redactions: 0, payload: { state: 'behind', destinations: [{ id: 'siem', pending: 1, failure: 'tls', failingSince: '2026-11-28T12:00:00.000Z', lastDeliveredAt: null }] } } as never);
    b.add({ type: 'forwarding-state', at: '2026-11-28T12:20:00.000Z', redactions: 0, payload: { state: 'behind', destinations: [{ id: 'siem', pending: 7, failure: 'unreachable', failingSince: '2026-11-28T12:15:00.000Z', lastDeliveredAt: null }] } } as never);
    const c = journal({ id: 'host-c', name: 'admin-03' });
    c.add({ type: 'forwarding-state', at: '2026-11-28T12:30:00.000Z', redactions: 0, payload: { state: 'caught-up', destinations: [] } } as never);
    const a = journal(HERE);
    a.add({ type: 'forwarding-state', at: '2026-11-28T12:40:00.000Z', redactions: 0, payload: { state: 'behind', destinations: [{ id: 'siem', pending: 1, failure: 'auth', failingSince: '2026-11-28T12:30:00.000Z', lastDeliveredAt: null }] } } as never);
    const view = { sessions: new Map([[b.sessionId, b.entries], [c.sessionId, c.entries], [a.sessionId, a.entries]]), head: 'h', unreadable: [] } as unknown as LedgerView;

    expect(lastRecordedState(view, 'host-b')?.destinations[0]?.pending).toBe(7);
    expect(lastRecordedState(view, 'host-z')).toBeNull();
    const lines = boardForwarding(view, HERE, [status('siem')], T);
    expect(lines.map((l) => [l.hostId, l.source, l.behind, l.at])).toEqual([
      ['host-a', 'live', false, new Date(T).toISOString()],
      ['host-b', 'recorded', true, '2026-11-28T12:20:00.000Z'],
      ['host-c', 'recorded', false, '2026-11-28T12:30:00.000Z'],
    ]);
    expect(lines[1]).toMatchObject({ hostName: 'admin-02', commit: b.entries[1]!.commit, destinations: [{ id: 'siem', pending: 7, failure: 'unreachable' }] });
    // A console whose policy forwards nothing shows the other hosts' records only.
    expect(boardForwarding(view, HERE, [], T).map((l) => l.hostId)).toEqual(['host-b', 'host-c']);
  });
});
