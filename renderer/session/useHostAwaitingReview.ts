import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionView } from '../../app/views';
import { useStatus } from '../stores/context';

/** A session awaiting review, with whether its review is overdue at `now` (the clock moves on between snapshots). */
export interface AwaitingSession {
  view: SessionView;
  overdue: boolean;
}

const NONE: readonly SessionView[] = [];

/**
 * This host's closed sessions awaiting review (home screen, issue 7), overdue first, then by due
 * date. The snapshot carries all of them, however old, so a session reviewed a moment ago leaves
 * the list with the same snapshot that records its review.
 */
export function useHostAwaitingReview(now: number): AwaitingSession[] {
  const closed = useStatus(useShallow((s) => s.snapshot?.awaitingReview ?? NONE));
  return useMemo(() => {
    const dueOf = (v: SessionView) => Date.parse(v.reviewDueAt ?? v.closedAt ?? v.declaredAt);
    return closed
      .map((view) => ({ view, overdue: view.reviewOverdue || (view.reviewDueAt !== null && now > Date.parse(view.reviewDueAt)) }))
      .sort((a, b) => (a.overdue === b.overdue ? dueOf(a.view) - dueOf(b.view) : a.overdue ? -1 : 1));
  }, [closed, now]);
}
