import { useEffect, useMemo, useRef, type Ref } from 'react';
import type { ErrorInfo } from '../../app/contract';
import { formatLocalTime } from '../format';
import { useClock, useStatus } from '../stores/context';
import { ErrorNotice } from '../forms/ErrorNotice';
import { FieldErrorsProvider, type FieldErrorsContext } from '../forms/FieldErrors';
import { ActiveSessionNotice } from './EnvironmentChoice';
import { REVIEW_STEP, STEPS, type StepIndex } from './fields';
import { StepIncident } from './StepIncident';
import { StepPreconditions } from './StepPreconditions';
import { StepReview } from './StepReview';
import { StepScope } from './StepScope';
import { StepTrigger } from './StepTrigger';
import { wizardIssues } from './rules';
import { stepOfPath } from './validate';
import { useWizard } from './useWizard';
import { OverdueBlockNotice } from './OverdueBlockNotice';
import { DiscardAnswers } from './DiscardAnswers';
import './wizard.css';
import './wizardReview.css';

/**
 * The declaration wizard (issue 4; procedure.md §2–§4): five steps, each a form whose Enter is
 * "Next", validated with the service's own schema; a step indicator; the draft kept locally;
 * "Declare" commits the `declared` record and nothing is active before that commit.
 */
export function Wizard({ headingRef, onCancel }: { headingRef: Ref<HTMLHeadingElement>; onCancel(): void }) {
  const phase = useWizard((s) => s.phase);
  const loadError = useWizard((s) => s.loadError);
  const init = useWizard((s) => s.actions.init);

  useEffect(() => {
    void init();
  }, [init]);

  return (
    <section className="wizard" aria-labelledby="wizard-heading">
      <div className="wizard-head">
        <h3 id="wizard-heading" ref={headingRef} tabIndex={-1}>
          Declaration wizard
        </h3>
        {phase === 'ready' && <DraftStatus />}
      </div>
      {phase === 'ready' ? (
        <>
          <ResumedNote />
          <TopActiveSessionNotice />
          <OverdueBlockNotice />
          <Stepper />
          <StepBody />
        </>
      ) : phase === 'error' ? (
        <ErrorNotice what="The wizard cannot start" message={loadError?.message}>
          <button type="button" className="button button-secondary" onClick={() => void init()}>
            Try again
          </button>
        </ErrorNotice>
      ) : (
        <p role="status" className="muted">
          Reading the policy and any saved draft…
        </p>
      )}
      <WizardFooter onCancel={onCancel} />
    </section>
  );
}

function DraftStatus() {
  const draft = useWizard((s) => s.draft);
  return (
    <p className={`draft-status${draft.error ? ' draft-status--error' : ''}`} data-testid="draft-status">
      {draft.error ? (
        <>The draft could not be saved ({draft.error.message}). Your entries are still here; saving is retried.</>
      ) : draft.saving ? (
        'Saving the draft…'
      ) : draft.savedAt ? (
        <>
          Draft saved at <time dateTime={draft.savedAt}>{formatLocalTime(draft.savedAt)}</time>, on this host only (not in the evidence)
        </>
      ) : (
        'Entries are saved as a draft on this host as you type'
      )}
    </p>
  );
}

/** On the steps without the environment field, the conflict is said at the top (those steps show it beside the field). */
function TopActiveSessionNotice() {
  const step = useWizard((s) => s.step);
  return step === 1 || step === 3 ? null : <ActiveSessionNotice />;
}

function ResumedNote() {
  const from = useWizard((s) => s.draft.resumedFrom);
  if (!from) return null;
  return (
    <p className="notice notice--info">
      Resumed the draft saved at <time dateTime={from}>{formatLocalTime(from)}</time>. Check every step before you declare.
    </p>
  );
}

function Stepper() {
  const step = useWizard((s) => s.step);
  const maxStep = useWizard((s) => s.maxStep);
  const goTo = useWizard((s) => s.actions.goTo);
  return (
    <nav className="stepper" aria-label="Declaration steps">
      <ol>
        {STEPS.map((s, i) => {
          const state = i === step ? 'current' : i < step ? 'done' : i <= maxStep ? 'reached' : 'ahead';
          const label = (
            <>
              <span className="stepper-num" aria-hidden="true">
                {i + 1}
              </span>
              <span className="stepper-title">
                <span className="visually-hidden">Step {i + 1}: </span>
                {s.title}
              </span>
              <span className="visually-hidden">{state === 'current' ? ' (current step)' : state === 'done' ? ' (visited)' : state === 'ahead' ? ' (not reached yet)' : ''}</span>
            </>
          );
          return (
            <li key={s.id} className={`stepper-item stepper-item--${state}`} aria-current={i === step ? 'step' : undefined}>
              {i !== step && i <= maxStep ? (
                <button type="button" className="stepper-button" onClick={() => void goTo(i as StepIndex)}>
                  {label}
                </button>
              ) : (
                <span className="stepper-label">{label}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

const STEP_BODIES = [StepTrigger, StepPreconditions, StepIncident, StepScope, StepReview] as const;

function StepBody() {
  const step = useWizard((s) => s.step);
  const policy = useWizard((s) => s.policy);
  const fields = useWizard((s) => s.fields);
  const touched = useWizard((s) => s.touched);
  const attempted = useWizard((s) => s.attempted);
  const headingRequest = useWizard((s) => s.headingRequest);
  const focusRequest = useWizard((s) => s.focusRequest);
  const { next, touch, declare } = useWizard((s) => s.actions);
  const open = useStatus((s) => s.snapshot?.open);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const seen = useRef({ heading: headingRequest, focus: focusRequest });

  const errors = useMemo<FieldErrorsContext>(() => {
    const issues = wizardIssues(policy, fields, open);
    return { issues, touch, shown: (path) => attempted.has(step) || touched.has(path) };
  }, [policy, fields, open, attempted, touched, step, touch]);

  // The step changed: the focus goes to its heading, which says which step this is (issue 4, "announces the current step").
  useEffect(() => {
    if (seen.current.heading === headingRequest) return;
    seen.current.heading = headingRequest;
    headingRef.current?.focus();
    headingRef.current?.scrollIntoView({ block: 'nearest' });
  }, [headingRequest]);

  // "Next" found problems: the focus goes to the first one (after the heading effect, so it wins).
  useEffect(() => {
    if (seen.current.focus === focusRequest) return;
    seen.current.focus = focusRequest;
    const first = bodyRef.current?.querySelector<HTMLElement>('[data-error="true"]');
    if (first) {
      first.focus();
      first.scrollIntoView({ block: 'center' });
    } else {
      document.getElementById('wz-blocked')?.focus();
    }
  }, [focusRequest]);

  const Body = STEP_BODIES[step];
  return (
    <div className="wizard-step" ref={bodyRef}>
      <h4 id="wz-step-heading" ref={headingRef} tabIndex={-1} className="step-heading">
        <span className="step-count">
          Step {step + 1} of {STEPS.length}:
        </span>{' '}
        {STEPS[step].title}
      </h4>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void (step === REVIEW_STEP ? declare() : next());
        }}
      >
        <FieldErrorsProvider value={errors}>
          <div className="step-fields">
            <Body />
          </div>
        </FieldErrorsProvider>
        <StepNav />
      </form>
    </div>
  );
}

function StepNav() {
  const step = useWizard((s) => s.step);
  const blocked = useWizard((s) => s.blocked);
  const advancing = useWizard((s) => s.advancing);
  const declaring = useWizard((s) => s.declaring.status === 'declaring');
  const back = useWizard((s) => s.actions.back);
  return (
    <div className="wizard-nav">
      {step === REVIEW_STEP && <DeclareStatus />}
      {blocked && (
        <p className="wizard-blocked" id="wz-blocked" tabIndex={-1}>
          <span aria-hidden="true" className="field-error-icon">
            !
          </span>{' '}
          {blocked}
        </p>
      )}
      <div className="wizard-buttons">
        {step > 0 && (
          <button type="button" className="button button-secondary" onClick={back} aria-disabled={declaring}>
            Back<span className="visually-hidden"> to {STEPS[step - 1]!.title}</span>
          </button>
        )}
        {step < REVIEW_STEP ? (
          <button type="submit" className="button button-primary" aria-disabled={advancing}>
            {advancing ? 'Checking…' : `Next: ${STEPS[step + 1]!.title}`}
          </button>
        ) : (
          <DeclareButton />
        )}
      </div>
    </div>
  );
}

function DeclareButton() {
  // "Retry" only where retrying can help (the commit failed); a refusal needs a change first.
  const status = useWizard((s) => (s.declaring.status === 'failed' && !['evidence-not-committed', 'internal'].includes(s.declaring.error?.code ?? '') ? 'idle' : s.declaring.status));
  return (
    <>
      <span className="visually-hidden" id="wz-declare-desc">
        Commits the declared record to the evidence repository; the session starts only once it is committed.
      </span>
      <button type="submit" className="button button-primary button-large" aria-disabled={status === 'declaring'} aria-describedby="wz-declare-desc">
        {status === 'declaring' ? 'Declaring…' : status === 'failed' ? 'Retry declaring' : 'Declare'}
      </button>
    </>
  );
}

/** Progress while the record is committed (a held lock can take a while), or why it failed. */
function DeclareStatus() {
  const declaring = useWizard((s) => s.declaring);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (declaring.status === 'failed') headingRef.current?.focus();
  }, [declaring.status, declaring.error]);
  if (declaring.status === 'declaring') return <DeclareProgress startedAt={declaring.startedAt ?? Date.now()} />;
  if (declaring.status === 'failed' && declaring.error) return <DeclareError error={declaring.error} headingRef={headingRef} />;
  return null;
}

function DeclareProgress({ startedAt }: { startedAt: number }) {
  const elapsed = useClock((s) => Math.max(0, Math.floor((s.now - startedAt) / 1000)));
  return (
    <div className="progress-line" role="status">
      <progress aria-label="Committing the declaration" />
      <span>
        Committing the declared record to the evidence repository…{elapsed >= 2 ? ` ${elapsed} s (waiting for the repository)` : ''}
      </span>
    </div>
  );
}

function errorTitle(e: ErrorInfo): string {
  if (e.code === 'evidence-not-committed') return 'Not declared: the evidence could not be committed';
  if (e.code === 'refused' && e.field === 'environment') return 'Not declared: a session is already active in this environment';
  if (e.code === 'refused' && e.field === 'preconditions') return 'Not declared: a precondition failed';
  if (e.code === 'invalid-input') return 'Not declared: the service refused a field';
  if (e.code === 'forbidden') return 'Not declared: this console may not declare';
  return 'Not declared';
}

function DeclareError({ error, headingRef }: { error: ErrorInfo; headingRef: Ref<HTMLHeadingElement> }) {
  const goTo = useWizard((s) => s.actions.goTo);
  const problems = error.problems ?? [];
  return (
    <div className="notice notice--error" role="alert" data-testid="declare-error">
      <h5 ref={headingRef} tabIndex={-1}>
        {errorTitle(error)}
      </h5>
      <p className="prewrap">{error.message}</p>
      <p>
        <strong>No session exists and nothing was recorded.</strong> Every field is kept, here and in the draft.{' '}
        {error.code === 'evidence-not-committed' || error.code === 'internal' ? 'Fix the cause, then press "Retry declaring".' : 'Fix what it says, then declare again.'}
      </p>
      {error.field === 'preconditions' && (
        <button type="button" className="button button-secondary" onClick={() => void goTo(1)}>
          Go to Preconditions
        </button>
      )}
      {error.code === 'invalid-input' && problems.length > 0 && (
        <ul className="problems">
          {problems.map((p) => (
            <li key={`${p.path}:${p.message}`}>
              <span className="mono">{p.path}</span>: {p.message}{' '}
              <button type="button" className="button button-link" onClick={() => void goTo(stepOfPath(p.path))}>
                Go to {STEPS[stepOfPath(p.path)].title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function WizardFooter({ onCancel }: { onCancel(): void }) {
  const confirming = useWizard((s) => s.draft.confirmingDiscard);
  const declaring = useWizard((s) => s.declaring.status === 'declaring');
  const ready = useWizard((s) => s.phase === 'ready');
  const { askDiscard } = useWizard((s) => s.actions);
  const keepRef = useRef<HTMLButtonElement>(null);
  const discardRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(confirming);
  useEffect(() => {
    if (confirming) keepRef.current?.focus();
    else if (wasConfirming.current) discardRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);
  return (
    <div className="wizard-foot">
      <div className="wizard-foot-item">
        <button type="button" className="button button-secondary" onClick={onCancel} aria-disabled={declaring} aria-describedby="wz-cancel-desc">
          Cancel
        </button>
        <p className="field-hint" id="wz-cancel-desc">
          Closes the wizard. Your entries stay saved as a draft on this host.
        </p>
      </div>
      {ready &&
        (confirming ? (
          <div className="discard-confirm" role="group" aria-labelledby="wz-discard-q">
            <p id="wz-discard-q">
              <strong>Discard everything typed in this declaration?</strong> It cannot be undone.
            </p>
            <DiscardAnswers keepRef={keepRef} />
          </div>
        ) : (
          <button ref={discardRef} type="button" className="button button-link" onClick={() => askDiscard(true)} aria-disabled={declaring}>
            Discard draft…
          </button>
        ))}
    </div>
  );
}
