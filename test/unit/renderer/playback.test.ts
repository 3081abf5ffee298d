import { describe, expect, it } from 'vitest';
import { asciicastLine, type AsciicastEvent } from '../../../app/recording/asciicast';
import { eventsAt, firstOutputAt, formatOffset, matchingLines, seekPlan, timelineOf } from '../../../renderer/evidence/playback';

// The player's model (issue 17, "Playback"): which events are on screen at a moment, what a seek
// writes, and where a searched text first appeared in the output.

function cast(events: AsciicastEvent[]): string {
  return asciicastLine({ version: 2, width: 80, height: 24, timestamp: 1_700_000_000 }) + events.map((e) => asciicastLine(e)).join('');
}

const EVENTS: AsciicastEvent[] = [
  [0.1, 'o', '$ '],
  [1.0, 'o', 'ls\r\n'],
  [1.0, 'o', 'a.txt\r\n'],
  [2.5, 'r', '100x30'],
  [3.0, 'o', '\x1b[31mre\x1b[0md alert\r\n'],
  [3.2, 'm', 'expiry-warning'],
  [4.0, 'x', '0'],
];

describe('playback model', () => {
  const tl = timelineOf(cast(EVENTS));

  it('reads the size and the duration from the recording', () => {
    expect(tl).toMatchObject({ cols: 80, rows: 24, duration: 4 });
  });

  it('counts every event at or before a moment', () => {
    expect(eventsAt(tl, 0)).toBe(0);
    expect(eventsAt(tl, 0.1)).toBe(1);
    expect(eventsAt(tl, 0.99)).toBe(1);
    expect(eventsAt(tl, 1)).toBe(3);
    expect(eventsAt(tl, 10)).toBe(EVENTS.length);
  });

  it('writes only the new events going forward, joined between resizes', () => {
    expect(seekPlan(tl, 1, 5)).toEqual({
      reset: false,
      steps: [{ write: 'ls\r\na.txt\r\n' }, { resize: { cols: 100, rows: 30 } }, { write: '\x1b[31mre\x1b[0md alert\r\n' }],
    });
    expect(seekPlan(tl, 3, 3)).toEqual({ reset: false, steps: [] });
  });

  it('starts from a reset at the recording size going backward', () => {
    expect(seekPlan(tl, 5, 2)).toEqual({ reset: true, steps: [{ resize: { cols: 80, rows: 24 } }, { write: '$ ls\r\n' }] });
  });

  it('finds the moment a text was first shown, colour codes ignored, case-insensitive', () => {
    expect(firstOutputAt(tl, 'a.txt')).toBe(1);
    expect(firstOutputAt(tl, 'RED ALERT')).toBe(3);
    // Split across two events: shown once the second arrives.
    expect(firstOutputAt(tl, '$ ls')).toBe(1);
    expect(firstOutputAt(tl, 'expiry-warning')).toBeNull();
    expect(firstOutputAt(tl, '')).toBeNull();
  });

  it('lists the rendered lines holding a text', () => {
    expect(matchingLines('$ ls\na.txt\nred alert', 'A')).toEqual(['a.txt', 'red alert']);
    expect(matchingLines('x', '')).toEqual([]);
  });

  it('formats offsets as m:ss.s', () => {
    expect(formatOffset(0)).toBe('0:00.0');
    expect(formatOffset(3.25)).toBe('0:03.2');
    expect(formatOffset(75.5)).toBe('1:15.5');
  });
});
