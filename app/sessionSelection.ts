import { BreakGlassError, refused } from './errors';
import { sessionStateOf, sessionStatesWhere } from './ledger';
import type { SessionState } from './lifecycle';
import type { LedgerView } from './ports';
import type { ClockReading } from './clock';

/** Which session a call is about: an id, or the one open session of this host (optionally in an environment). */
export interface SessionSelector {
  sessionId?: string | undefined;
  environment?: string | undefined;
}

/** What the session is picked for: acting in it, closing it, or reviewing it (from any host). */
/** `acknowledge` (issue 16): as `close`, and with nothing open, this host's latest closed session whose closing is not acknowledged. */
export type SelectionPurpose = 'action' | 'close' | 'review' | 'acknowledge';

/** This host's sessions: the only ones a host acts in. */
export function hostSessions(view: LedgerView, now: number, hostId: string, clock?: ClockReading): SessionState[] {
  return sessionStatesWhere(view, now, (d) => d.host.id === hostId, clock);
}

/**
 * Picks the session a call is about. With no id: this host's one open session (active, or
 * expired awaiting closure for notes and closing), narrowed by environment when several are open.
 */
export function selectSession(view: LedgerView, selector: SessionSelector, purpose: SelectionPurpose, hostId: string, now: number, clock?: ClockReading): SessionState {
  if (selector.sessionId) {
    const s = sessionStateOf(view, selector.sessionId, now, clock);
    if (!s) throw new BreakGlassError('no-active-session', `No session ${selector.sessionId} in this evidence repository. List sessions with: breakglass log`);
    // Only the host that declared a session acts in it (issue 12 item 6): its chain has one
    // writer, so two hosts can never write the same sequence number. A review is the one record
    // written elsewhere, by design (the reviewer's own host).
    if (purpose !== 'review' && s.host.id !== hostId) {
      throw refused(`Session ${s.sessionId} was declared on host ${s.host.name} (${s.host.id}); only that host can add to it. Work on that host, or declare a session here.`, 'sessionId');
    }
    return s;
  }
  const mine = hostSessions(view, now, hostId, clock).filter((s) => !selector.environment || s.declaration.environment === selector.environment);
  const active = mine.filter((s) => s.phase === 'active');
  const candidates = active.length > 0 || purpose === 'action' ? active : mine.filter((s) => s.phase === 'expired');
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0 && purpose === 'acknowledge') {
    const closed = mine.filter((s) => s.closed && !s.acknowledged.closed).sort((a, b) => Date.parse(b.closed!.at) - Date.parse(a.closed!.at))[0];
    if (closed) return closed;
  }
  if (candidates.length === 0) {
    const expired = mine.find((s) => s.phase === 'expired');
    if (purpose === 'action' && expired) {
      throw new BreakGlassError('no-active-session', `Session ${expired.sessionId} expired at ${expired.expiresAt}. Close it (breakglass close --file closure.json); declare a new session if the emergency continues.`);
    }
    throw new BreakGlassError('no-active-session', 'No active break-glass session on this host. Declare one first (breakglass declare).');
  }
  throw new BreakGlassError('invalid-input', `Several sessions are open on this host (${candidates.map((c) => `${c.sessionId} in ${c.declaration.environment}`).join(', ')}): name one with --session ID.`, { field: 'session' });
}
