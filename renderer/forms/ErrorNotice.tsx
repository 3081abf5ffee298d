import type { ReactNode } from 'react';

/** "What failed: the service's message", announced; `children` (a retry button) go under it. */
export function ErrorNotice({ what, message, children }: { what: string; message: string | undefined; children?: ReactNode }) {
  return (
    <div className="notice notice--error" role="alert">
      <p>
        <strong>{what}:</strong> {message}
      </p>
      {children}
    </div>
  );
}
