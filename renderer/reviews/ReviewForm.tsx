import { useEffect, useMemo, useRef, useState, type FormEvent, type Ref } from 'react';
import type { Committed, ErrorInfo } from '../../app/contract';
import { findEnvironment, type Policy } from '../../app/policy';
import type { Review } from '../../app/records';
import { compareScopes } from '../../app/scopes';
import type { SessionDetail } from '../../app/views';
import { formatCount, formatLocalDateTime, formatPerson, formatUtc, outcomeLabel } from '../format';
import { hrefOf } from '../routes';
import { bridgeFailure } from '../stores/status';
import { useApi, useStatus } from '../stores/context';
import { FieldError, FieldErrorsProvider, fieldId, onGroupBlur, TextField, useFieldErrors, useTouch, type FieldErrorsContext } from '../wizard/controls';
import type { FieldIssues } from '../wizard/validate';
import { emptyFollowUp, initialDraft, topOf, toReview, validateReview, type FollowUpRow, type Outcome, type ReviewDraft } from './reviewDraft';
import { SessionRecord, When } from './SessionRecord';
import '../wizard/wizard.css';
import './reviews.css';

const ID_PREFIX = 'rv';

type CurrentReview = SessionDetail['reviews'][number];

/**
 * The review form (issue 7, procedure.md §9): the whole session first, then the reviewer's
 * verdict, committed as a `reviewed` record authored by the reviewer. A review is never edited:
 * when the session already has one, the form submits a correction that supersedes it.
 */
export function ReviewForm({ sessionId }: { sessionId: string }) {
  const api = useApi();
  const changedAt = useStatus((s) => s.snapshot?.at ?? null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [reload, setReload] = useState(0);

  // Read again whenever the evidence changes (a review committed here or fetched from elsewhere).
  useEffect(() => {
    let live = true;
    void api.session
      .timeline({ sessionId })
      .catch((e: unknown) => bridgeFailure(e))
      .then((r) => {
        if (!live) return;
        if (r.ok) {
          setDetail(r.value);
          setLoadError(null);
        } else setLoadError(r.error);
      });
    return () => {
      live = false;
    };
  }, [api, sessionId, changedAt, reload]);
  useEffect(() => {
    let live = true;
    void api.policy
      .get({})
      .catch((e: unknown) => bridgeFailure(e))
      .then((r) => {
        if (live && r.ok) setPolicy(r.value.policy);
      });
    return () => {
      live = false;
    };
  }, [api, changedAt]);
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const scopes = useMemo(() => {
    if (!detail) return null;
    const known = policy ? (findEnvironment(policy, detail.declaration.environment)?.scopes.map((s) => s.id) ?? []) : [];
    const actions = detail.timeline.flatMap((e) => (e.record.type === 'action' ? [{ seq: e.record.seq, argv: e.record.payload.argv, cwd: e.record.payload.cwd, output: e.record.payload.output }] : []));
    return compareScopes({ declared: detail.declaration.scopes, known, actions });
  }, [detail, policy]);

  const phase = detail?.session.phase;
  return (
    <section className="rv-view" aria-labelledby="view-heading" aria-busy={detail === null && loadError === null}>
      <p className="rv-crumbs">
        <a href={hrefOf({ view: 'reviews' })}>← Reviews</a>
      </p>
      <h2 id="view-heading" ref={heading} tabIndex={-1}>
        Review {detail ? <span className="mono">{detail.session.incidentId}</span> : null} <span className="muted mono rv-heading-id">{sessionId}</span>
      </h2>
      {loadError && (
        <div className="notice notice--error" role="alert">
          <p>
            <strong>The session could not be read:</strong> {loadError.message}
          </p>
        </div>
      )}
      {!detail && !loadError && (
        <p role="status" className="muted">
          Reading the session…
        </p>
      )}
      {detail && scopes && (
        <>
          {(phase === 'active' || phase === 'expired') && <NotClosed detail={detail} />}
          <p className="rv-lead">
            Read the whole session, then give your verdict below.{' '}
            {(phase === 'closed' || phase === 'reviewed') && (
              <>
                <button type="button" className="button button-link rv-jump" onClick={() => document.getElementById('rv-verdict-heading')?.focus()}>
                  Go to the review form
                </button>{' '}
                ·{' '}
              </>
            )}
            <a href={hrefOf({ view: 'session', sessionId })}>Open the session page</a>
          </p>
          <SessionRecord detail={detail} scopes={scopes} />
          {(phase === 'closed' || phase === 'reviewed') && <Verdict detail={detail} onCommitted={() => setReload((n) => n + 1)} />}
        </>
      )}
    </section>
  );
}

/** The form is not offered before closing: the lifecycle refuses a review of an open session (§8, §9). */
function NotClosed({ detail }: { detail: SessionDetail }) {
  const active = detail.session.phase === 'active';
  return (
    <div className="notice notice--warning rv-not-closed" role="note" data-testid="not-closed">
      <p>
        <strong>This session cannot be reviewed yet:</strong>{' '}
        {active
          ? 'it is still active. A review is possible only after the operator has closed it with its reversal record.'
          : 'it has expired but is not closed. The operator must close it with its reversal record first; then it can be reviewed.'}
      </p>
      <p>
        <a href={hrefOf({ view: 'session', sessionId: detail.session.sessionId })}>Open the session page</a>
      </p>
    </div>
  );
}

interface Submission {
  status: 'idle' | 'submitting';
  /** Refusals from main by field path (`reviewer`, `reviewer.name`, `findings`…). */
  server: Map<string, string[]>;
  /** A refusal that concerns no field of the form (the session's state, the review in force changed). */
  general: string | null;
  /** How many problems the last "Commit" attempt found in the form itself. */
  clientCount: number;
}

const IDLE: Submission = { status: 'idle', server: new Map(), general: null, clientCount: 0 };

function Verdict({ detail, onCommitted }: { detail: SessionDetail; onCommitted(): void }) {
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
  const [done, setDone] = useState<{ committed: Committed; superseded: CurrentReview | null } | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const generalRef = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  const supersedes = current?.hash ?? null;
  const clientIssues = useMemo(() => validateReview(draft, supersedes), [draft, supersedes]);
  const issues: FieldIssues = useMemo(() => {
    const merged = new Map<string, string[]>();
    for (const [k, v] of clientIssues) merged.set(k, [...v]);
    for (const [k, v] of submission.server) merged.set(k, [...(merged.get(k) ?? []), ...v.filter((m) => !(merged.get(k) ?? []).includes(m))]);
    return merged;
  }, [clientIssues, submission.server]);

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
    const changedTops = new Set(Object.keys(patch).map((k) => (k === 'name' || k === 'email' ? 'reviewer' : k === 'kind' ? 'drill' : k)));
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
    const r = await api.session.review({ sessionId: detail.session.sessionId, review }).catch((err: unknown) => bridgeFailure(err));
    if (r.ok) {
      setSubmission(IDLE);
      setDone({ committed: r.value, superseded: current });
      onCommitted();
      return;
    }
    setSubmission(refusalOf(r.error));
    // The review in force may have changed meanwhile (a correction from elsewhere): read it again.
    if (r.error.field === 'supersedes') onCommitted();
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
    <section className="rv-card rv-verdict" aria-labelledby="rv-verdict-heading">
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
          <ReviewShown title="Review in force" entry={current} testId="current-review" />
          {earlier.length > 0 && (
            <details className="rv-earlier">
              <summary>Earlier reviews, superseded ({formatCount(earlier.length, 'review')})</summary>
              {earlier.map((r) => (
                <ReviewShown key={r.hash} title={`Superseded review by ${r.review.reviewer.name}`} entry={r} />
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

/** A refusal from main, placed by the field it concerns (`error.field`, or every problem's path). */
function refusalOf(error: ErrorInfo): Submission {
  const server = new Map<string, string[]>();
  const formFields = new Set(['reviewer', 'outcome', 'drill', 'findings', 'followUps']);
  const place = (path: string, message: string) => {
    if (!formFields.has(topOf(path))) return false;
    server.set(path, [...(server.get(path) ?? []), message]);
    return true;
  };
  let placed = false;
  if (error.problems && error.problems.length > 0) {
    for (const p of error.problems) placed = place(p.path, p.message) || placed;
  } else if (error.field) placed = place(error.field, error.message);
  return { status: 'idle', server, general: placed ? null : error.message, clientCount: 0 };
}

function ReviewerFields({ draft, update }: { draft: ReviewDraft; update(p: Partial<ReviewDraft>): void }) {
  const groupErrors = useFieldErrors('reviewer');
  const errorId = `${fieldId('reviewer', ID_PREFIX)}-error`;
  return (
    <fieldset className={`group${groupErrors.length > 0 ? ' field--invalid' : ''}`} aria-describedby={groupErrors.length > 0 ? errorId : undefined}>
      <legend className="group-legend">Reviewer</legend>
      <div className="inputs-pair">
        <TextField path="reviewer.name" idPrefix={ID_PREFIX} label="Full name" value={draft.name} onChange={(name) => update({ name })} autoComplete="name" size="long" />
        <TextField path="reviewer.email" idPrefix={ID_PREFIX} label="E-mail" type="email" inputMode="email" value={draft.email} onChange={(email) => update({ email })} autoComplete="email" size="long" />
      </div>
      <FieldError id={errorId} messages={groupErrors} />
    </fieldset>
  );
}

const OUTCOMES: Array<{ value: Outcome; title: string; meta: string }> = [
  { value: 'justified', title: 'Justified', meta: 'A real need, handled within the procedure.' },
  { value: 'justified-with-findings', title: 'Justified with findings', meta: 'A real need, with something to improve.' },
  { value: 'not-justified', title: 'Not justified', meta: 'Break-glass should not have been used.' },
];

function RadioGroup<V extends string>({ path, legend, value, options, onChange }: { path: string; legend: string; value: V | ''; options: Array<{ value: V; title: string; meta: string }>; onChange(v: V): void }) {
  const errors = useFieldErrors(path);
  const touch = useTouch();
  const id = fieldId(path, ID_PREFIX);
  const errorId = `${id}-error`;
  return (
    <fieldset className={`group${errors.length > 0 ? ' field--invalid' : ''}`} onBlur={onGroupBlur(() => touch(path))}>
      <legend className="group-legend">{legend}</legend>
      <div className="choices choices--inline">
        {options.map((o, i) => (
          <label key={o.value} className={`choice${value === o.value ? ' choice--selected' : ''}`}>
            <input
              type="radio"
              name={id}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
              aria-describedby={errors.length > 0 ? errorId : undefined}
              aria-invalid={errors.length > 0 ? true : undefined}
              data-error={errors.length > 0 && i === 0 ? 'true' : undefined}
            />
            <span className="choice-text">
              <span className="choice-title">{o.title}</span>
              <span className="choice-meta">{o.meta}</span>
            </span>
          </label>
        ))}
      </div>
      <FieldError id={errorId} messages={errors} />
    </fieldset>
  );
}

function OutcomeField({ value, onChange }: { value: Outcome | ''; onChange(v: Outcome): void }) {
  return <RadioGroup path="outcome" legend="Outcome" value={value} options={OUTCOMES} onChange={onChange} />;
}

function KindField({ value, onChange }: { value: ReviewDraft['kind']; onChange(v: 'real' | 'drill'): void }) {
  return (
    <RadioGroup
      path="drill"
      legend="Real emergency or drill"
      value={value}
      options={[
        { value: 'real', title: 'Real emergency', meta: 'Production was really at risk.' },
        { value: 'drill', title: 'Drill', meta: 'A planned exercise of the procedure.' },
      ]}
      onChange={onChange}
    />
  );
}

function FollowUps({ rows, onChange, onAdd }: { rows: FollowUpRow[]; onChange(rows: FollowUpRow[]): void; onAdd(key: string): void }) {
  const addRef = useRef<HTMLButtonElement>(null);
  const focusAfterAdd = useRef<string | null>(null);
  useEffect(() => {
    const key = focusAfterAdd.current;
    if (!key) return;
    focusAfterAdd.current = null;
    const i = rows.findIndex((r) => r.key === key);
    if (i >= 0) document.getElementById(fieldId(`followUps[${i}].action`, ID_PREFIX))?.focus();
  }, [rows]);
  const set = (i: number, patch: Partial<FollowUpRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="group rv-followups">
      <legend className="group-legend">Follow-up actions</legend>
      <p className="field-hint">Each with an owner and, when there is one, a due date. Optional.</p>
      {rows.length > 0 && (
        <ol className="rv-followup-list">
          {rows.map((r, i) => (
            <li key={r.key} className="rv-followup">
              <TextField path={`followUps[${i}].action`} idPrefix={ID_PREFIX} label={`Action ${i + 1}`} value={r.action} onChange={(action) => set(i, { action })} />
              <TextField path={`followUps[${i}].owner`} idPrefix={ID_PREFIX} label="Owner" value={r.owner} onChange={(owner) => set(i, { owner })} autoComplete="name" />
              <DateField path={`followUps[${i}].due`} label="Due date" value={r.due} onChange={(due) => set(i, { due })} />
              <button
                type="button"
                className="button button-secondary button-small rv-remove"
                aria-label={`Remove follow-up action ${i + 1}`}
                onClick={() => {
                  onChange(rows.filter((_, j) => j !== i));
                  addRef.current?.focus();
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      <div>
        <button
          ref={addRef}
          type="button"
          className="button button-secondary"
          onClick={() => {
            const row = emptyFollowUp();
            focusAfterAdd.current = row.key;
            onAdd(row.key);
            onChange([...rows, row]);
          }}
        >
          Add a follow-up action
        </button>
      </div>
    </fieldset>
  );
}

/** A date input (YYYY-MM-DD, as the schema takes it) with its errors. */
function DateField({ path, label, value, onChange }: { path: string; label: string; value: string; onChange(v: string): void }) {
  const errors = useFieldErrors(path);
  const touch = useTouch();
  const id = fieldId(path, ID_PREFIX);
  return (
    <div className={`field${errors.length > 0 ? ' field--invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label} <span className="muted">(optional)</span>
      </label>
      <input
        id={id}
        type="date"
        className="input rv-date"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => touch(path)}
        aria-invalid={errors.length > 0 ? true : undefined}
        aria-describedby={errors.length > 0 ? `${id}-error` : undefined}
        data-error={errors.length > 0 ? 'true' : undefined}
      />
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

/** A committed review, read-only. */
function ReviewShown({ title, entry, testId }: { title: string; entry: CurrentReview; testId?: string }) {
  const r: Review = entry.review;
  return (
    <div className="rv-shown" data-testid={testId} data-hash={entry.hash}>
      <h4>{title}</h4>
      <dl className="facts rv-facts">
        <div>
          <dt>Reviewer</dt>
          <dd>{formatPerson(r.reviewer)}</dd>
        </div>
        <div>
          <dt>Reviewed</dt>
          <dd>
            <When at={entry.at} />
          </dd>
        </div>
        <div>
          <dt>Outcome</dt>
          <dd>
            <span className={`rv-outcome rv-outcome--${r.outcome}`}>{outcomeLabel(r.outcome)}</span>
          </dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>{r.drill ? 'Drill' : 'Real emergency'}</dd>
        </div>
      </dl>
      {r.findings && <p className="prewrap rv-findings">{r.findings}</p>}
      {r.followUps.length > 0 && (
        <ul className="rv-list">
          {r.followUps.map((f, i) => (
            <li key={i}>
              {f.action} — {f.owner}
              {f.due ? `, due ${f.due}` : ''}
            </li>
          ))}
        </ul>
      )}
      <p className="muted rv-small">
        Record hash <code className="break">{entry.hash}</code>
      </p>
    </div>
  );
}

function CommittedPanel({ done, detail, headingRef, onCorrect }: { done: { committed: Committed; superseded: CurrentReview | null }; detail: SessionDetail; headingRef: Ref<HTMLHeadingElement>; onCorrect(): void }) {
  const record = done.committed.record;
  const reviewer = record.type === 'reviewed' ? record.payload.review.reviewer.name : record.actor.name;
  const shown = detail.reviews.find((r) => r.hash === record.hash);
  return (
    <section className="rv-card rv-verdict" aria-labelledby="rv-done-heading">
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
      {shown && <ReviewShown title={shown.current ? 'Review in force' : 'Committed review'} entry={shown} testId="current-review" />}
    </section>
  );
}
