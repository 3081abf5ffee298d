import type { StatusSnapshot } from './views';

/** Remaining time as the console shows it: `MM:SS`, `H:MM:SS` above an hour, from the absolute expiry. */
export function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * The tray text for a snapshot at `nowMs` (issue 3): the active session expiring first, else an
 * expired one awaiting closure. The window title is the page's own (renderer/title.ts), which
 * Electron shows as the window's title.
 */
export function trayTextFor(snapshot: StatusSnapshot | null, nowMs: number): string {
  const active = snapshot?.open
    .filter((s) => s.phase === 'active' && Date.parse(s.expiresAt) > nowMs)
    .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt))[0];
  if (active) return `${formatRemaining(Date.parse(active.expiresAt) - nowMs)} — ${active.incidentId} — Break-Glass Console`;
  const expired = snapshot?.open.find((s) => s.phase === 'expired' || Date.parse(s.expiresAt) <= nowMs);
  if (expired) return `Expired — ${expired.incidentId} — Break-Glass Console`;
  return 'Break-Glass Console — no active session';
}
