import { FieldError, fieldId, onGroupBlur, useFieldErrors, useTouch } from './FieldErrors';

/** One answer of a radio group: its value, its title and a line saying what it means. */
export interface Choice<V extends string> {
  value: V;
  title: string;
  meta: string;
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
