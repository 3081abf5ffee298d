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

/** The window title and tray text for a snapshot at `nowMs` (issue 3: title and tray show the remaining time). */
export function titleFor(snapshot: StatusSnapshot | null, nowMs: number): { title: string; tray: string } {
  const active = snapshot?.open.find((s) => s.phase === 'active' && Date.parse(s.expiresAt) > nowMs);
  if (active) {
    const left = formatRemaining(Date.parse(active.expiresAt) - nowMs);
    return { title: `${left} — ${active.incidentId} — Break-Glass Console`, tray: `${left} ${active.incidentId}` };
  }
  const expired = snapshot?.open.find((s) => s.phase === 'expired' || (s.phase === 'active' && Date.parse(s.expiresAt) <= nowMs));
  if (expired) return { title: `Expired — awaiting closure — ${expired.incidentId} — Break-Glass Console`, tray: `Expired ${expired.incidentId}` };
  return { title: 'Break-Glass Console', tray: 'No active session' };
}
