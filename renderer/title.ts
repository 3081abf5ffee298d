import type { SessionView } from '../app/views';
import { formatRemaining } from '../app/countdown';

/** The app's name in the title bar. */
export const APP_TITLE = 'Break-Glass Console';

/**
 * "12:34 — INC-12345 — Break-Glass Console" for the active session that expires first;
 * "Expired — INC-12345 — …" when only an expired one awaits closure; the name alone otherwise.
 */
export function countdownTitle(open: readonly SessionView[], now: number): string {
  const active = open.filter((s) => s.phase === 'active').sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt))[0];
  // The same formatting and rounding as the countdown itself (app/countdown.ts), so title and timer never differ.
  if (active) return `${formatRemaining(Date.parse(active.expiresAt) - now)} — ${active.incidentId} — ${APP_TITLE}`;
  const expired = open.find((s) => s.phase === 'expired');
  if (expired) return `Expired — ${expired.incidentId} — ${APP_TITLE}`;
  return APP_TITLE;
}
