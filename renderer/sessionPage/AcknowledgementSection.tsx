import type { AckStatus } from '../../app/acknowledgement/state';
import type { SessionDetail } from '../../app/views';
import { AckResponseForm } from '../evidence/AckResponseForm';
import { useStatus } from '../stores/context';

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
          {canRecord && a.state !== 'confirmed' && <AckResponseForm sessionId={detail.session.sessionId} event={a.event} />}
        </div>
      ))}
      {canRecord && <p className="muted">Read the code to the incident commander by phone or radio; they acknowledge it on their console (or breakglass acknowledge CODE) and read a response code back.</p>}
    </section>
  );
}
