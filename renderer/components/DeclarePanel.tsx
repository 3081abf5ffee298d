import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatLocalTime, formatUtc } from '../format';
import { useStatus, useUi } from '../stores/context';

/**
 * No open session on this host: the one obvious way forward (procedure.md §2–§4). The wizard
 * opens in the region below the button (issue 4); until then the region says so.
 */
export function DeclarePanel() {
  const { observer, policyOk } = useStatus(useShallow((s) => ({ observer: s.snapshot?.observer ?? false, policyOk: s.snapshot?.policy.ok ?? false })));
  const elsewhere = useStatus(useShallow((s) => (s.snapshot?.recent ?? []).filter((v) => !v.mine && v.phase === 'active')));
  const open = useUi((s) => s.declareOpen);
  const { openDeclare, closeDeclare } = useUi((s) => s.actions);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const regionHeading = useRef<HTMLHeadingElement>(null);
  const wasOpen = useRef(open);

  useEffect(() => {
    if (open) regionHeading.current?.focus();
    else if (wasOpen.current) buttonRef.current?.focus();
    wasOpen.current = open;
  }, [open]);

  const canDeclare = !observer && policyOk;
  return (
    <section className={`declare${observer ? ' declare--observer' : ''}`} aria-labelledby="declare-heading">
      <h2 id="declare-heading">No active session on this host</h2>
      {observer ? (
        <p className="declare-lead">
          This console is an observer: it shows the evidence and cannot declare. Declarations are made on the operator&apos;s admin host.
        </p>
      ) : !policyOk ? (
        <p className="declare-lead declare-blocked">Declaring is blocked until the policy problems above are fixed in the evidence repository.</p>
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
      {canDeclare && (
        <>
          <button
            ref={buttonRef}
            type="button"
            className="button button-primary button-large"
            aria-expanded={open}
            aria-controls="declare-wizard"
            onClick={open ? closeDeclare : openDeclare}
          >
            Declare break-glass
          </button>
          <div id="declare-wizard" hidden={!open}>
            {open && (
              <section className="wizard-placeholder" aria-labelledby="wizard-heading">
                <h3 id="wizard-heading" ref={regionHeading} tabIndex={-1}>
                  Declaration wizard
                </h3>
                <p>The declaration wizard opens here: trigger, preconditions, justification, review and confirmation by typing the incident ID.</p>
                <p>
                  Until it is available, declare with the command line: <code>breakglass declare</code>
                </p>
                <button type="button" className="button button-secondary" onClick={closeDeclare}>
                  Cancel
                </button>
              </section>
            )}
          </div>
        </>
      )}
    </section>
  );
}
