import type { SessionDetail } from '../../app/views';
import { formatLocalDateTime, formatPerson, outcomeLabel } from '../format';
import { FollowUps } from './ClosureSection';
import { CommitId } from './CommitId';
import { recordsOf } from './records';
import { Stamp } from './Stamp';
import { Fact } from './Fact';
import './evidence.css';
import './evidenceActions.css';

/** One review of a session as the detail lists it, with its hash and whether it is the one in force. */
export type ReviewItem = SessionDetail['reviews'][number];

/** The evidence commit of each review, by the review record's hash. */
export function reviewCommits(detail: SessionDetail): Map<string, string> {
  return new Map(recordsOf(detail.timeline, 'reviewed').map(({ entry }) => [entry.hash, entry.commit]));
}

/** The review in force, prominently; the ones a correction replaced, listed with what replaced them (procedure.md §9). */
export function ReviewsSection({ detail }: { detail: SessionDetail }) {
  const { reviews, session } = detail;
  const commits = reviewCommits(detail);
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
        <article className="stack sp-review sp-review--current" aria-labelledby="sp-review-current-h">
          <h4 id="sp-review-current-h">
            Current review: <span className={`sp-outcome sp-outcome--${current.review.outcome}`}>{outcomeLabel(current.review.outcome)}</span>
          </h4>
          <ReviewFacts item={current} commit={commits.get(current.hash) ?? null} reviews={reviews} />
        </article>
      )}
      {others.length > 0 && (
        <>
          <h4 className="sp-superseded-h">Superseded reviews ({others.length})</h4>
          <ul className="stack bare-list sp-superseded">
            {others.map((r) => {
              const by = reviews.find((x) => x.review.supersedes === r.hash);
              return (
                <li key={r.hash}>
                  <article className="stack sp-review sp-review--superseded" aria-label={`Superseded review by ${r.review.reviewer.name}`}>
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
                    <ReviewFacts item={r} commit={commits.get(r.hash) ?? null} reviews={reviews} />
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

/** A committed review, read-only: who, when (and its commit), drill or not, findings, follow-ups, and the review it corrects. */
export function ReviewFacts({ item, commit, reviews }: { item: ReviewItem; commit: string | null; reviews: readonly ReviewItem[] }) {
  const r = item.review;
  const replaced = r.supersedes ? reviews.find((x) => x.hash === r.supersedes) : undefined;
  return (
    <dl className="sp-decl sp-review-facts">
      <Fact term="Reviewer" className="break">{formatPerson(r.reviewer)}</Fact>
      <Fact term="Reviewed">
        <Stamp iso={item.at} />
        {commit && (
          <span className="block">
            Evidence commit <CommitId commit={commit} />
          </span>
        )}
      </Fact>
      <Fact term="Drill">{r.drill ? 'Yes: a drill' : 'No: a real emergency'}</Fact>
      <Fact term="Findings" className="sp-prose">{r.findings || <span className="muted">None.</span>}</Fact>
      <Fact term="Follow-ups">
        <FollowUps items={r.followUps} />
      </Fact>
      {r.supersedes && (
        <Fact term="Corrects">
          {replaced ? `The review of ${replaced.review.reviewer.name} at ${formatLocalDateTime(replaced.at)}` : 'An earlier review'} <span className="muted">(record <code className="sp-hash-short" title={r.supersedes}>{r.supersedes.slice(0, 12)}</code>)</span>
        </Fact>
      )}
    </dl>
  );
}
