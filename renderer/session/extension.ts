import type { Policy } from '../../app/policy';
import type { SessionView } from '../../app/views';

/**
 * What the policy still allows this session (procedure.md §5), as the extension dialog shows it:
 * extensions left, minutes under the total cap, the most one extension may add now. It mirrors
 * app/lifecycle.ts for the display only; the service decides.
 */
export function extensionRoom(session: Pick<SessionView, 'declaredAt' | 'expiresAt' | 'wallExpiresAt' | 'extensions'>, extension: Policy['extension']) {
  // The caps count the wall clock's deadline, which an earlier boot-clock deadline does not shorten (issue 16).
  const usedMinutes = (Date.parse(session.wallExpiresAt ?? session.expiresAt) - Date.parse(session.declaredAt)) / 60_000;
  const countLeft = Math.max(0, extension.maxCount - session.extensions);
  const underCap = Math.max(0, Math.floor(extension.maxTotalMinutes - usedMinutes));
  return { countLeft, underCap, maxNow: Math.min(extension.stepMinutes, underCap), usedMinutes };
}

/** "45 min", "1 h", "1 h 5 min": a length of time as the extension dialog states the policy's caps. */
export function formatMinutes(min: number): string {
  const h = Math.floor(min / 60);
  const m = Math.round(min % 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
