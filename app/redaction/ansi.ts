// Terminal escape sequences are ignored while matching (issue 13): a secret printed in colour,
// or split by colour codes (`hun\x1b[1mter2`), is matched on the text without them, and the
// escape codes themselves are kept in the output around the marker, so the recording still
// renders as the operator saw it. The escape grammar is ansi-regex's (the chalk project's).
import ansiRegex from 'ansi-regex';

const ESCAPES = ansiRegex();
// The same grammar anchored (sticky), tried only where an introducer is: the unanchored pattern
// attempts every alternative at every character of a long output.
const ESCAPE_AT = new RegExp(ESCAPES.source, 'y');
// eslint-disable-next-line no-control-regex -- finding ESC and the C1 introducers is the point
const INTRODUCER = /[\x1b\x9b\x9d\x90\x98\x9e\x9f]/g;

/** Text with its escape sequences removed, and the way back to the original offsets. */
export interface CleanText {
  /** The original text. */
  readonly original: string;
  /** The text without escape sequences: what the rules match. */
  readonly text: string;
  /**
   * Where escapes were removed: pairs (clean offset, characters removed before it in total),
   * sorted; null when there were none.
   */
  readonly removed: Int32Array | null;
}

/** The original offset of clean offset `i` (the original character at `i`, after any escapes before it). */
export function toOriginal(clean: CleanText, i: number): number {
  const r = clean.removed;
  if (r === null) return i;
  // The last pair whose clean offset is <= i.
  let lo = 0;
  let hi = r.length / 2 - 1;
  let delta = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((r[2 * mid] as number) <= i) {
      delta = r[2 * mid + 1] as number;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return i + delta;
}

/** Strips ESC/CSI sequences (fast path: a text without ESC or a C1 introducer is returned as is). */
export function stripEscapes(original: string): CleanText {
  // eslint-disable-next-line no-control-regex -- finding ESC and the C1 introducers is the point
  if (!/[\x1b\x9b\x9d\x90\x98\x9e\x9f]/.test(original)) return { original, text: original, removed: null };
  const parts: string[] = [];
  const removed: number[] = [];
  let last = 0;
  let cleanLength = 0;
  let total = 0;
  INTRODUCER.lastIndex = 0;
  for (let at = INTRODUCER.exec(original); at !== null; at = INTRODUCER.exec(original)) {
    ESCAPE_AT.lastIndex = at.index;
    const m = ESCAPE_AT.exec(original);
    if (m === null || m[0].length === 0) continue;
    parts.push(original.slice(last, m.index));
    cleanLength += m.index - last;
    total += m[0].length;
    removed.push(cleanLength, total);
    last = m.index + m[0].length;
    INTRODUCER.lastIndex = last;
  }
  if (removed.length === 0) return { original, text: original, removed: null };
  parts.push(original.slice(last));
  return { original, text: parts.join(''), removed: Int32Array.from(removed) };
}

/** The escape sequences inside original[from, to), concatenated (what surrounds a marker). */
export function escapesWithin(original: string, from: number, to: number): string {
  const part = original.slice(from, to);
  let out = '';
  ESCAPES.lastIndex = 0;
  for (let m = ESCAPES.exec(part); m !== null; m = ESCAPES.exec(part)) {
    if (m[0].length === 0) ESCAPES.lastIndex += 1;
    else out += m[0];
  }
  return out;
}
