import { useEffect } from 'react';
import type { PreconditionResult } from '../../app/service';
import { UNSIGNED_ALLOWED } from '../../app/preconditions';
import { formatLocalTime } from '../format';
import { TextField } from '../forms/TextField';
import { EnvironmentChoice } from './EnvironmentChoice';
import { preconditionKey } from './rules';
import { useWizard } from './useWizard';
import { IncidentHint } from './StepIncident';
import { ErrorNotice } from '../forms/ErrorNotice';
import { TableHead } from '../ui/TableHead';

/**
 * Step 2 (procedure.md §3): the host's checks, each a row with its result, the detail and a
 * "Check again" button. Credentials are checked for an environment and the incident ID for its
 * format, so both are asked for here (and shown again, editable, on their own steps).
 */
export function StepPreconditions() {
  const environment = useWizard((s) => s.fields.environment);
  const incidentId = useWizard((s) => s.fields.incidentId);
  const update = useWizard((s) => s.actions.update);
  const check = useWizard((s) => s.actions.checkPreconditions);
  return (
    <>
      <p className="step-lead">
        This host checks these before a declaration is allowed. A failed check blocks the declaration until it is fixed; the remote is only a warning, because offline recovery is allowed.
      </p>
      <div className="inputs-pair">
        <EnvironmentChoice hint="Credentials are checked for the environment you pick. Only which check passed is shown; values are never shown or recorded." />
        <div
          onBlur={(e) => {
            // Leaving the incident ID re-runs the checks with it.
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) void check();
          }}
        >
          <TextField path="incidentId" label="Incident ID" hint={<IncidentHint />} value={incidentId} onChange={(v) => update({ incidentId: v })} mono size="medium" />
        </div>
      </div>
      <ChecksTable interactive environment={environment} />
    </>
  );
}

const STATUS_WORDS: Record<PreconditionResult['status'], string> = { pass: 'Passed', fail: 'Failed', warn: 'Warning' };

/** What to do about a failed or warning check, where the service's detail alone may not say it. */
function fixHint(r: PreconditionResult, environment: string): string | null {
  if (r.status === 'warn' && r.id === 'remote') return 'Not blocking: evidence is committed on this host and pushed when the remote is reachable.';
  if (r.status === 'warn' && r.id === 'signing-key' && r.detail.includes(UNSIGNED_ALLOWED)) return 'Not blocking. To sign instead, load your roster key into the ssh-agent (ssh-add; a security key: ssh-add -K) and press "Check again".';
  if (r.status === 'warn' && r.id === 'forwarding') return 'Not blocking: every record is committed and queued; Settings → Forwarding tests each destination.';
  if (r.status !== 'fail') return null;
  switch (r.id) {
    case 'credentials':
      return environment
        ? `The console reads the environment it was started from: load the break-glass credentials for ${environment} in that shell (or restart the console from one where they are loaded), then press "Check again".`
        : 'Pick the environment above.';
    case 'incident-id':
      return 'Correct the incident ID above; the check runs again when you leave the field.';
    case 'os-account':
      return 'Log in to this workstation with your own named account and start the console from it.';
    case 'signing-key':
      return r.blocksAs === 'evidence-not-committed'
        ? 'Start ssh-agent with your roster key (eval "$(ssh-agent)"; ssh-add), start the console from that shell, then press "Check again".'
        : 'Load your roster key into the ssh-agent (ssh-add; a security key: ssh-add -K), or ask a roster admin to list you as an operator, then press "Check again".';
    case 'roster-account':
      return 'Log in to this workstation with one of the accounts the roster lists for you and start the console from it.';
    case 'evidence-repository':
      return 'Fix the evidence repository (see the detail), then press "Check again".';
    case 'overdue-review':
      return 'The policy makes an overdue review block your next declaration: have another named person review that session (Reviews in the top navigation), then press "Check again".';
    case 'remote':
    case 'forwarding':
      return null;
  }
}

/** The checks as a table; `interactive`: with "Check again" buttons (the review step shows them too). */
export function ChecksTable({ interactive, environment }: { interactive: boolean; environment: string }) {
  const pre = useWizard((s) => s.preconditions);
  const stale = useWizard((s) => s.preconditions.status === 'done' && s.preconditions.checkedFor !== preconditionKey(s.fields));
  const attempted = useWizard((s) => s.attempted.has(1) || s.attempted.has(4));
  const check = useWizard((s) => s.actions.checkPreconditions);
  const checking = pre.status === 'checking';
  const results = pre.results ?? [];

  // Every time the step is shown (entered, resumed from a draft, the review), and when the
  // environment changes (its credential checks differ), the checks run afresh.
  useEffect(() => {
    void check();
  }, [check, environment]);
  const firstFailed = results.findIndex((r) => r.status === 'fail');
  return (
    <section className="checks" aria-labelledby="wz-checks-heading" aria-busy={checking}>
      <div className="checks-head">
        <h5 id="wz-checks-heading">Checks on this host</h5>
        <p className="checks-state" role="status">
          {checking ? (
            <>
              <span className="spinner" aria-hidden="true" /> Checking…
            </>
          ) : pre.checkedAt ? (
            <>
              Checked at <time dateTime={pre.checkedAt}>{formatLocalTime(pre.checkedAt)}</time>
              {stale && ' — the inputs changed since: check again'}
            </>
          ) : (
            'Not checked yet'
          )}
        </p>
        <button type="button" className="button button-secondary" aria-disabled={checking} onClick={() => !checking && void check()}>
          {checking && pre.rowInFlight === null ? 'Checking…' : 'Check all again'}
        </button>
      </div>
      {pre.error && (
        <ErrorNotice what="The checks could not be run" message={pre.error.message} />
      )}
      {results.length > 0 && (
        <table className="checks-table">
          <TableHead columns={['Check', 'Result', 'Detail']} hidden={interactive ? 'Action' : undefined} />
          <tbody>
            {results.map((r, i) => {
              const fix = fixHint(r, environment);
              const detailId = `wz-check-${r.id}-detail`;
              return (
                <tr key={r.id} className={`check check--${r.status}`} data-check={r.id}>
                  <th scope="row">{r.label}</th>
                  <td>
                    <span className={`check-status check-status--${r.status}`}>
                      <span className="check-icon" aria-hidden="true">
                        {r.status === 'pass' ? '✓' : r.status === 'fail' ? '✕' : '!'}
                      </span>
                      {STATUS_WORDS[r.status]}
                    </span>
                  </td>
                  <td id={detailId}>
                    <p className="check-detail">{r.detail}</p>
                    {fix && <p className="check-fix">{r.status === 'fail' ? <strong>How to fix: </strong> : null}{fix}</p>}
                  </td>
                  {interactive && (
                    <td>
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-disabled={checking}
                        aria-describedby={detailId}
                        data-error={attempted && i === firstFailed ? 'true' : undefined}
                        onClick={() => !checking && void check(r.id)}
                        aria-label={`${checking && pre.rowInFlight === r.id ? 'Checking…' : 'Check again'}: ${r.label}`}
                      >
                        {checking && pre.rowInFlight === r.id ? 'Checking…' : 'Check again'}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
