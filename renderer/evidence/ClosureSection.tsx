import type { Review } from '../../app/records';
import type { SessionView, TimelineEntry } from '../../app/views';
import { RecordedBy } from './RecordedBy';
import { recordsOf, restoredLabel } from './records';
import { Stamp } from './Stamp';
import { Fact } from './Fact';
import './evidence.css';

type FollowUp = Review['followUps'][number];

const CONTROLS = [
  ['signingKeys', 'Signing keys restored'],
  ['backendLocks', 'Backend locks restored'],
  ['breakGlassCredentialsRotated', 'Break-glass credentials rotated'],
] as const;

/** Follow-up actions with their owner and due date, as a closure or a review lists them. */
export function FollowUps({ items }: { items: readonly FollowUp[] }) {
  if (items.length === 0) return <span className="muted">None.</span>;
  return (
    <ul className="sp-followups">
      {items.map((f, i) => (
        <li key={i}>
          {f.action} <span className="muted">— owner {f.owner}{f.due ? `, due ${f.due}` : ''}</span>
        </li>
      ))}
    </ul>
  );
}

/** How the session was closed (procedure.md §8): what changed, how it was reversed, which controls are back. */
export function ClosureSection({ timeline, session }: { timeline: readonly TimelineEntry[]; session: SessionView }) {
  const closed = recordsOf(timeline, 'closed')[0];
  return (
    <section className="card sp-section" aria-labelledby="sp-closure-h">
      <h3 id="sp-closure-h">Closure</h3>
      {!closed ? (
        <p className="empty">{session.phase === 'active' ? 'Not closed: the session is still active.' : 'Not closed yet: the session has expired and awaits its closure record.'}</p>
      ) : (
        <>
          <RecordedBy verb="Closed" entry={closed.entry} />
          <dl className="sp-decl">
            <Fact term="Summary" className="sp-prose">{closed.record.payload.closure.summary}</Fact>
            <Fact term="Reversal steps">
              <ol className="sp-steps">
                {closed.record.payload.closure.reversalSteps.map((step, i) => (
                  <li key={i}>{step}</li>
                ))}
              </ol>
            </Fact>
            <Fact term="Controls">
              <ul className="sp-controls">
                {CONTROLS.map(([key, label]) => {
                  const answer = closed.record.payload.closure.controlsRestored[key];
                  return (
                    <li key={key}>
                      {label}: <strong className={answer === 'no' ? 'text-danger' : undefined}>{restoredLabel(answer)}</strong>
                    </li>
                  );
                })}
              </ul>
              {closed.record.payload.closure.controlsNote && <p className="sp-prose">Note: {closed.record.payload.closure.controlsNote}</p>}
            </Fact>
            <Fact term="Follow-ups">
              <FollowUps items={closed.record.payload.closure.followUps} />
            </Fact>
            <Fact term="Review due by">
              <Stamp iso={closed.record.payload.reviewDueAt} />
            </Fact>
          </dl>
        </>
      )}
    </section>
  );
}
