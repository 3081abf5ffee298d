import type { SessionView, StatusSnapshot } from './views';

/** Whole seconds left of `remainingMs`, rounded up: 00:00 shows only at the expiry instant, never a second early. */
export function wholeSecondsLeft(remainingMs: number): number {
  return Math.max(0, Math.ceil(remainingMs / 1000));
}

/** Remaining time as the console shows it: `MM:SS`, `H:MM:SS` above an hour, from the absolute expiry. */
export function formatRemaining(ms: number): string {
  const s = wholeSecondsLeft(ms);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The console's name, in the window title and the tray. */
export const APP_NAME = 'Break-Glass Console';

/**
 * What the window title and the tray say about this host's open sessions at `nowMs` (procedure.md
 * §5): "12:34 — INC-12345 — Break-Glass Console" for the active session that expires first,
 * "Expired — INC-12345 — Break-Glass Console" for one past its expiry awaiting closure, null when
 * none is open. One function, so the title bar and the tray never disagree.
 */
export function openSessionTitle(open: readonly SessionView[], nowMs: number): string | null {
  const active = open
    .filter((s) => s.phase === 'active' && Date.parse(s.expiresAt) > nowMs)
    .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt))[0];
  if (active) return `${formatRemaining(Date.parse(active.expiresAt) - nowMs)} — ${active.incidentId} — ${APP_NAME}`;
  const expired = open.find((s) => s.phase === 'expired' || Date.parse(s.expiresAt) <= nowMs);
  if (expired) return `Expired — ${expired.incidentId} — ${APP_NAME}`;
  return null;
}

/** The window title (the page sets it; Electron shows it): {@link openSessionTitle}, else the name alone. */
export function windowTitleFor(open: readonly SessionView[], nowMs: number): string {
  return openSessionTitle(open, nowMs) ?? APP_NAME;
}

/** The tray text for a snapshot at `nowMs` (issue 3): {@link openSessionTitle}, else that no session is active. */
export function trayTextFor(snapshot: StatusSnapshot | null, nowMs: number): string {
  return openSessionTitle(snapshot?.open ?? [], nowMs) ?? `${APP_NAME} — no active session`;
}

/** The OS notification for a countdown warning (issue 3; the Chromium console's too, issue 20). */
export function warningNotification(w: { minutesLeft: number; expiresAt: string }): { title: string; body: string } {
  return {
    title: `Break-glass: ${w.minutesLeft} minute${w.minutesLeft === 1 ? '' : 's'} left`,
    body: `The session expires at ${new Date(w.expiresAt).toLocaleTimeString()}. Extend with a new justification, or finish and close.`,
  };
}
