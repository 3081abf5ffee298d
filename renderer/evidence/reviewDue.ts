import type { SessionView } from '../../app/views';
import { formatCount } from '../format';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * "Overdue by 3 days" (whole days once a day has passed, hours or minutes before that): the
 * overdue mark is said in words beside its colour, never by the colour alone.
 */
export function overdueWords(reviewDueAt: string, now: number): string {
  const late = Math.max(0, now - Date.parse(reviewDueAt));
  if (late >= DAY) return `Overdue by ${formatCount(Math.floor(late / DAY), 'day')}`;
  if (late >= HOUR) return `Overdue by ${formatCount(Math.floor(late / HOUR), 'hour')}`;
  return `Overdue by ${formatCount(Math.max(1, Math.floor(late / 60_000)), 'minute')}`;
}

/** Closed sessions awaiting review in the order a reviewer takes them: overdue first, then by due date. */
export function byReviewUrgency(a: SessionView, b: SessionView): number {
  if (a.reviewOverdue !== b.reviewOverdue) return a.reviewOverdue ? -1 : 1;
  return Date.parse(a.reviewDueAt ?? a.closedAt ?? a.declaredAt) - Date.parse(b.reviewDueAt ?? b.closedAt ?? b.declaredAt);
}
