import { useState, type FormEvent } from 'react';
import type { AcknowledgementGiven, ErrorInfo } from '../../app/contract';
import { ackEventWord } from '../../app/acknowledgement/codes';
import type { AckStatus } from '../../app/acknowledgement/state';
import { formatLocalTime } from '../format';
import { hrefOf } from '../routes';
import { settle } from '../stores/bridge';
import { useApi } from '../stores/context';

/**
 * "Acknowledge a declaration" (issue 16), on the commander's board: the incident commander types
 * the code the operator reads to them (by phone or radio, the hosts need not reach each other),
 * their ssh-agent signs it, and the response code to read back is shown. Allowed to the observer:
 * it is the commander's own signed record, on this host's journal, never in the operator's session.
 */
export function AcknowledgeDeclaration({ onDone }: { onDone(): void }) {
  const api = useApi();
  const [code, setCode] = useState('');
  const [event, setEvent] = useState<'declared' | 'closed'>('declared');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: true; value: AcknowledgementGiven } | { ok: false; error: ErrorInfo } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setResult(null);
    const r = await settle(api.ack.acknowledge({ code, event }));
    setResult(r);
    setBusy(false);
    if (r.ok) {
      setCode('');
      onDone();
    }
  };

  return (
    <section className="card board-ack" aria-labelledby="board-ack-h">
      <h3 id="board-ack-h">Acknowledge a declaration</h3>
      <p className="muted">As the incident commander: type the code the operator reads to you. Your key in the ssh-agent signs it; read the response code back to them.</p>
      <form className="board-ack-form" onSubmit={(e) => void submit(e)}>
        <div className="board-filter">
          <label htmlFor="ack-code">Code read to you</label>
          <input id="ack-code" className="mono" value={code} placeholder="ABCDE-FGHJK" autoComplete="off" spellCheck={false} maxLength={64} aria-invalid={result?.ok === false || undefined} aria-describedby={result?.ok === false ? 'ack-error' : undefined} onChange={(e) => setCode(e.target.value)} />
        </div>
        <div className="board-filter">
          <label htmlFor="ack-event">Of the</label>
          <select id="ack-event" value={event} onChange={(e) => setEvent(e.target.value as 'declared' | 'closed')}>
            <option value="declared">declaration</option>
            <option value="closed">closing</option>
          </select>
        </div>
        <button type="submit" className="button button-primary" aria-disabled={busy}>
          {busy ? 'Signing…' : 'Acknowledge and sign'}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {result?.ok === true && (
          <div className="board-ack-response" data-testid="ack-response">
            <p>
              Acknowledged the {ackEventWord(result.value.event)} <span className="mono">{result.value.challenge}</span> as {result.value.commander.name}, signed and recorded on this host.
            </p>
            <p>
              Read this response code back to the operator: <strong className="mono ack-code">{result.value.response}</strong>
            </p>
          </div>
        )}
      </div>
      {result?.ok === false && (
        <p className="banner banner--warning" role="alert" id="ack-error">
          Not acknowledged: {result.error.message}
        </p>
      )}
    </section>
  );
}

const SHOWN = 5;

/** The sessions whose acknowledgement is awaited or in question (issue 16), above the board's rows. */
export function AwaitingAcknowledgement({ acknowledgements }: { acknowledgements: Record<string, AckStatus[]> | undefined }) {
  const all = Object.entries(acknowledgements ?? {}).filter(([, list]) => list.some((a) => a.awaiting || a.finding));
  if (all.length === 0) return null;
  // The first few by name; the rows say it for every one.
  const entries = all.slice(0, SHOWN);
  return (
    <div className="banner banner--warning" data-testid="board-awaiting-ack">
      <p>
        <strong>{all.length === 1 ? '1 session awaits' : `${all.length} sessions await`} the incident commander's acknowledgement</strong> (or it is missing or mismatched){all.length > SHOWN ? `; the first ${SHOWN}` : ''}:
      </p>
      <ul>
        {entries.map(([sessionId, list]) => {
          const a = list.find((x) => x.finding) ?? list.find((x) => x.awaiting)!;
          return (
            <li key={sessionId}>
              <a href={hrefOf({ view: 'session', sessionId })} className="mono">
                {sessionId}
              </a>{' '}
              — {ackEventWord(a.event)} <span className="mono">{a.challenge.slice(0, 5)}-{a.challenge.slice(5)}</span>: {a.finding ? a.state : `awaiting${a.dueAt ? `, due by ${formatLocalTime(a.dueAt)}` : ''}`}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
