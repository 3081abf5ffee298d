import type { ReactNode } from 'react';
import { TRIGGERS, type TriggerId } from '../../app/policy';
import type { SessionView } from '../../app/views';
import { formatCount, formatPerson } from '../format';
import { Stamp } from './Stamp';
import { Fact, ScopeChips } from './Fact';
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
  return <dl className={`facts${className ? ` ${className}` : ''}`}>{facts.map((f) => <OneFact key={f} fact={f} session={s} expiryExtra={expiryExtra} />)}</dl>;
}

function OneFact({ fact, session: s, expiryExtra }: { fact: SessionFact; session: SessionView; expiryExtra: ReactNode }) {
  switch (fact) {
    case 'incident':
      return <Fact term="Incident" className="mono">{s.incidentId}</Fact>;
    case 'environment':
      return (
        <Fact term="Environment">
          <span className="env-pill">{s.environment}</span>
        </Fact>
      );
    case 'scopes':
      return (
        <Fact term="Scopes">
          <ScopeChips scopes={s.scopes} label="Scopes" />
        </Fact>
      );
    case 'operator':
      return <Fact term="Operator" className="break">{formatPerson(s.operator)}</Fact>;
    case 'trigger':
      return <Fact term="Trigger">{TRIGGERS[s.trigger as TriggerId] ?? s.trigger}</Fact>;
    case 'host':
      return (
        <Fact term="Host">
          {s.host.name} <span className="muted mono">({s.host.id})</span>
          {s.mine ? <span className="muted"> · this host</span> : <span className="muted"> · another host</span>}
        </Fact>
      );
    case 'declared':
      return (
        <Fact term="Declared">
          <Stamp iso={s.declaredAt} />
        </Fact>
      );
    case 'expiry':
      return (
        <Fact term={s.phase === 'active' ? 'Expires' : 'Expiry'}>
          <Stamp iso={s.expiresAt} />
          {s.extensions > 0 && <span className="muted block">after {formatCount(s.extensions, 'extension')}</span>}
          {expiryExtra}
        </Fact>
      );
    case 'extensions':
      return s.extensions > 0 ? <Fact term="Extensions">{s.extensions}</Fact> : null;
    case 'closed':
      return s.closedAt ? (
        <Fact term="Closed">
          <Stamp iso={s.closedAt} />
        </Fact>
      ) : null;
    case 'reviewDue':
      return s.reviewDueAt ? (
        <Fact term="Review due" className={s.reviewOverdue ? 'text-danger' : undefined}>
          <Stamp iso={s.reviewDueAt} />
          {s.reviewOverdue && <span className="block">Overdue</span>}
        </Fact>
      ) : null;
    case 'records':
      return <Fact term="Records">{formatCount(s.records, 'record')}</Fact>;
    case 'session':
      return <Fact term="Session" className="mono">{s.sessionId}</Fact>;
  }
}

