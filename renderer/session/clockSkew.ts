import type { TimelineEntry } from '../../app/views';

/** "5 min 3 s", "45 s", "2 h 1 min": the size of a wall-clock jump. */
export function formatSkew(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m > 0) return `${m} min${sec ? ` ${sec} s` : ''}`;
  return `${sec} s`;
}

/** The signed jump of a clock-skew entry, in seconds, from its summary ("Wall clock jumped -300 s"). */
export function skewSeconds(entry: Pick<TimelineEntry, 'summary'>): number | null {
  const m = /(-?\d+) s\b/.exec(entry.summary);
  return m ? Number(m[1]) : null;
}
