import { useEffect, useMemo, useRef, useState, type FormEvent, type Ref } from 'react';
import type { Committed } from '../../app/contract';
import type { SessionDetail } from '../../app/views';
import { unprovenRecords } from '../../app/roster/unprovenRecords';
import { ReviewFacts, reviewCommits, type ReviewItem } from '../evidence/ReviewsSection';
import { FieldErrorsProvider, fieldId, type FieldErrorsContext } from '../forms/FieldErrors';
import { topOf } from '../forms/issues';
import { TextField } from '../forms/TextField';
import { formatCount, formatLocalDateTime, formatUtc, outcomeLabel } from '../format';
import { hrefOf } from '../routes';
import { settle } from '../stores/bridge';
import { useApi, useStatus } from '../stores/context';
import { changedFields, IDLE, initialDraft, mergedIssues, refusalOf, toReview, validateReview, type ReviewDraft, type Submission } from './reviewDraft';
import { FollowUps, ID_PREFIX, KindField, OutcomeField, ReviewerFields } from './VerdictFields';

/**
 * The reviewer's verdict (issue 7, procedure.md §9), committed as a `reviewed` record authored by
 * the reviewer. A review is never edited: when the session already has one, the form submits a
 * correction that supersedes it. `onRefused` asks for the session again when main says the review
 * in force changed meanwhile.
 */
export function Verdict({ detail, onRefused }: { detail: SessionDetail; onRefused(): void }) {
  const api = useApi();
  const identity = useStatus((s) => s.snapshot?.gitIdentity ?? null);
  const current = detail.reviews.find((r) => r.current) ?? null;
  const earlier = detail.reviews.filter((r) => !r.current);
  const [draft, setDraft] = useState<ReviewDraft>(() => initialDraft(identity, current?.review ?? null));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  // Follow-up rows added after a "Commit" attempt show their errors only once left, not the moment they appear.
  const [freshRows, setFreshRows] = useState<ReadonlySet<string>>(new Set());
  const [submission, setSubmission] = useState<Submission>(IDLE);
  const [done, setDone] = useState<{ committed: Committed; superseded: ReviewItem | null } | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const generalRef = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  const supersedes = current?.hash ?? null;
  const unproven = useMemo(() => unprovenRecords(detail.signatures).length, [detail.signatures]);
  const clientIssues = useMemo(() => validateReview(draft, supersedes, unproven), [draft, supersedes, unproven]);
  const issues = useMemo(() => mergedIssues(clientIssues, submission.server), [clientIssues, submission.server]);

  const errors: FieldErrorsContext = useMemo(
    () => ({
      issues,
      shown: (path) => {
        if (touched.has(path) || submission.server.has(path)) return true;
        const row = /^followUps\[(\d+)\]/.exec(path);
        return attempted && !(row && freshRows.has(draft.followUps[Number(row[1])]?.key ?? ''));
      },
      touch: (path) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path))),
    }),
    [issues, attempted, touched, submission.server, freshRows, draft.followUps],
  );

  // After a refused attempt, the focus goes to the first field with a problem, else to the refusal.
  useEffect(() => {
    if (focusRequest === 0) return;
    const form = formRef.current;
    const first = form?.querySelector<HTMLElement>('[data-error="true"]');
    if (first) first.focus();
    else if (submission.server.has('reviewer')) document.getElementById(fieldId('reviewer.name', ID_PREFIX))?.focus();
    else generalRef.current?.focus();
    // Only a new request moves the focus; typing afterwards must not.
  }, [focusRequest]);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  /** Changes fields; a refusal from main about a changed field no longer applies and is dropped. */
  const update = (patch: Partial<ReviewDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    const changedTops = changedFields(patch);
    setSubmission((s) => {
      const kept = new Map([...s.server].filter(([path]) => !changedTops.has(topOf(path))));
      return kept.size === s.server.size ? s : { ...s, server: kept };
    });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (submission.status === 'submitting') return;
    setAttempted(true);
    setFreshRows(new Set());
    if (clientIssues.size > 0) {
      setSubmission({ ...IDLE, clientCount: [...clientIssues.values()].reduce((n, v) => n + v.length, 0) });
      setFocusRequest((n) => n + 1);
      return;
    }
    setSubmission({ ...IDLE, status: 'submitting' });
    const review = JSON.parse(JSON.stringify(toReview(draft, supersedes))) as Record<string, never>;
    const r = await settle(api.session.review({ sessionId: detail.session.sessionId, review }));
    if (r.ok) {
      // The commit moves the ledger's head: the session-detail source reads the session again with it.
      setSubmission(IDLE);
      setDone({ committed: r.value, superseded: current });
      return;
    }
    setSubmission(refusalOf(r.error));
    // The review in force may have changed meanwhile (a correction from elsewhere): read it again.
    if (r.error.field === 'supersedes') onRefused();
    setFocusRequest((n) => n + 1);
  };

  if (done) {
    return <CommittedPanel done={done} detail={detail} headingRef={doneRef} onCorrect={() => {
      setDone(null);
      setAttempted(false);
      setTouched(new Set());
      setDraft(initialDraft(identity, current?.review ?? null));
    }} />;
  }

  const submitting = submission.status === 'submitting';
  return (
    <section className="box stack rv-card rv-verdict" aria-labelledby="rv-verdict-heading">
      <h3 id="rv-verdict-heading" tabIndex={-1}>
        {current ? 'Correct the review' : 'Your review'}
      </h3>
      {current && (
        <>
          <div className="notice notice--info rv-supersede" data-testid="supersede-notice">
            <p>
              <strong>This session already has a review.</strong> A review cannot be edited; this correction will supersede the review by {current.review.reviewer.name} of{' '}
              <time dateTime={current.at}>{formatLocalDateTime(current.at)}</time> <span className="utc">({formatUtc(current.at)})</span>. Both stay in the evidence.
            </p>
          </div>
          <ReviewShown title="Review in force" item={current} detail={detail} testId="current-review" />
          {earlier.length > 0 && (
            <details className="rv-earlier">
              <summary>Earlier reviews, superseded ({formatCount(earlier.length, 'review')})</summary>
              {earlier.map((r) => (
                <ReviewShown key={r.hash} title={`Superseded review by ${r.review.reviewer.name}`} item={r} detail={detail} />
              ))}
            </details>
          )}
        </>
      )}
      <form ref={formRef} className="rv-form" noValidate onSubmit={(e) => void submit(e)} aria-describedby="rv-form-hint">
        <p id="rv-form-hint" className="field-hint">
          Committed as a <code>reviewed</code> record authored by you. The reviewer must be a named person who is not the session&apos;s operator ({detail.session.operator.name}): segregation of duties, ISO 27001 A.6.2.
        </p>
        <FieldErrorsProvider value={errors}>
          <ReviewerFields draft={draft} update={update} />
          {unproven > 0 && (
            // Issue 15: said before the outcome is chosen, not only when "justified" is refused.
            <p className="notice notice--warning" data-testid="review-unproven">
              <strong>{unproven === 1 ? '1 record' : `${unproven} records`} of this session not proven by a roster key</strong> (see Signatures above): a finding this review must address. The outcome cannot be “justified”: say in the findings how the operator&apos;s identity was confirmed.
            </p>
          )}
          <OutcomeField value={draft.outcome} onChange={(outcome) => update({ outcome })} />
          <KindField value={draft.kind} onChange={(kind) => update({ kind })} />
          <TextField
            path="findings"
            idPrefix={ID_PREFIX}
            label={`Findings${draft.outcome === 'justified' ? ' (optional)' : ''}`}
            hint="Required unless the outcome is “justified”: what was found, and why the outcome is what it is."
            value={draft.findings}
            onChange={(findings) => update({ findings })}
            multiline
            rows={5}
          />
          <FollowUps rows={draft.followUps} onChange={(followUps) => update({ followUps })} onAdd={(key) => attempted && setFreshRows((f) => new Set(f).add(key))} />
        </FieldErrorsProvider>
        {(submission.general || submission.clientCount > 0 || submission.server.size > 0) && (
          <div ref={generalRef} tabIndex={-1} className="notice notice--error" role="alert" data-testid="review-refused">
            <p>
              <strong>Not committed.</strong>{' '}
              {submission.general ??
                (submission.server.size > 0
                  ? `${[...submission.server.values()].flat()[0]} Everything you typed is kept: change the field marked above and commit again.`
                  : `${formatCount(submission.clientCount, 'problem')} in the form: see the fields marked.`)}
            </p>
          </div>
        )}
        <div className="rv-submit">
          <button type="submit" className="button button-primary" aria-disabled={submitting}>
            {submitting ? 'Committing…' : current ? 'Commit the correction' : 'Commit the review'}
          </button>
          {submitting && (
            <span role="status" className="muted">
              Committing the review as evidence…
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

/** A committed review, read-only, as the session page shows it (renderer/evidence/ReviewsSection.tsx), under a title with its outcome. */
function ReviewShown({ title, item, detail, testId }: { title: string; item: ReviewItem; detail: SessionDetail; testId?: string }) {
  return (
    <div className="rv-shown" data-testid={testId} data-hash={item.hash}>
      <h4>
        {title}: <span className={`sp-outcome sp-outcome--${item.review.outcome}`}>{outcomeLabel(item.review.outcome)}</span>
      </h4>
      <ReviewFacts item={item} commit={reviewCommits(detail).get(item.hash) ?? null} reviews={detail.reviews} />
    </div>
  );
}

/** The review just committed: its commit, what it supersedes, and (once read back as the one in force) the way to correct it. */
function CommittedPanel({ done, detail, headingRef, onCorrect }: { done: { committed: Committed; superseded: ReviewItem | null }; detail: SessionDetail; headingRef: Ref<HTMLHeadingElement>; onCorrect(): void }) {
  const record = done.committed.record;
  const reviewer = record.type === 'reviewed' ? record.payload.review.reviewer.name : record.actor.name;
  const shown = detail.reviews.find((r) => r.hash === record.hash);
  return (
    <section className="box stack rv-card rv-verdict" aria-labelledby="rv-done-heading">
      <div className="notice rv-done" role="status" data-testid="review-committed">
        <h3 id="rv-done-heading" ref={headingRef} tabIndex={-1}>
          {done.superseded ? 'Correction committed' : 'Review committed'}
        </h3>
        <p>
          The review by {reviewer} is committed as evidence in commit <code className="break" data-testid="review-commit">{done.committed.commit}</code>.
          {done.superseded && ` It supersedes the review by ${done.superseded.review.reviewer.name} and is now the review in force.`}
        </p>
        <p className="rv-done-links">
          <a href={hrefOf({ view: 'session', sessionId: detail.session.sessionId })}>Open the session page</a>
          <a href={hrefOf({ view: 'reviews' })}>Back to reviews</a>
          {/* Offered once the committed review is read back as the one in force, so the correction names it. */}
          {shown?.current && (
            <button type="button" className="button button-link" onClick={onCorrect}>
              Correct this review…
            </button>
          )}
        </p>
      </div>
      {shown && <ReviewShown title={shown.current ? 'Review in force' : 'Committed review'} item={shown} detail={detail} testId="current-review" />}
    </section>
  );
}
