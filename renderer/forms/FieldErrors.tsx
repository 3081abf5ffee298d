import { createContext, useContext, type FocusEvent, type ReactNode } from 'react';
import { issuesAt, type FieldIssues } from './issues';
import './forms.css';

/**
 * Which errors a form's fields show, and how (the wizard, issue 4; the review form, issue 7). Each
 * field has a visible label, an optional hint and, once it has been left (or "Next" / "Commit"
 * pressed), its errors right below it in words that say what to do; the input points at both with
 * aria-describedby and carries aria-invalid. Controls with an error carry data-error so the form
 * can move the focus to the first one.
 */

/** What a field needs to know about errors: the issues and whether they show yet. */
export interface FieldErrorsContext {
  issues: FieldIssues;
  shown(path: string): boolean;
  touch(path: string): void;
}

const ErrorsContext = createContext<FieldErrorsContext | null>(null);

/** Provides the errors to the fields of one step. */
export function FieldErrorsProvider({ value, children }: { value: FieldErrorsContext; children: ReactNode }) {
  return <ErrorsContext.Provider value={value}>{children}</ErrorsContext.Provider>;
}

/** The messages showing for a field (`nested`: also those of the paths below it). */
export function useFieldErrors(path: string, nested = false): string[] {
  const ctx = useContext(ErrorsContext);
  if (!ctx || !ctx.shown(path)) return [];
  return issuesAt(ctx.issues, path, nested);
}

/** Marks a field as left. */
export function useTouch(): (path: string) => void {
  const ctx = useContext(ErrorsContext);
  return ctx ? ctx.touch : () => {};
}

/** A DOM id for a field path (`governedPathsTried[0].failure` → `wz-governedPathsTried-0-failure`). */
export function fieldId(path: string, prefix = 'wz'): string {
  return `${prefix}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;
}

/** The errors of a field, right below it. */
export function FieldError({ id, messages }: { id: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="field-error" id={id}>
      {messages.map((m) => (
        <p key={m}>
          <span className="field-error-icon" aria-hidden="true">!</span>
          <span className="visually-hidden">Error: </span>
          {m}
        </p>
      ))}
    </div>
  );
}

/** Calls `fn` when the focus leaves the element (a fieldset) altogether. */
export function onGroupBlur(fn: () => void) {
  return (e: FocusEvent<HTMLElement>) => {
    const next = e.relatedTarget as Node | null;
    if (!next || !e.currentTarget.contains(next)) fn();
  };
}
