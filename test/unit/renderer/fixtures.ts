import type { SessionView } from '../../../app/views';

/** A session view as the service derives it, with what a test does not care about filled in. */
export function view(over: Partial<SessionView> & Pick<SessionView, 'sessionId'>): SessionView {
  return {
    phase: 'active',
    incidentId: `INC-${over.sessionId.slice(-4)}`,
    environment: 'production',
    trigger: 'backend-lock-integrity',
    scopes: ['state-lock'],
    operator: { name: 'Ada Lovelace', email: 'ada@example.com' },
    host: { id: 'host-a', name: 'ops-laptop-1' },
    declaredAt: '2026-11-28T09:00:00.000Z',
    expiresAt: '2026-11-28T09:30:00.000Z',
    extensions: 0,
    closedAt: null,
    reviewDueAt: null,
    reviewOverdue: false,
    reviewOutcome: null,
    standingReviews: 0,
    lastActivityAt: '2026-11-28T09:00:00.000Z',
    lastAction: null,
    records: 1,
    mine: true,
    lastClockSkew: null,
    ...over,
  };
}

/** An instant as milliseconds. */
export const at = (iso: string): number => Date.parse(iso);
