import { parseAsciicast, type AsciicastEvent } from '../../app/recording/asciicast';
import { stripEscapes, toOriginal } from '../../app/redaction/ansi';

// The player's model (issue 17, "Playback"), kept apart from the DOM so the timing arithmetic is
// tested on its own: which events are on screen at a moment, how seeking is done, and where a
// searched text first appeared. The asciicast is the committed (redacted) one main returns.

/** A parsed recording, ready to be played. */
export interface PlaybackTimeline {
  cols: number;
  rows: number;
  /** Recording seconds of the last event. */
  duration: number;
  events: AsciicastEvent[];
}

/** The playback speeds offered (multiples of real time). */
export const SPEEDS = [1, 2, 4, 8] as const;

/** Parses the asciicast (validated by app/recording/asciicast.ts) into a timeline. */
export function timelineOf(asciicast: string): PlaybackTimeline {
  const { header, events } = parseAsciicast(asciicast);
  return { cols: header.width, rows: header.height, duration: events.at(-1)?.[0] ?? 0, events };
}

/** How many events have happened at recording time `t` (every event at or before it). */
export function eventsAt(timeline: PlaybackTimeline, t: number): number {
  const { events } = timeline;
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((events[mid] as AsciicastEvent)[0] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What the screen needs to move from `shown` events to `target`: a reset (going back) and the steps to apply. */
export interface SeekPlan {
  reset: boolean;
  steps: Array<{ write: string } | { resize: { cols: number; rows: number } }>;
}

/**
 * The steps from the `shown` events on screen to the first `target`: forward, only the new events;
 * backward, a terminal cannot undo output, so from a reset. Consecutive outputs are joined (one
 * write per run instead of one per event); markers and the exit event draw nothing.
 */
export function seekPlan(timeline: PlaybackTimeline, shown: number, target: number): SeekPlan {
  const reset = target < shown;
  const steps: SeekPlan['steps'] = reset ? [{ resize: { cols: timeline.cols, rows: timeline.rows } }] : [];
  let text = '';
  for (let i = reset ? 0 : shown; i < target; i++) {
    const [, code, data] = timeline.events[i] as AsciicastEvent;
    if (code === 'o') text += data;
    else if (code === 'r') {
      const size = /^(\d+)x(\d+)$/.exec(data);
      if (!size) continue;
      if (text) steps.push({ write: text });
      text = '';
      steps.push({ resize: { cols: Number(size[1]), rows: Number(size[2]) } });
    }
  }
  if (text) steps.push({ write: text });
  return { reset, steps };
}

/**
 * The recording time at which `query` first appeared in the output, escape sequences ignored (a
 * word printed in colour still matches), case-insensitive; null when the output never contained it
 * as one run of text (a screen drawn by cursor movement, say).
 */
export function firstOutputAt(timeline: PlaybackTimeline, query: string): number | null {
  const needle = query.toLowerCase();
  if (!needle) return null;
  const starts: number[] = [];
  const times: number[] = [];
  let all = '';
  for (const [time, code, data] of timeline.events) {
    if (code !== 'o') continue;
    starts.push(all.length);
    times.push(time);
    all += data;
  }
  const clean = stripEscapes(all);
  const at = clean.text.toLowerCase().indexOf(needle);
  if (at < 0) return null;
  // The match is on screen once its last character is: the event holding that character.
  const last = toOriginal(clean, at + needle.length - 1);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= last) lo = mid;
    else hi = mid - 1;
  }
  return times[lo] ?? null;
}

/** The lines of the rendered text (main's transcript) that contain `query`, case-insensitive. */
export function matchingLines(transcript: string, query: string): string[] {
  const needle = query.toLowerCase();
  if (!needle) return [];
  return transcript.split('\n').filter((line) => line.toLowerCase().includes(needle));
}

/** A recording offset as m:ss.s (tenths: commands a second apart stay apart). */
export function formatOffset(seconds: number): string {
  const tenths = Math.max(0, Math.floor(seconds * 10));
  const m = Math.floor(tenths / 600);
  const s = (tenths % 600) / 10;
  return `${m}:${s < 10 ? '0' : ''}${s.toFixed(1)}`;
}
