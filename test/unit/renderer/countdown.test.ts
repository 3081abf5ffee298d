import { describe, expect, it } from 'vitest';
import { formatRemaining, openSessionTitle, trayTextFor, wholeSecondsLeft, windowTitleFor } from '../../../app/countdown';
import type { StatusSnapshot } from '../../../app/views';
import { levelAt, msToNextSecond, RING_CIRCUMFERENCE, ringOffset } from '../../../renderer/session/countdown';
import { at, view } from './fixtures';

describe('countdown arithmetic (renderer/session/countdown.ts)', () => {
  it('rounds the seconds left up, so 00:00 shows only at the expiry instant', () => {
    expect(wholeSecondsLeft(1)).toBe(1);
    expect(wholeSecondsLeft(1000)).toBe(1);
    expect(wholeSecondsLeft(1001)).toBe(2);
    expect(wholeSecondsLeft(0)).toBe(0);
    expect(wholeSecondsLeft(-5000)).toBe(0);
    expect(formatRemaining(29 * 60_000 + 59_001)).toBe('30:00');
    expect(formatRemaining(3_600_000 + 5_000)).toBe('1:00:05');
  });

  it('emphasises by the thresholds crossed: the first a warning, the smallest critical, any between urgent', () => {
    const t = [10, 5, 1];
    expect(levelAt(10 * 60 + 1, t)).toEqual({ level: 'calm', threshold: null });
    expect(levelAt(10 * 60, t)).toEqual({ level: 'warning', threshold: 10 });
    expect(levelAt(5 * 60, t)).toEqual({ level: 'urgent', threshold: 5 });
    expect(levelAt(60, t)).toEqual({ level: 'critical', threshold: 1 });
    expect(levelAt(0, t)).toEqual({ level: 'critical', threshold: 1 });
    // The policy's order and repeats do not matter; one threshold is at once the first and the last.
    expect(levelAt(4 * 60, [1, 5, 5, 10])).toEqual({ level: 'urgent', threshold: 5 });
    expect(levelAt(30, [2])).toEqual({ level: 'critical', threshold: 2 });
  });

  it('waits exactly until the displayed second turns over, and stops at the expiry', () => {
    expect(msToNextSecond(5000)).toBe(1000);
    expect(msToNextSecond(4001)).toBe(1);
    expect(msToNextSecond(4999.5)).toBe(1000);
    expect(msToNextSecond(250)).toBe(250);
    expect(msToNextSecond(0)).toBeNull();
    expect(msToNextSecond(-1)).toBeNull();
  });

  it('draws the ring as the share of the session left, clamped', () => {
    expect(ringOffset(1800, 1_800_000)).toBe(0);
    expect(ringOffset(900, 1_800_000)).toBeCloseTo(RING_CIRCUMFERENCE / 2);
    expect(ringOffset(0, 1_800_000)).toBe(RING_CIRCUMFERENCE);
    expect(ringOffset(4000, 1_800_000)).toBe(0);
    expect(ringOffset(10, 0)).toBe(RING_CIRCUMFERENCE);
  });
});

describe('the window title and the tray say the same (app/countdown.ts)', () => {
  const now = at('2026-11-28T09:10:00.000Z');
  const soon = view({ sessionId: 'bg-1', incidentId: 'INC-1', expiresAt: '2026-11-28T09:12:34.000Z' });
  const later = view({ sessionId: 'bg-2', incidentId: 'INC-2', expiresAt: '2026-11-28T10:00:00.000Z', environment: 'pre-production' });
  const expired = view({ sessionId: 'bg-3', incidentId: 'INC-3', phase: 'expired', expiresAt: '2026-11-28T09:00:00.000Z' });

  it('names the active session that expires first, with its time left', () => {
    expect(openSessionTitle([later, soon], now)).toBe('02:34 — INC-1 — Break-Glass Console');
    expect(windowTitleFor([later, soon, expired], now)).toBe('02:34 — INC-1 — Break-Glass Console');
    expect(trayTextFor({ open: [later, soon] } as StatusSnapshot, now)).toBe('02:34 — INC-1 — Break-Glass Console');
  });

  it('says Expired for a session past its expiry, even before its expired record arrives', () => {
    expect(windowTitleFor([expired], now)).toBe('Expired — INC-3 — Break-Glass Console');
    expect(windowTitleFor([soon], at(soon.expiresAt))).toBe('Expired — INC-1 — Break-Glass Console');
    // Another active session still counting is named before an expired one.
    expect(windowTitleFor([soon, later], at(soon.expiresAt))).toBe('47:26 — INC-2 — Break-Glass Console');
  });

  it('with nothing open: the name alone in the title, and so in the tray', () => {
    expect(openSessionTitle([], now)).toBeNull();
    expect(windowTitleFor([], now)).toBe('Break-Glass Console');
    expect(trayTextFor(null, now)).toBe('Break-Glass Console — no active session');
  });
});
