import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionView } from '../../app/views';
import { useApi, useStatus } from '../stores/context';

/** A session awaiting review, with whether its review is overdue at `now` (the clock moves on between snapshots). */
export interface AwaitingSession {
  view: SessionView;
  overdue: boolean;
}

/**
 * This host's closed sessions awaiting review (home screen, issue 7), overdue first, then by due
 * date. The snapshot carries only the most recent sessions, so an overdue one declared long ago is
 * read with `sessions.list` too; where both have a session, the snapshot (newer) wins, so a
 * session reviewed a moment ago leaves the list at once.
 */
export function useHostAwaitingReview(now: number): AwaitingSession[] {
  const api = useApi();
  const recent = useStatus(useShallow((s) => s.snapshot?.recent ?? []));
  const changedAt = useStatus((s) => s.snapshot?.at ?? null);
  const [listed, setListed] = useState<readonly SessionView[]>([]);

  useEffect(() => {
    let live = true;
    void api.sessions
      .list({ phase: 'closed' })
      .then((r) => {
        if (live && r.ok) setListed(r.value.filter((v) => v.mine));
      })
      .catch(() => {
        // The snapshot's recent sessions are still shown; the next change reads the list again.
      });
    return () => {
      live = false;
    };
  }, [api, changedAt]);

  return useMemo(() => {
    const inRecent = new Set(recent.map((v) => v.sessionId));
    const views = [...recent.filter((v) => v.mine && v.phase === 'closed'), ...listed.filter((v) => !inRecent.has(v.sessionId))];
    const dueOf = (v: SessionView) => Date.parse(v.reviewDueAt ?? v.closedAt ?? v.declaredAt);
    return views
      .map((view) => ({ view, overdue: view.reviewOverdue || (view.reviewDueAt !== null && now > Date.parse(view.reviewDueAt)) }))
      .sort((a, b) => (a.overdue === b.overdue ? dueOf(a.view) - dueOf(b.view) : a.overdue ? -1 : 1));
  }, [recent, listed, now]);
}
