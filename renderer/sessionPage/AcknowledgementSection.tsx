import { useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../../app/contract';
import type { AckStatus } from '../../app/acknowledgement/state';
import type { SessionDetail } from '../../app/views';
import { settle } from '../stores/bridge';
import { useApi, useStatus } from '../stores/context';

const STATE_WORDS: Record<AckStatus['state'], string> = { confirmed: 'Confirmed', provisional: 'Provisional', mismatched: 'Mismatched', missing: 'Not acknowledged' };
const code = (c: string) => `${c.slice(0, 5)}-${c.slice(5)}`;

/**
 * The incident commander's acknowledgement (issue 16) on a session's page: the code to read to the
 * commander for the declaration (and the closing), where each stands, and — on the operator's own
 * console — the field for the commander's response code.
 */
export function AcknowledgementSection({ detail }: { detail: SessionDetail }) {
  const list = detail.acknowledgements;
  const observer = useStatus((s) => s.snapshot?.observer ?? false);
  if (!list || list.length === 0) return null;
  const canRecord = detail.session.mine && !observer;
  return (
    <section className="card sp-section" aria-labelledby="sp-ack-h">
      <h3 id="sp-ack-h">Incident commander's acknowledgement</h3>
      {list.map((a) => (
        <div key={a.event} className={`sp-ack sp-ack--${a.state}`} data-testid={`ack-${a.event}`}>
          <p>
            {a.event === 'declared' ? 'Declaration' : 'Closing'} code{' '}
            <strong className="mono ack-code" aria-label={`code ${a.challenge.split('').join(' ')}`}>
              {code(a.challenge)}
            </strong>{' '}
            <span className={`state sp-ack-state ${a.finding ? 'state--overdue' : a.state === 'confirmed' ? 'state--reviewed' : 'state--expired'}`}>{STATE_WORDS[a.state]}</span>
          </p>
          <p className="muted">{a.detail}</p>
          {canRecord && a.state !== 'confirmed' && <ResponseForm sessionId={detail.session.sessionId} event={a.event} />}
        </div>
      ))}
      {canRecord && <p className="muted">Read the code to the incident commander by phone or radio; they acknowledge it on their console (or breakglass acknowledge CODE) and read a response code back.</p>}
    </section>
  );
}

/** The operator's field for the commander's response code (issue 16): the session page and the countdown use it. */
export function ResponseForm({ sessionId, event }: { sessionId: string; event: AckStatus['event'] }) {
  const api = useApi();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState(false);
  const id = `ack-response-${event}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await settle(api.session.acknowledged({ sessionId, code: value, event }));
    setBusy(false);
    if (r.ok) {
      setValue('');
      setDone(true);
    } else setError(r.error);
  };
  return (
    <form className="sp-ack-form" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id}>Commander's response code</label>
      <input id={id} className="mono" value={value} placeholder="ABCDE-FGHJK" autoComplete="off" spellCheck={false} maxLength={64} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="button button-primary" aria-disabled={busy}>
        {busy ? 'Recording…' : 'Record response'}
      </button>
      <span role="status" aria-live="polite">
        {done && 'Recorded: provisional until the commander\'s record and this one meet in one history.'}
      </span>
      {error && (
        <p className="banner banner--warning" role="alert" id={`${id}-error`}>
          {error.message}
        </p>
      )}
    </form>
  );
}
