import { useEffect, useRef, useState } from 'react';
import { TRIGGER_IDS, TRIGGERS, type TriggerId } from '../../app/policy';
import { FieldError, fieldId, useFieldErrors } from '../forms/FieldErrors';
import { Checkbox, TextField } from '../forms/TextField';
import { ChoiceCards } from './ChoiceCards';
import { useWizard } from './useWizard';

const NONE: readonly string[] = [];

/** Step 1 (procedure.md §2): the trigger, the governed paths tried, the material risk, the three attestations. */
export function StepTrigger() {
  return (
    <>
      <TriggerChoice />
      <GovernedPaths />
      <MaterialRisk />
      <Attestations />
    </>
  );
}

function TriggerChoice() {
  const trigger = useWizard((s) => s.fields.trigger);
  const update = useWizard((s) => s.actions.update);
  const cards = TRIGGER_IDS.map((id) => ({
    value: id as TriggerId,
    text: (
      <>
        <span className="choice-title">{TRIGGERS[id]}</span>
        <span className="choice-meta mono">{id}</span>
      </>
    ),
  }));
  return (
    <ChoiceCards
      path="trigger"
      legend="Authorized trigger"
      hint="Pick the one that applies. Break-glass is authorized only for these three (seed §2)."
      value={trigger as TriggerId | ''}
      cards={cards}
      onChange={(t) => update({ trigger: t })}
      markFirst
    />
  );
}

function GovernedPaths() {
  const rows = useWizard((s) => s.fields.governedPaths);
  const trigger = useWizard((s) => s.fields.trigger);
  const required = useWizard((s) => (s.policy && s.fields.trigger ? s.policy.requiredGovernedPaths[s.fields.trigger] ?? NONE : NONE));
  const { updateRow, addRow, removeRow } = useWizard((s) => s.actions);
  const groupErrors = useFieldErrors('governedPathsTried');
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!focusKey) return;
    const i = rows.findIndex((r) => r.key === focusKey);
    if (i >= 0) document.getElementById(fieldId(`governedPathsTried[${i}].path`))?.focus();
    else addRef.current?.focus();
    setFocusKey(null);
  }, [focusKey, rows]);

  return (
    <fieldset className={`group${groupErrors.length > 0 ? ' field--invalid' : ''}`} aria-describedby="wz-paths-hint">
      <legend className="group-legend">Governed access paths tried</legend>
      <p className="field-hint" id="wz-paths-hint">
        Every governed path you tried, and how it failed. At least one.
        {required.length > 0 && (
          <>
            {' '}
            For &ldquo;{TRIGGERS[trigger as TriggerId]}&rdquo; the policy requires: <strong>{required.join(', ')}</strong> (listed below).
          </>
        )}
      </p>
      <FieldError id="wz-governedPathsTried-error" messages={groupErrors} />
      <ol className="paths">
        {rows.map((row, i) => {
          const base = `governedPathsTried[${i}]`;
          return (
            <li key={row.key} className="path-row">
              {row.required ? (
                <div className="path-fixed">
                  <span className="field-label">Path {i + 1}</span>
                  <p className="path-name">
                    <strong>{row.path}</strong> <span className="tag">Required by policy</span>
                  </p>
                </div>
              ) : (
                <TextField
                  path={`${base}.path`}
                  label={`Path ${i + 1}: what you tried`}
                  value={row.path}
                  onChange={(v) => updateRow(row.key, { path: v })}
                  size="medium"
                  alsoTouches={['governedPathsTried']}
                />
              )}
              <TextField
                path={`${base}.failure`}
                label={`How path ${i + 1} failed`}
                value={row.failure}
                onChange={(v) => updateRow(row.key, { failure: v })}
                multiline
                rows={2}
                alsoTouches={['governedPathsTried']}
              />
              {!row.required && rows.length > 1 && (
                <button
                  type="button"
                  className="button button-link"
                  onClick={() => {
                    const nextRow = rows[i + 1] ?? rows[i - 1];
                    removeRow(row.key);
                    setFocusKey(nextRow?.key ?? '');
                  }}
                >
                  Remove path {i + 1}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <button
        ref={addRef}
        type="button"
        className="button button-secondary"
        onClick={() => setFocusKey(addRow())}
        data-error={groupErrors.length > 0 ? 'true' : undefined}
        aria-describedby={groupErrors.length > 0 ? 'wz-governedPathsTried-error' : undefined}
      >
        Add another path
      </button>
    </fieldset>
  );
}

function MaterialRisk() {
  const value = useWizard((s) => s.fields.materialRisk);
  const update = useWizard((s) => s.actions.update);
  return (
    <TextField
      path="materialRisk"
      label="Material risk"
      hint="What happens if nothing is done, and how soon: impact on customers, regulators, data integrity or availability."
      value={value}
      onChange={(v) => update({ materialRisk: v })}
      multiline
      rows={3}
    />
  );
}

const ATTESTATIONS = [
  { key: 'notExpediency', text: 'This is not for expediency: the governed paths failed; they are not merely slow or inconvenient.' },
  { key: 'notRoutineChange', text: 'This is not a routine change: it would not be made this way on a normal day.' },
  { key: 'notGovernanceAvoidance', text: 'This is not to avoid governance: the session will be recorded and reviewed, and I am not bypassing an approval.' },
] as const;

function Attestations() {
  const values = useWizard((s) => s.fields.attestations);
  const update = useWizard((s) => s.actions.update);
  return (
    <fieldset className="group" aria-describedby="wz-attest-hint">
      <legend className="group-legend">Attestations</legend>
      <p className="field-hint" id="wz-attest-hint">
        Break-glass must not be used for expediency, routine change or avoiding governance (seed §2). Tick each statement; all three are required.
      </p>
      {ATTESTATIONS.map((a) => (
        <Checkbox
          key={a.key}
          path={`attestations.${a.key}`}
          label={a.text}
          checked={values[a.key]}
          onChange={(on) => update({ attestations: { ...values, [a.key]: on } })}
        />
      ))}
    </fieldset>
  );
}
