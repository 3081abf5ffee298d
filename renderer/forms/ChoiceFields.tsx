import type { InputHTMLAttributes, ReactNode } from 'react';
import { FieldError, fieldId, onGroupBlur, useFieldErrors, useTouch } from './FieldErrors';

/** One answer of a radio group: its value, its title and a line saying what it means. */
export interface Choice<V extends string> {
  value: V;
  title: string;
  meta: string;
}

/** One card of a radio group: its value and what the card says (title and meta lines). */
export interface Card<V extends string> {
  value: V;
  text: ReactNode;
}

type RadioAttributes = InputHTMLAttributes<HTMLInputElement> & { 'data-error'?: string };

/** The cards of a radio group, the chosen one marked; `input` gives each radio the group's own attributes (name, errors). */
export function RadioCards<V extends string>({ value, cards, inline, input }: { value: V | ''; cards: ReadonlyArray<Card<V>>; inline?: boolean; input(card: Card<V>, index: number): RadioAttributes }) {
  return (
    <div className={inline ? 'choices choices--inline' : 'choices'}>
      {cards.map((c, i) => (
        <label key={c.value} className={`choice${value === c.value ? ' choice--selected' : ''}`}>
          <input type="radio" value={c.value} checked={value === c.value} {...input(c, i)} />
          <span className="choice-text">{c.text}</span>
        </label>
      ))}
    </div>
  );
}

/** A group of radio buttons with its legend and errors; the first button carries the error mark, so the focus can go to it. */
export function RadioGroup<V extends string>({ path, idPrefix, legend, value, options, onChange }: { path: string; idPrefix: string; legend: string; value: V | ''; options: ReadonlyArray<Choice<V>>; onChange(v: V): void }) {
  const errors = useFieldErrors(path);
  const touch = useTouch();
  const id = fieldId(path, idPrefix);
  const errorId = `${id}-error`;
  return (
    <fieldset className={`group${errors.length > 0 ? ' field--invalid' : ''}`} onBlur={onGroupBlur(() => touch(path))}>
      <legend className="group-legend">{legend}</legend>
      <RadioCards
        value={value}
        cards={options.map((o) => ({
          value: o.value,
          text: (
            <>
              <span className="choice-title">{o.title}</span>
              <span className="choice-meta">{o.meta}</span>
            </>
          ),
        }))}
        inline
        input={(c, i) => ({
          name: id,
          onChange: () => onChange(c.value),
          'aria-describedby': errors.length > 0 ? errorId : undefined,
          'aria-invalid': errors.length > 0 ? true : undefined,
          'data-error': errors.length > 0 && i === 0 ? 'true' : undefined,
        })}
      />
      <FieldError id={errorId} messages={errors} />
    </fieldset>
  );
}

/** An optional date input (YYYY-MM-DD, as the schemas take it) with its errors. */
export function DateField({ path, idPrefix, label, value, onChange, className }: { path: string; idPrefix: string; label: string; value: string; onChange(v: string): void; className?: string }) {
  const errors = useFieldErrors(path);
  const touch = useTouch();
  const id = fieldId(path, idPrefix);
  return (
    <div className={`field${errors.length > 0 ? ' field--invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label} <span className="muted">(optional)</span>
      </label>
      <input
        id={id}
        type="date"
        className={`control input${className ? ` ${className}` : ''}`}
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
