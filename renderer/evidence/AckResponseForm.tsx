import { useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../../app/contract';
import type { AckStatus } from '../../app/acknowledgement/state';
import { settle } from '../stores/bridge';
import { useApi } from '../stores/context';

/** The operator's field for the commander's response code (issue 16): the session page and the countdown use it. */
export function AckResponseForm({ sessionId, event }: { sessionId: string; event: AckStatus['event'] }) {
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
