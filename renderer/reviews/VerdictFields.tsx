import { useEffect, useRef } from 'react';
import { DateField, RadioGroup, type Choice } from '../forms/ChoiceFields';
import { FieldError, fieldId, useFieldErrors } from '../forms/FieldErrors';
import { TextField } from '../forms/TextField';
import { emptyFollowUp, type FollowUpRow, type Outcome, type ReviewDraft } from './reviewDraft';

/** The review form's fields (issue 7), built from the forms' field components (renderer/forms/). */

/** The prefix of the review form's field ids (`rv-reviewer-name`). */
export const ID_PREFIX = 'rv';

/** The reviewer's name and e-mail, one group: main refuses them together (segregation of duties, procedure.md §9). */
export function ReviewerFields({ draft, update }: { draft: ReviewDraft; update(p: Partial<ReviewDraft>): void }) {
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

const OUTCOMES: ReadonlyArray<Choice<Outcome>> = [
  { value: 'justified', title: 'Justified', meta: 'A real need, handled within the procedure.' },
  { value: 'justified-with-findings', title: 'Justified with findings', meta: 'A real need, with something to improve.' },
  { value: 'not-justified', title: 'Not justified', meta: 'Break-glass should not have been used.' },
];

/** Justified, justified with findings, or not justified. */
export function OutcomeField({ value, onChange }: { value: Outcome | ''; onChange(v: Outcome): void }) {
  return <RadioGroup path="outcome" idPrefix={ID_PREFIX} legend="Outcome" value={value} options={OUTCOMES} onChange={onChange} />;
}

/** A real emergency or a drill: the schema needs an explicit answer. */
export function KindField({ value, onChange }: { value: ReviewDraft['kind']; onChange(v: 'real' | 'drill'): void }) {
  return (
    <RadioGroup
      path="drill"
      idPrefix={ID_PREFIX}
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

/** The reviewer's follow-up actions, each with an owner and an optional due date; the focus follows rows added and removed. */
export function FollowUps({ rows, onChange, onAdd }: { rows: FollowUpRow[]; onChange(rows: FollowUpRow[]): void; onAdd(key: string): void }) {
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
              <DateField path={`followUps[${i}].due`} idPrefix={ID_PREFIX} label="Due date" value={r.due} onChange={(due) => set(i, { due })} className="rv-date" />
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
