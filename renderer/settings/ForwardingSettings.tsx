import { useState } from 'react';
import { useStore } from 'zustand';
import type { ErrorInfo } from '../../app/contract';
import type { ForwardDestinationStatus, ForwardTestResult } from '../../app/forwarding/status';
import { formatCount, formatLocalDateTime } from '../format';
import { useApi, useFeatureStore } from '../stores/context';
import { settle } from '../stores/bridge';
import { forwardingStore } from '../stores/forwarding';

const KIND_WORDS: Record<ForwardDestinationStatus['kind'], string> = { syslog: 'Syslog over TLS', webhook: 'HTTPS webhook', 'splunk-hec': 'Splunk HTTP Event Collector' };

/**
 * Forwarding to the SIEM and alert hooks (issue 19): each destination the policy names, how far
 * delivery has come, what is queued, why it fails, and "Send test event", which sends one test
 * event and changes nothing else. Destinations are set in the policy (organisation-wide), not here.
 */
export function ForwardingSettings() {
  const state = useStore(useFeatureStore(forwardingStore), (s) => s);
  return (
    <section className="card st-card" aria-labelledby="st-forward-h">
      <h3 id="st-forward-h">Forwarding</h3>
      {state.error ? (
        <p className="st-error" role="alert">The forwarding state could not be read: {state.error.message}</p>
      ) : state.destinations === null ? (
        <p className="st-current">Reading the forwarding state…</p>
      ) : state.destinations.length === 0 ? (
        <p className="st-current">Forwarding is off: the policy names no destinations (the forwarding section of policy.yaml, set by the organisation).</p>
      ) : (
        <>
          <p className="st-current">Every record this host commits is sent, as it is committed, to these destinations named in the policy.</p>
          <ul className="st-destinations">
            {state.destinations.map((d) => (
              <Destination key={d.id} d={d} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Destination({ d }: { d: ForwardDestinationStatus }) {
  const api = useApi();
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<{ at: number; value: ForwardTestResult } | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const test = async () => {
    if (testing) return;
    setTesting(true);
    setError(null);
    const r = await settle(api.forward.test({ destination: d.id }));
    setTesting(false);
    if (r.ok) setResult({ at: Date.now(), value: r.value });
    else setError(r.error);
  };
  const headingId = `st-fwd-${d.id}`;
  return (
    <li className="st-destination" aria-labelledby={headingId} data-testid={`forward-destination-${d.id}`}>
      <h4 id={headingId}>
        <span className="mono">{d.id}</span> · {KIND_WORDS[d.kind]} · <span className="mono break">{d.target}</span>
      </h4>
      <p>
        {d.deliveredUpTo
          ? <>Delivered up to record {d.deliveredUpTo.position}{d.deliveredUpTo.recordAt && <> of {formatLocalDateTime(d.deliveredUpTo.recordAt)}</>}{d.deliveredUpTo.deliveredAt && <>, at {formatLocalDateTime(d.deliveredUpTo.deliveredAt)}</>}.</>
          : 'Nothing delivered yet.'}{' '}
        {d.pending > 0 ? `${formatCount(d.pending, 'record')} queued.` : 'Nothing queued.'}
        {d.lastCheckpointAt && <> Last checkpoint {formatLocalDateTime(d.lastCheckpointAt)}.</>}
      </p>
      {d.failing && (
        <p className="st-error" data-testid={`forward-failing-${d.id}`}>
          Failing since {formatLocalDateTime(d.failing.since)} ({formatCount(d.failing.attempts, 'attempt')}{d.failing.nextTryAt && <>, next try {formatLocalDateTime(d.failing.nextTryAt)}</>}): {d.failing.reason}
        </p>
      )}
      {d.restarted && <p className="st-note">Started again from the first record at {formatLocalDateTime(d.restarted.at)}: {d.restarted.reason}</p>}
      <div className="st-actions">
        {/* aria-disabled keeps the focus on the button while the test runs. */}
        <button type="button" className="button button-secondary" aria-disabled={testing} onClick={() => void test()}>
          {testing ? 'Sending…' : 'Send test event'}
        </button>
      </div>
      <div className="st-live" aria-live="polite">
        {error && <p className="st-error" role="alert">{error.message}</p>}
        {result && (
          <div className={`stack st-test st-test--${result.value.ok ? 'ok' : 'failed'}`} data-testid={`forward-test-${d.id}`}>
            <p className="st-test-title">
              <strong>{result.value.ok ? 'Test event delivered' : 'Test event failed'}</strong>
              {result.value.ok ? ` in ${result.value.ms} ms.` : ` (${result.value.kind}).`}
            </p>
            {!result.value.ok && <p className="st-test-detail">{result.value.message}</p>}
            <p className="st-hint">Sent at {formatLocalDateTime(new Date(result.at).toISOString())}. Nothing else was changed by the test.</p>
          </div>
        )}
      </div>
    </li>
  );
}
