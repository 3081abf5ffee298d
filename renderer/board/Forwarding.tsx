import type { DestinationLag, HostForwarding } from '../../app/forwarding/lag';
import { formatCount, formatLocalTime } from '../format';
import { useClock } from '../stores/context';
import { formatAgoAt, pastNow } from './time';

/** What a failure kind means, in the few words a board line has room for. */
const FAILURE_WORDS: Record<NonNullable<DestinationLag['failure']>, string> = {
  unreachable: 'unreachable', tls: 'TLS refused', 'wrong-ca': 'wrong CA', certificate: 'certificate name', auth: 'refused the credentials',
  'http-status': 'error answer', protocol: 'protocol error', config: 'not configured on the host', ledger: 'ledger unreadable',
};

/** "siem failing since 14:02 (unreachable), 3 records pending, last delivery 13:58". */
export function describeLag(d: DestinationLag): string {
  const failing = d.failingSince ? ` failing since ${formatLocalTime(d.failingSince)}${d.failure ? ` (${FAILURE_WORDS[d.failure]})` : ''}` : '';
  const last = d.lastDeliveredAt ? `last delivery ${formatLocalTime(d.lastDeliveredAt)}` : 'nothing delivered yet';
  return `${d.id}${failing}, ${formatCount(d.pending, 'record')} pending, ${last}`;
}

/**
 * Each host's forwarding to the SIEM, as far as this console can know it (issue 19; see
 * app/forwarding/lag.ts): this host's is live; another host's is only what it recorded in its
 * journal, so the line says when it said so and that it is its claim. Hosts that recorded
 * nothing are not listed as fine: the sentence says they recorded nothing.
 */
export function ForwardingLines({ lines }: { lines: readonly HostForwarding[] }) {
  const now = useClock((s) => Math.floor(s.now / 1000) * 1000);
  if (lines.length === 0) return null;
  const behind = lines.filter((l) => l.behind);
  const live = lines.find((l) => l.source === 'live');
  const caughtUp = lines.filter((l) => l.source === 'recorded' && !l.behind);
  return (
    <div className={`board-sync board-forwarding${behind.length > 0 ? ' board-sync--stale' : ''}`} data-testid="board-forwarding" role="group" aria-label="Forwarding to the SIEM">
      <p className="board-sync-title">
        {behind.length > 0 ? `Forwarding behind on ${formatCount(behind.length, 'host')}: the SIEM has not heard everything.` : 'Forwarding to the SIEM: no host is known to be behind.'}
      </p>
      {behind.map((l) => (
        <p key={l.hostId} className="board-sync-line" data-testid={`forwarding-${l.hostId}`}>
          <strong>{l.source === 'live' ? `${l.hostName} (this host)` : l.hostName}</strong>: {l.destinations.map(describeLag).join('; ')}.{' '}
          {l.source === 'live' ? (
            <span className="board-forwarding-proof">Live, from this host's forwarder.</span>
          ) : (
            <span className="board-forwarding-proof">As {l.hostName} recorded it {formatAgoAt(l.at, pastNow(l.at, now))}: its own claim, as of the last fetch.</span>
          )}
        </p>
      ))}
      {live && !live.behind && <p className="board-sync-line">{live.hostName} (this host): every destination delivered or delivering (live).</p>}
      {caughtUp.length > 0 && (
        <p className="board-sync-line">
          Recorded that they caught up: {caughtUp.map((l) => `${l.hostName} ${formatAgoAt(l.at, pastNow(l.at, now), 'short')}`).join(', ')}.
        </p>
      )}
      <p className="board-sync-line board-forwarding-note">
        Other hosts' forwarding is known only from what they record in their journals when they fall behind or catch up, as of the last fetch; a host not named here has recorded neither.
      </p>
    </div>
  );
}
