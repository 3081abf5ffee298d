import type { ReactNode } from 'react';

/** One term and its value in a definition list (`facts`, `sp-decl`, `sp-action-facts`…): the one way a fact is written. */
export function Fact({ term, className, children }: { term: string; className?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd className={className}>{children}</dd>
    </div>
  );
}

/** A session's scopes, one chip each. */
export function ScopeChips({ scopes, label, className }: { scopes: readonly string[]; label?: string; className?: string }) {
  return (
    <ul className={className ? `chips ${className}` : 'chips'} aria-label={label}>
      {scopes.map((s) => (
        <li key={s} className="chip">
          {s}
        </li>
      ))}
    </ul>
  );
}
