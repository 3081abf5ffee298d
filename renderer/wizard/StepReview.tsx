import { Fragment, type ReactNode } from 'react';
import { TRIGGERS, type TriggerId } from '../../app/policy';
import { TOUCH_PROMPT } from '../../app/roster/signerChoice';
import { useClock } from '../stores/context';
import { TextField } from '../forms/TextField';
import { COMMIT_PLACEHOLDER, envPreview, SESSION_ID_PLACEHOLDER } from './envPreview';
import { STEPS, type StepIndex } from './fields';
import { ChecksTable } from './StepPreconditions';
import { localStamp, utcStamp } from './time';
import { useWizard } from './useWizard';
import { UNSIGNED_ALLOWED } from '../../app/preconditions';
import { Fact, ScopeChips } from '../evidence/Fact';

/** Step 5 (procedure.md §4): everything on one page, the exact export block, and the confirmation. */
export function StepReview() {
  const incidentId = useWizard((s) => s.fields.incidentId.trim());
  const confirmation = useWizard((s) => s.fields.confirmation);
  const environment = useWizard((s) => s.fields.environment);
  const update = useWizard((s) => s.actions.update);
  return (
    <>
      <WhatDeclaringMeans />
      <TriggerSummary />
      <Summary step={1} title="Preconditions">
        <ChecksTable interactive environment={environment} />
      </Summary>
      <IncidentSummary />
      <ScopeSummary />
      <EnvBlock />
      <TextField
        path="confirmation"
        label={
          <>
            To confirm, type the incident ID <span className="mono">{incidentId || '(not entered)'}</span>
          </>
        }
        hint="Exactly as shown. Then press Declare: the declared record is committed, and only then does the session start."
        value={confirmation}
        onChange={(v) => update({ confirmation: v })}
        mono
        size="medium"
      />
    </>
  );
}

/** The plain statement before declaring (issue 4): exceptional, time-bound, recorded, reviewed, and by whom. */
function WhatDeclaringMeans() {
  const operator = useWizard((s) => s.fields.operatorName.trim());
  const duration = useWizard((s) => s.fields.duration.trim());
  const reviewDays = useWizard((s) => s.policy?.reviewWindowDays ?? 5);
  return (
    <section className="notice notice--serious" aria-labelledby="wz-means-heading">
      <h5 id="wz-means-heading">What declaring means</h5>
      <ul>
        <li>
          <strong>Exceptional.</strong> Break-glass replaces the governed path only because every governed path failed. It is not for convenience.
        </li>
        <li>
          <strong>Time-bound.</strong> Access ends by itself after {duration || 'the chosen'} minutes; extending needs a new justification and is recorded.
        </li>
        <li>
          <strong>Recorded.</strong> This declaration and everything done in the session are committed as evidence in Git, authored by {operator || 'you'}, and cannot be edited afterwards.
        </li>
        <li>
          <strong>Reviewed.</strong> After you close the session, a named person other than you{operator ? ` (not ${operator})` : ''} reviews it within {reviewDays} {reviewDays === 1 ? 'day' : 'days'}, as the policy requires. You cannot review your own session.
        </li>
      </ul>
    </section>
  );
}

function Summary({ step, title, children }: { step: StepIndex; title: string; children: ReactNode }) {
  const goTo = useWizard((s) => s.actions.goTo);
  const id = `wz-summary-${STEPS[step].id}`;
  return (
    <section className="summary" aria-labelledby={id}>
      <div className="summary-head">
        <h5 id={id}>
          {step + 1}. {title}
        </h5>
        <button type="button" className="button button-link" onClick={() => void goTo(step)}>
          Edit<span className="visually-hidden"> {title.toLowerCase()}</span>
        </button>
      </div>
      {children}
    </section>
  );
}

/** A step's summary that is a list of facts. */
function FactsSummary({ step, title, children }: { step: StepIndex; title: string; children: ReactNode }) {
  return (
    <Summary step={step} title={title}>
      <dl className="facts facts--review">{children}</dl>
    </Summary>
  );
}


function TriggerSummary() {
  const f = useWizard((s) => s.fields);
  const rows = f.governedPaths;
  return (
    <FactsSummary step={0} title="Trigger">
      <Fact term="Trigger">{f.trigger ? TRIGGERS[f.trigger as TriggerId] : <em>not chosen</em>}</Fact>
      <Fact term="Governed paths tried">
        <ol className="review-paths">
          {rows.map((r) => (
            <li key={r.key}>
              <strong>{r.path || <em>unnamed</em>}</strong>: {r.failure || <em>no failure given</em>}
            </li>
          ))}
        </ol>
      </Fact>
      <Fact term="Material risk">
        <span className="prewrap">{f.materialRisk}</span>
      </Fact>
      <Fact term="Attestations">
        <ul className="review-attest">
          <li>{f.attestations.notExpediency ? '✓' : '✕'} Not for expediency</li>
          <li>{f.attestations.notRoutineChange ? '✓' : '✕'} Not a routine change</li>
          <li>{f.attestations.notGovernanceAvoidance ? '✓' : '✕'} Not to avoid governance</li>
        </ul>
      </Fact>
    </FactsSummary>
  );
}

function IncidentSummary() {
  const f = useWizard((s) => s.fields);
  return (
    <FactsSummary step={2} title="Incident and justification">
      <Fact term="Incident ID">
        <span className="mono">{f.incidentId}</span>
      </Fact>
      <Fact term="Operator">
        {f.operatorName} &lt;{f.operatorEmail}&gt;
      </Fact>
      <Fact term="Justification">
        <span className="prewrap">{f.justification}</span>
      </Fact>
      <SignerItem />
    </FactsSummary>
  );
}

/**
 * Which key will sign the declaration (issue 15, "Identity is checked where it is claimed"): the
 * service's 'signing-key' check, which makes the same choice the commit will. Shown in words,
 * with the touch a security key needs, so the operator is not surprised by a blinking key.
 */
function SignerItem() {
  const row = useWizard((s) => s.preconditions.results?.find((r) => r.id === 'signing-key'));
  if (!row) return null;
  const signer = row.signer;
  return (
    <div className="review-signer">
      <dt>Signed with</dt>
      <dd data-signer={row.status}>
        {row.status === 'pass' && signer ? (
          <>
            {signer.name} ({signer.personId}): <span className="mono">{signer.keyType}</span> key <code>{signer.fingerprint}</code>
            {signer.securityKey && (
              <p className="notice notice--warning">
                <strong>{TOUCH_PROMPT}</strong> when you press Declare: the key blinks until it is touched.
              </p>
            )}
          </>
        ) : row.status === 'fail' ? (
          <span role="alert">
            <strong>Cannot be signed:</strong> {row.detail}
          </span>
        ) : row.detail.includes(UNSIGNED_ALLOWED) ? (
          // Issue 15: the policy lets the declaration go unsigned; said before Declare, not after.
          <span className="notice notice--warning">
            <strong>Unsigned:</strong> {row.detail}
          </span>
        ) : (
          row.detail
        )}
      </dd>
    </div>
  );
}

function ScopeSummary() {
  const f = useWizard((s) => s.fields);
  const now = useClock((s) => s.now);
  const minutes = Number(f.duration.trim());
  const at = Number.isInteger(minutes) && minutes > 0 ? new Date(now + minutes * 60_000) : null;
  return (
    <FactsSummary step={3} title="Scope and duration">
      <Fact term="Environment">
        <span className="mono">{f.environment}</span>
      </Fact>
      <Fact term="Scopes">
        <ScopeChips scopes={f.scopes} />
      </Fact>
      <Fact term="Duration">{f.duration.trim()} minutes</Fact>
      <Fact term="Expires (if declared now)">
        {at ? (
          <>
            <time dateTime={at.toISOString()}>{localStamp(at)}</time>
            <span className="utc block">{utcStamp(at)}</span>
          </>
        ) : (
          '—'
        )}
      </Fact>
    </FactsSummary>
  );
}

/** The block `breakglass env` will print, placeholders marked. */
function EnvBlock() {
  const policy = useWizard((s) => s.policy);
  const fields = useWizard((s) => s.fields);
  const now = useClock((s) => s.now);
  if (!policy) return null;
  const preview = envPreview(policy, fields, now);
  return (
    <section className="env-preview" aria-labelledby="wz-env-heading">
      <h5 id="wz-env-heading">Environment exported while the session is active</h5>
      <p className="field-hint">
        Exactly what <code>breakglass env</code> prints and the governed shell receives. The times are as if declared now; the <em className="placeholder">marked values</em> exist only once the
        record is committed.
      </p>
      {preview.ok ? (
        <>
          <pre className="code-block env-block" data-testid="env-preview">
            <code>{markPlaceholders(preview.text)}</code>
          </pre>
          {preview.redactions > 0 && (
            <p className="notice notice--warning">
              {preview.redactions} {preview.redactions === 1 ? 'value looks' : 'values look'} like a secret and will be recorded as [REDACTED]. Remove secrets from the text if that is not what you meant.
            </p>
          )}
        </>
      ) : (
        <p className="notice notice--warning">{preview.reason}</p>
      )}
    </section>
  );
}

function markPlaceholders(text: string): ReactNode {
  const parts = text.split(new RegExp(`(${escape(SESSION_ID_PLACEHOLDER)}|${escape(COMMIT_PLACEHOLDER)})`));
  return parts.map((p, i) =>
    p === SESSION_ID_PLACEHOLDER || p === COMMIT_PLACEHOLDER ? (
      <em key={i} className="placeholder">
        {p}
      </em>
    ) : (
      <Fragment key={i}>{p}</Fragment>
    ),
  );
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
