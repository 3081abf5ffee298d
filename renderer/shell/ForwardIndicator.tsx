import { useStore } from 'zustand';
import { forwardingSummary, type ForwardingSummary } from '../../app/forwarding/status';
import { assertNever } from '../../app/errors';
import { formatCount } from '../format';
import { useFeatureStore } from '../stores/context';
import { forwardingStore } from '../stores/forwarding';
import { Stamp } from './PushIndicator';
import { StatusBox } from './StatusBox';

/**
 * Forwarding in the header (issue 19 "Visible"): delivered, N queued, or failing since T with the
 * reason. Nothing shows when the policy forwards nothing. Settings lists each destination.
 */
export function ForwardIndicator() {
  const destinations = useStore(useFeatureStore(forwardingStore), (s) => s.destinations);
  if (!destinations || destinations.length === 0) return null;
  const summary = forwardingSummary(destinations);
  if (summary.state === 'off') return null;
  return <StatusBox id="fwd" look={LOOK[summary.state]} className="fwd" title={title(summary)} detail={<Detail summary={summary} />} testId="forward-indicator" />;
}

/** The push box's looks: caught up like synced, queued like pending, failing like rejected. */
const LOOK = { delivered: 'synced', delivering: 'pending', failing: 'rejected' } as const;

function title(s: Exclude<ForwardingSummary, { state: 'off' }>): string {
  switch (s.state) {
    case 'delivered':
      return 'Forwarded';
    case 'delivering':
      return `Forwarding: ${formatCount(s.pending, 'record')} queued`;
    case 'failing':
      return 'Forwarding failing';
    default:
      return assertNever(s);
  }
}

function Detail({ summary: s }: { summary: Exclude<ForwardingSummary, { state: 'off' }> }) {
  switch (s.state) {
    case 'delivered':
      return <p>Every record reached {formatCount(s.destinations, 'destination')}{s.deliveredAt && <> · last delivery <Stamp iso={s.deliveredAt} /></>}</p>;
    case 'delivering':
      return <p>Delivering to the SIEM and alert hooks.</p>;
    case 'failing':
      return (
        <>
          <p>
            {s.failing.join(', ')} since <Stamp iso={s.since} /> · {formatCount(s.pending, 'record')} queued, safe in the evidence
          </p>
          <p className="push-reason">Reason: {s.reason}</p>
        </>
      );
    default:
      return assertNever(s);
  }
}
