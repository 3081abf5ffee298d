import type { ReactNode } from 'react';
import { FieldError, fieldId, useFieldErrors, useTouch } from './FieldErrors';

/** The ids a control is described by, without the empty ones. */
const describedBy = (...ids: Array<string | false | null | undefined>) => ids.filter(Boolean).join(' ') || undefined;

interface TextProps {
  path: string;
  label: ReactNode;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
  /** Extra description (a live counter) referenced by the input. */
  extra?: ReactNode;
  extraId?: string;
  multiline?: boolean;
  rows?: number;
  mono?: boolean;
  size?: 'short' | 'medium' | 'long';
  inputMode?: 'numeric' | 'email' | 'text' | 'url';
  type?: 'text' | 'email';
  autoComplete?: string;
  idPrefix?: string;
  readOnly?: boolean;
  /** Touch these paths too when left (a field whose rule reports on a parent path). */
  alsoTouches?: string[];
  /** Show the errors of the paths below this one too. */
  nested?: boolean;
}

/** A labelled text input or textarea. */
export function TextField(props: TextProps) {
  const { path, label, value, onChange, hint, extra, extraId, multiline, rows = 4, mono, size = 'long', inputMode, type = 'text', autoComplete, idPrefix, readOnly, alsoTouches, nested } = props;
  const id = fieldId(path, idPrefix);
  const errors = useFieldErrors(path, nested);
  const touch = useTouch();
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const common = {
    id,
    value,
    readOnly,
    className: `control input input--${size}${mono ? ' mono' : ''}`,
    'aria-invalid': errors.length > 0 ? true : undefined,
    'aria-describedby': describedBy(hintId, extraId, errors.length > 0 && errorId),
    'data-error': errors.length > 0 ? 'true' : undefined,
    onBlur: () => {
      touch(path);
      for (const p of alsoTouches ?? []) touch(p);
    },
    spellCheck: mono ? false : undefined,
    autoComplete: autoComplete ?? 'off',
  } as const;
  return (
    <div className={`field${errors.length > 0 ? ' field--invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {hint && (
        <p className="field-hint" id={hintId!}>
          {hint}
        </p>
      )}
      {multiline ? (
        <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type={type} inputMode={inputMode} onChange={(e) => onChange(e.target.value)} />
      )}
      <FieldError id={errorId} messages={errors} />
      {extra}
    </div>
  );
}

/** A checkbox with its own errors (each attestation is its own tick, issue 4). */
export function Checkbox({ path, label, checked, onChange, describedById }: { path: string; label: ReactNode; checked: boolean; onChange(on: boolean): void; describedById?: string }) {
  const id = fieldId(path);
  const errors = useFieldErrors(path);
  const touch = useTouch();
  return (
    <div className={`check-field${errors.length > 0 ? ' field--invalid' : ''}`}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        onBlur={() => touch(path)}
        aria-invalid={errors.length > 0 ? true : undefined}
        aria-describedby={describedBy(describedById, errors.length > 0 && `${id}-error`)}
        data-error={errors.length > 0 ? 'true' : undefined}
      />
      <label htmlFor={id}>{label}</label>
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

