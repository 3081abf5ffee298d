import { describe, expect, it } from 'vitest';
import { ForwardingSchema } from '../../app/forwarding/policy';
import { describeForwardDestination, forwardingPrecondition, forwardingSummary, type ForwardDestinationStatus } from '../../app/forwarding/status';

/** What the header, the CLI and the wizard say about forwarding (issue 19), from destination states. */

function dest(id: string, over: Partial<ForwardDestinationStatus> = {}): ForwardDestinationStatus {
  return {
    id, kind: 'syslog', target: 'tls://siem.example.com:6514',
    deliveredUpTo: { position: 4, recordHash: 'a'.repeat(64), recordAt: '2026-11-28T09:48:26.000Z', deliveredAt: '2026-11-28T09:48:27.000Z' },
    pending: 0, failing: null, lastCheckpointAt: null, restarted: null, ...over,
  };
}

const failing = (since: string, reason: string): ForwardDestinationStatus['failing'] => ({ kind: 'unreachable', reason, since, attempts: 3, nextTryAt: '2026-11-28T10:01:00.000Z' });

describe('forwardingSummary', () => {
  it('is off without destinations, delivered when all are caught up (the oldest delivery), queued when any has pending records', () => {
    expect(forwardingSummary([])).toEqual({ state: 'off' });
    expect(forwardingSummary([dest('a'), dest('b', { deliveredUpTo: { position: 4, recordHash: 'a'.repeat(64), recordAt: null, deliveredAt: '2026-11-28T09:40:00.000Z' } })]))
      .toEqual({ state: 'delivered', destinations: 2, deliveredAt: '2026-11-28T09:40:00.000Z' });
    expect(forwardingSummary([dest('a', { deliveredUpTo: null })])).toEqual({ state: 'delivered', destinations: 1, deliveredAt: null });
    expect(forwardingSummary([dest('a', { pending: 2 }), dest('b', { pending: 7 })])).toEqual({ state: 'delivering', pending: 7 });
  });

  it('failing wins: since the earliest failure, naming every failing destination and the earliest one\'s reason', () => {
    expect(forwardingSummary([
      dest('a', { pending: 1, failing: failing('2026-11-28T10:00:00.000Z', 'later') }),
      dest('b', { pending: 3, failing: failing('2026-11-28T09:00:00.000Z', 'first') }),
      dest('c', { pending: 5 }),
    ])).toEqual({ state: 'failing', since: '2026-11-28T09:00:00.000Z', pending: 5, failing: ['a', 'b'], reason: 'first' });
  });
});

describe('forwardingPrecondition', () => {
  const forwarding = ForwardingSchema.parse({
    destinations: [
      { id: 'siem', kind: 'syslog', host: 'siem.example.com', caFile: '/etc/bg/ca.pem' },
      { id: 'alerts', kind: 'webhook', url: 'https://hooks.example.com/x', secret: { env: 'HOOK_SECRET' } },
    ],
  });
  const host = (env: Record<string, string>, files: string[]) => ({ env: (n: string) => env[n], fileExists: (p: string) => files.includes(p) });

  it('is null when the policy forwards nothing, and a pass naming the destinations when the host has everything', () => {
    expect(forwardingPrecondition(undefined, host({}, []), [])).toBeNull();
    expect(forwardingPrecondition(forwarding, host({ HOOK_SECRET: 'x' }, ['/etc/bg/ca.pem']), [])).toEqual({ status: 'pass', detail: 'Every record is forwarded to siem, alerts.' });
  });

  it('warns, never fails, for a missing file, an unset variable and a failing destination, without any value', () => {
    const r = forwardingPrecondition(forwarding, host({}, []), [{ id: 'alerts', target: 'https://hooks.example.com/x', failing: failing('2026-11-28T09:00:00.000Z', 'the webhook answered HTTP 401 Unauthorized') }]);
    expect(r?.status).toBe('warn');
    expect(r?.detail).toBe('Forwarding to siem: the file /etc/bg/ca.pem named by caFile is not on this host. Forwarding to alerts: the environment variable HOOK_SECRET named by secret is not set. Forwarding to alerts (https://hooks.example.com/x) is failing since 2026-11-28T09:00:00.000Z: the webhook answered HTTP 401 Unauthorized Records are committed and queued; they are sent once this is fixed.');
  });
});

describe('describeForwardDestination', () => {
  it('says how far delivery came, what is pending, and while failing since when and why', () => {
    expect(describeForwardDestination(dest('siem'))).toBe('siem (syslog, tls://siem.example.com:6514): delivered up to record 4 (2026-11-28T09:48:26.000Z), at 2026-11-28T09:48:27.000Z; 0 pending.');
    expect(describeForwardDestination(dest('siem', { deliveredUpTo: null, pending: 2, lastCheckpointAt: '2026-11-28T09:00:00.000Z', failing: failing('2026-11-28T09:00:00.000Z', 'refused'), restarted: { at: '2026-11-28T08:00:00.000Z', reason: 'the destination\'s address changed' } })))
      .toBe([
        'siem (syslog, tls://siem.example.com:6514): nothing delivered yet; 2 pending; last checkpoint 2026-11-28T09:00:00.000Z.',
        '  failing since 2026-11-28T09:00:00.000Z (unreachable, 3 attempt(s), next try 2026-11-28T10:01:00.000Z): refused',
        '  started again from the first record at 2026-11-28T08:00:00.000Z: the destination\'s address changed',
      ].join('\n'));
  });
});
