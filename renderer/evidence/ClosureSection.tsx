import type { Review } from '../../app/records';
import type { SessionDetail, SessionView, TimelineEntry } from '../../app/views';
import { formatLocalDateTime, formatPerson, outcomeLabel } from '../format';
import { CommitId, Stamp, recordsOf, restoredLabel } from './present';

type FollowUp = Review['followUps'][number];

const CONTROLS = [
  ['signingKeys', 'Signing keys restored'],
  ['backendLocks', 'Backend locks restored'],
  ['breakGlassCredentialsRotated', 'Break-glass credentials rotated'],
] as const;

function FollowUps({ items }: { items: readonly FollowUp[] }) {
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
          <p className="sp-hint">
            Closed by {formatPerson(closed.record.actor)} at <Stamp iso={closed.record.at} />, evidence commit <CommitId commit={closed.entry.commit} />.
          </p>
          <dl className="sp-decl">
            <div>
              <dt>Summary</dt>
              <dd className="sp-prose">{closed.record.payload.closure.summary}</dd>
            </div>
            <div>
              <dt>Reversal steps</dt>
              <dd>
                <ol className="sp-steps">
                  {closed.record.payload.closure.reversalSteps.map((step, i) => (
                    <li key={i}>{step}</li>
                  ))}
                </ol>
              </dd>
            </div>
            <div>
              <dt>Controls</dt>
              <dd>
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
              </dd>
            </div>
            <div>
              <dt>Follow-ups</dt>
              <dd>
                <FollowUps items={closed.record.payload.closure.followUps} />
              </dd>
            </div>
            <div>
              <dt>Review due by</dt>
              <dd>
                <Stamp iso={closed.record.payload.reviewDueAt} />
              </dd>
            </div>
          </dl>
        </>
      )}
    </section>
  );
}

type ReviewItem = SessionDetail['reviews'][number];

/** The review in force, prominently; the ones a correction replaced, listed with what replaced them (procedure.md §9). */
export function ReviewsSection({ detail }: { detail: SessionDetail }) {
  const { reviews, session } = detail;
  const commits = new Map(recordsOf(detail.timeline, 'reviewed').map(({ entry }) => [entry.hash, entry.commit]));
  const current = reviews.find((r) => r.current) ?? null;
  const others = reviews.filter((r) => !r.current).reverse();
  return (
    <section className="card sp-section" aria-labelledby="sp-reviews-h">
      <h3 id="sp-reviews-h">Review</h3>
      {!current && (
        <p className={session.reviewOverdue ? 'text-danger' : 'empty'}>
          {session.phase === 'closed'
            ? `Not reviewed yet${session.reviewDueAt ? `; due by ${formatLocalDateTime(session.reviewDueAt)}${session.reviewOverdue ? ' (overdue)' : ''}` : ''}.`
            : 'Reviewed after closing, by another named person.'}
        </p>
      )}
      {current && (
        <article className="sp-review sp-review--current" aria-labelledby="sp-review-current-h">
          <h4 id="sp-review-current-h">
            Current review: <span className={`sp-outcome sp-outcome--${current.review.outcome}`}>{outcomeLabel(current.review.outcome)}</span>
          </h4>
          <ReviewBody item={current} commit={commits.get(current.hash) ?? null} reviews={reviews} />
        </article>
      )}
      {others.length > 0 && (
        <>
          <h4 className="sp-superseded-h">Superseded reviews ({others.length})</h4>
          <ul className="sp-superseded">
            {others.map((r) => {
              const by = reviews.find((x) => x.review.supersedes === r.hash);
              return (
                <li key={r.hash}>
                  <article className="sp-review sp-review--superseded" aria-label={`Superseded review by ${r.review.reviewer.name}`}>
                    <p className="sp-superseded-by">
                      <strong>{outcomeLabel(r.review.outcome)}</strong> by {r.review.reviewer.name}, superseded by{' '}
                      {by ? (
                        <>
                          the review of {by.review.reviewer.name} at <Stamp iso={by.at} />
                        </>
                      ) : (
                        'a later review'
                      )}
                      .
                    </p>
                    <ReviewBody item={r} commit={commits.get(r.hash) ?? null} reviews={reviews} />
                  </article>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

function ReviewBody({ item, commit, reviews }: { item: ReviewItem; commit: string | null; reviews: readonly ReviewItem[] }) {
  const r = item.review;
  const replaced = r.supersedes ? reviews.find((x) => x.hash === r.supersedes) : undefined;
  return (
    <dl className="sp-decl sp-review-facts">
      <div>
        <dt>Reviewer</dt>
        <dd className="break">{formatPerson(r.reviewer)}</dd>
      </div>
      <div>
        <dt>Reviewed</dt>
        <dd>
          <Stamp iso={item.at} />
          {commit && (
            <span className="block">
              Evidence commit <CommitId commit={commit} />
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>Drill</dt>
        <dd>{r.drill ? 'Yes: a drill' : 'No: a real emergency'}</dd>
      </div>
      <div>
        <dt>Findings</dt>
        <dd className="sp-prose">{r.findings || <span className="muted">None.</span>}</dd>
      </div>
      <div>
        <dt>Follow-ups</dt>
        <dd>
          <FollowUps items={r.followUps} />
        </dd>
      </div>
      {r.supersedes && (
        <div>
          <dt>Corrects</dt>
          <dd>
            {replaced ? `The review of ${replaced.review.reviewer.name} at ${formatLocalDateTime(replaced.at)}` : 'An earlier review'} <span className="muted">(record <code className="sp-hash-short" title={r.supersedes}>{r.supersedes.slice(0, 12)}</code>)</span>
          </dd>
        </div>
      )}
    </dl>
  );
}
