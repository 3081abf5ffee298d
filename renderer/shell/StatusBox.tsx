import type { ReactNode } from 'react';

/**
 * A status box in the header (the evidence push, forwarding): the dot and the title, the detail
 * under them, an action beside. `look` is one of the push box's looks (header.css `push--*`).
 */
export function StatusBox(props: { id: string; look: string; className?: string; title: ReactNode; detail: ReactNode; action?: ReactNode; testId?: string }) {
  const { id, look, className, title, detail, action, testId } = props;
  return (
    <section className={`push push--${look}${className ? ` ${className}` : ''}`} aria-labelledby={`${id}-title`} aria-describedby={`${id}-detail`} data-testid={testId}>
      <div className="push-text">
        <p className="push-title" id={`${id}-title`}>
          <span className="push-dot" aria-hidden="true" />
          {title}
        </p>
        <div className="push-detail" id={`${id}-detail`}>
          {detail}
        </div>
      </div>
      {action}
    </section>
  );
}
