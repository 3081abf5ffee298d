import { TextField } from '../forms/TextField';
import { justificationLength } from './validate';
import { useWizard } from './useWizard';

const either = new Intl.ListFormat(undefined, { style: 'long', type: 'disjunction' });

/** The policy's incident ID patterns as examples (issue 4). */
export function IncidentHint() {
  const patterns = useWizard((s) => s.policy?.incidentIdPatterns);
  if (!patterns) return null;
  return <>The reference of this emergency (ticket, page or alert), for example {either.format(patterns.map((p) => `${p.example} (${p.name})`))}.</>;
}

/** Step 3 (procedure.md §4): incident ID, justification with a live count, the named operator. */
export function StepIncident() {
  const incidentId = useWizard((s) => s.fields.incidentId);
  const justification = useWizard((s) => s.fields.justification);
  const name = useWizard((s) => s.fields.operatorName);
  const email = useWizard((s) => s.fields.operatorEmail);
  const update = useWizard((s) => s.actions.update);
  return (
    <>
      <TextField path="incidentId" label="Incident ID" hint={<IncidentHint />} value={incidentId} onChange={(v) => update({ incidentId: v })} mono size="medium" />
      <TextField
        path="justification"
        label="Justification"
        hint="What is broken, why every governed path failed, and what you will do. It is exported as BREAK_GLASS_REASON and recorded as evidence."
        value={justification}
        onChange={(v) => update({ justification: v })}
        multiline
        rows={5}
        extra={<JustificationCount />}
        extraId="wz-justification-count"
      />
      <fieldset className="group" aria-describedby="wz-operator-hint">
        <legend className="group-legend">Operator: the named person accountable</legend>
        <p className="field-hint" id="wz-operator-hint">
          Prefilled from git config; every commit of this session is authored with it. Shared or anonymous identities (root, admin, ops, a shared mailbox…) are refused.
        </p>
        <div className="inputs-pair">
          <TextField path="operator.name" label="Full name" value={name} onChange={(v) => update({ operatorName: v })} autoComplete="name" size="medium" />
          <TextField path="operator.email" label="E-mail" value={email} onChange={(v) => update({ operatorEmail: v })} autoComplete="email" type="email" inputMode="email" size="medium" />
        </div>
      </fieldset>
    </>
  );
}

/** "37 of at least 40 characters: 3 more needed", against the policy's minimum; announced only when it crosses it. */
function JustificationCount() {
  const length = useWizard((s) => justificationLength(s.fields.justification));
  const min = useWizard((s) => s.policy?.justificationMinLength ?? 0);
  const enough = length >= min;
  return (
    <>
      <p className={`counter${enough ? ' counter--ok' : ''}`} id="wz-justification-count">
        {length} {length === 1 ? 'character' : 'characters'} of at least {min}
        {enough ? ': enough' : `: ${min - length} more needed`}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {enough && length > 0 ? `The justification has reached the minimum of ${min} characters.` : ''}
      </p>
    </>
  );
}
