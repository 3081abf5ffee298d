import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionView } from '../../app/views';
import { formatLocalTime, formatUtc } from '../format';
import { useStatus, useUi } from '../stores/context';
import { STEPS } from './fields';
import { useWizard } from './useWizard';
import { Wizard } from './Wizard';
import { DiscardAnswers } from './DiscardAnswers';

const NONE: readonly SessionView[] = [];

/**
 * The way to declare (procedure.md §2–§4; issue 4). With no open session on this host it is the
 * one obvious way forward; beside open sessions (one per environment, §5) it offers the other
 * environments. A draft saved earlier is offered back; the wizard opens in the region below the
 * button.
 */
export function DeclarePanel() {
  const { observer, policyOk } = useStatus(useShallow((s) => ({ observer: s.snapshot?.observer ?? false, policyOk: s.snapshot?.policy.ok ?? false })));
  const elsewhere = useStatus(useShallow((s) => (s.snapshot?.recent ?? []).filter((v) => !v.mine && v.phase === 'active')));
  const mineOpen = useStatus((s) => s.snapshot?.open ?? NONE);
  const open = useUi((s) => s.declareOpen);
  const { openDeclare, closeDeclare } = useUi((s) => s.actions);
  const init = useWizard((s) => s.actions.init);
  const saveNow = useWizard((s) => s.actions.saveNow);
  const declaring = useWizard((s) => s.declaring.status === 'declaring');
  const buttonRef = useRef<HTMLButtonElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const regionHeading = useRef<HTMLHeadingElement>(null);
  const wasOpen = useRef(open);

  const canDeclare = !observer && policyOk;
  const secondary = mineOpen.length > 0;

  // Reads the policy and any saved draft at start, so an unfinished declaration is offered back.
  useEffect(() => {
    if (canDeclare) void init();
  }, [canDeclare, init]);

  useEffect(() => {
    if (open && !wasOpen.current) regionHeading.current?.focus();
    else if (!open && wasOpen.current) {
      // Back to the button, unless the focus already went somewhere on purpose (the new session's heading).
      const active = document.activeElement;
      if (!active || active === document.body || sectionRef.current?.contains(active)) buttonRef.current?.focus();
    }
    wasOpen.current = open;
  }, [open]);

  const cancel = () => {
    if (declaring) return;
    void saveNow();
    closeDeclare();
  };

  if (secondary && !canDeclare) return null;
  return (
    <section ref={sectionRef} className={`declare${observer ? ' declare--observer' : ''}${secondary ? ' declare--secondary' : ''}`} aria-labelledby="declare-heading">
      <h2 id="declare-heading">{secondary ? 'Another environment' : 'No active session on this host'}</h2>
      {observer ? (
        <p className="declare-lead">
          This console is an observer: it shows the evidence and cannot declare. Declarations are made on the operator&apos;s admin host.
        </p>
      ) : !policyOk ? (
        <p className="declare-lead declare-blocked">Declaring is blocked until the policy problems above are fixed in the evidence repository.</p>
      ) : secondary ? (
        <p className="declare-lead">
          One session per environment may be active on a host. Declare again only for a different environment, and only if every governed path has failed there too.
        </p>
      ) : (
        <p className="declare-lead">
          Declare only when every governed access path has failed. You will name the trigger, the paths tried and the risk, then act for a limited time; every step is committed as evidence.
        </p>
      )}
      {elsewhere.length > 0 && (
        <div>
          <p>
            <strong>Active on other hosts:</strong>
          </p>
          <ul className="elsewhere">
            {elsewhere.map((v) => (
              <li key={v.sessionId}>
                <span className="mono">{v.incidentId}</span> in {v.environment} on {v.host.name}, operator {v.operator.name}, until{' '}
                <time dateTime={v.expiresAt}>{formatLocalTime(v.expiresAt)}</time> <span className="utc">({formatUtc(v.expiresAt)})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <DeclaredHandOff />
      {canDeclare && (
        <>
          {!open && <DraftOffer resumeWith={secondary ? 'Declare in another environment' : 'Declare break-glass'} />}
          <button
            ref={buttonRef}
            type="button"
            // Open, it is only the disclosure that hides the wizard: it must not look like the action that declares.
            className={`button ${secondary || open ? 'button-secondary' : 'button-primary button-large'} declare-toggle`}
            aria-expanded={open}
            aria-controls="declare-wizard"
            onClick={open ? cancel : openDeclare}
          >
            <span className="declare-toggle-chevron" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            {secondary ? 'Declare in another environment' : 'Declare break-glass'}
          </button>
          <div id="declare-wizard" hidden={!open}>
            {open && <Wizard headingRef={regionHeading} onCancel={cancel} />}
          </div>
        </>
      )}
    </section>
  );
}

/** A draft kept from before (a reload, a restart): offered back, or discarded on request (issue 4). */
function DraftOffer({ resumeWith }: { resumeWith: string }) {
  const draft = useWizard((s) => s.draft);
  const summary = useWizard(useShallow((s) => ({ step: s.step, incidentId: s.fields.incidentId.trim(), environment: s.fields.environment })));
  const { askDiscard } = useWizard((s) => s.actions);
  if (!draft.exists) return null;
  return (
    <div className="notice notice--info draft-offer" role="note" aria-labelledby="draft-offer-heading">
      <p id="draft-offer-heading">
        <strong>An unfinished declaration is saved on this host</strong>
        {draft.savedAt && (
          <>
            {' '}
            (last saved at <time dateTime={draft.savedAt}>{formatLocalTime(draft.savedAt)}</time>)
          </>
        )}
        : {[summary.incidentId, summary.environment].filter(Boolean).join(', ') || 'no incident ID yet'}, at step {summary.step + 1} of {STEPS.length} ({STEPS[summary.step].title}). Nothing has been
        declared. &ldquo;{resumeWith}&rdquo; resumes it where you left off.
      </p>
      {draft.confirmingDiscard ? (
        <div className="declare-actions" role="group" aria-label="Confirm discarding the draft">
          <span>Discard it? This cannot be undone.</span>
          <DiscardAnswers />
        </div>
      ) : (
        <button type="button" className="button button-link" onClick={() => askDiscard(true)}>
          Discard the saved draft…
        </button>
      )}
      {draft.error && <p className="text-danger">{draft.error.message}</p>}
    </div>
  );
}

/**
 * After "Declare": the session exists once its record is committed; the console shows it as soon
 * as the snapshot that contains it arrives, and the focus moves to it.
 */
function DeclaredHandOff() {
  const declared = useWizard((s) => s.declared);
  const acknowledge = useWizard((s) => s.actions.acknowledgeDeclared);
  const visible = useStatus((s) => (declared ? (s.snapshot?.open ?? NONE).some((o) => o.sessionId === declared.sessionId) : false));
  useEffect(() => {
    if (!declared || !visible) return;
    const heading = document.getElementById(`session-${declared.sessionId}`);
    if (heading) {
      // The heading is not a control; made focusable for this one move so the reader starts at the new session.
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus();
      heading.scrollIntoView({ block: 'start' });
    }
    acknowledge();
  }, [declared, visible, acknowledge]);
  if (!declared || visible) return null;
  return (
    <p className="notice notice--info" role="status">
      Declared {declared.incidentId}: the record is committed. Opening the session…
    </p>
  );
}
