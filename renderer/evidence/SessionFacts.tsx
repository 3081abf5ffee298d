import type { ReactNode } from 'react';
import { TRIGGERS, type TriggerId } from '../../app/policy';
import type { SessionView } from '../../app/views';
import { formatCount, formatPerson } from '../format';
import { Stamp } from './Stamp';
import './evidence.css';

/** The facts of a session a view can show, each drawn one way wherever it appears. */
export type SessionFact = 'incident' | 'environment' | 'scopes' | 'operator' | 'trigger' | 'host' | 'declared' | 'expiry' | 'extensions' | 'closed' | 'reviewDue' | 'records' | 'session';

/** What the operator needs beside the countdown (issue 5). */
export const ACTIVE_SESSION_FACTS: readonly SessionFact[] = ['incident', 'environment', 'scopes', 'operator', 'trigger', 'declared', 'extensions', 'session'];

/** Who, where and until when, as the session page and the review form state it (issues 6 and 7). */
export const RECORD_FACTS: readonly SessionFact[] = ['environment', 'scopes', 'operator', 'host', 'declared', 'expiry', 'closed', 'reviewDue', 'records'];

/**
 * A session's declaration facts as a definition list, in the order the caller names them; facts
 * that do not apply (no extension, not closed, no review due) are left out. `expiryExtra` goes
 * under the expiry (the session page's live countdown).
 */
export function SessionFacts({ session: s, facts, className, expiryExtra }: { session: SessionView; facts: readonly SessionFact[]; className?: string; expiryExtra?: ReactNode }) {
  return <dl className={`facts${className ? ` ${className}` : ''}`}>{facts.map((f) => <Fact key={f} fact={f} session={s} expiryExtra={expiryExtra} />)}</dl>;
}

function Fact({ fact, session: s, expiryExtra }: { fact: SessionFact; session: SessionView; expiryExtra: ReactNode }) {
  switch (fact) {
    case 'incident':
      return <Item term="Incident" className="mono">{s.incidentId}</Item>;
    case 'environment':
      return (
        <Item term="Environment">
          <span className="env-pill">{s.environment}</span>
        </Item>
      );
    case 'scopes':
      return (
        <Item term="Scopes">
          <ul className="chips" aria-label="Scopes">
            {s.scopes.map((scope) => (
              <li key={scope} className="chip">
                {scope}
              </li>
            ))}
          </ul>
        </Item>
      );
    case 'operator':
      return <Item term="Operator" className="break">{formatPerson(s.operator)}</Item>;
    case 'trigger':
      return <Item term="Trigger">{TRIGGERS[s.trigger as TriggerId] ?? s.trigger}</Item>;
    case 'host':
      return (
        <Item term="Host">
          {s.host.name} <span className="muted mono">({s.host.id})</span>
          {s.mine ? <span className="muted"> · this host</span> : <span className="muted"> · another host</span>}
        </Item>
      );
    case 'declared':
      return (
        <Item term="Declared">
          <Stamp iso={s.declaredAt} />
        </Item>
      );
    case 'expiry':
      return (
        <Item term={s.phase === 'active' ? 'Expires' : 'Expiry'}>
          <Stamp iso={s.expiresAt} />
          {s.extensions > 0 && <span className="muted block">after {formatCount(s.extensions, 'extension')}</span>}
          {expiryExtra}
        </Item>
      );
    case 'extensions':
      return s.extensions > 0 ? <Item term="Extensions">{s.extensions}</Item> : null;
    case 'closed':
      return s.closedAt ? (
        <Item term="Closed">
          <Stamp iso={s.closedAt} />
        </Item>
      ) : null;
    case 'reviewDue':
      return s.reviewDueAt ? (
        <Item term="Review due" className={s.reviewOverdue ? 'text-danger' : undefined}>
          <Stamp iso={s.reviewDueAt} />
          {s.reviewOverdue && <span className="block">Overdue</span>}
        </Item>
      ) : null;
    case 'records':
      return <Item term="Records">{formatCount(s.records, 'record')}</Item>;
    case 'session':
      return <Item term="Session" className="mono">{s.sessionId}</Item>;
  }
}

function Item({ term, className, children }: { term: string; className?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd className={className}>{children}</dd>
    </div>
  );
}
