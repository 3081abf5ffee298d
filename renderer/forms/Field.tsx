import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../app/contract';

/** A labelled control with its hint and, right under it, the error that concerns it. */
export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string | null; children: ReactNode }) {
  return (
    <div className="st-field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="st-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p className="st-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The ids a control is described by: its hint, and its error when there is one. */
export function describedBy(id: string, hint: boolean, error: string | null | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** What a control inside a Field carries: its id, whether it is invalid, and the hint and error that describe it. */
export function fieldControl(id: string, error: string | null | undefined) {
  return { id, 'aria-invalid': error ? (true as const) : undefined, 'aria-describedby': describedBy(id, true, error) };
}

/** The message of an envelope error if it concerns `field` (or one of its items, like `terminal[0]`). */
export function errorFor(error: ErrorInfo | null, field: string): string | null {
  if (!error?.field) return null;
  return error.field === field || error.field.startsWith(`${field}[`) || error.field.startsWith(`${field}.`) ? error.message : null;
}

/** The message of an envelope error that names none of `fields`: shown for the form as a whole. */
export function formError(error: ErrorInfo | null, fields: readonly string[]): string | null {
  if (!error) return null;
  return fields.some((f) => errorFor(error, f) !== null) ? null : error.message;
}
