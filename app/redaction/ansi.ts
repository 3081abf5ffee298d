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

/**
 * Where the escape sequence starting at `start` (an introducer) ends, or -1 if none starts there.
 * CSI (`ESC [` or 0x9b: parameter bytes 0x30–0x3f, intermediates 0x20–0x2f, a final byte
 * 0x40–0x7e) is most of what terminals print — colour on every line — so it is scanned by hand:
 * for an `ESC [` no other alternative of ansi-regex can match, and the CSI one has no choices to
 * backtrack over, so the scan finds exactly what the regex would. Everything else asks the regex.
 * (A 10 MB coloured log took 42 ms to strip through the regex alone, half of all redaction.)
 */
function escapeEnd(text: string, start: number): number {
  const c = text.charCodeAt(start);
  let i: number;
  if (c === 0x9b) i = start + 1;
  else if (c === 0x1b && text.charCodeAt(start + 1) === 0x5b) i = start + 2;
  else {
    ESCAPE_AT.lastIndex = start;
    const m = ESCAPE_AT.exec(text);
    return m === null ? -1 : start + m[0].length;
  }
  let b = text.charCodeAt(i);
  while (b >= 0x30 && b <= 0x3f) b = text.charCodeAt(++i);
  while (b >= 0x20 && b <= 0x2f) b = text.charCodeAt(++i);
  return b >= 0x40 && b <= 0x7e ? i + 1 : -1;
}

// The C1 introducers (each found with indexOf: native, and a byte search in one-byte strings).
const C1_INTRODUCERS = ['\x9b', '\x9d', '\x90', '\x98', '\x9e', '\x9f'];

/**
 * Strips ESC/CSI sequences (fast path: a text without ESC or a C1 introducer is returned as is).
 * The introducers are found with indexOf, and where the removals are is kept in a typed array
 * grown in place, not a list of numbers (10 MB of coloured log: about 55 ms before, 35 ms now;
 * a whole-text regex test for the C1 introducers alone was 9 ms of it).
 */
export function stripEscapes(original: string): CleanText {
  const firstEscape = original.indexOf('\x1b');
  const hasC1 = C1_INTRODUCERS.some((c) => original.includes(c));
  if (firstEscape === -1 && !hasC1) return { original, text: original, removed: null };
  // Where the next introducer is: ESC through indexOf (no match object per escape), the C1
  // introducers through the regex only when the text has any.
  const next = (from: number): number => {
    if (!hasC1) return original.indexOf('\x1b', from);
    INTRODUCER.lastIndex = from;
    return INTRODUCER.exec(original)?.index ?? -1;
  };
  const parts: string[] = [];
  let removed = new Int32Array(64);
  let n = 0;
  let last = 0;
  let cleanLength = 0;
  let total = 0;
  for (let start = hasC1 ? next(0) : firstEscape; start !== -1; ) {
    const end = escapeEnd(original, start);
    if (end <= start) {
      start = next(start + 1);
      continue;
    }
    parts.push(original.slice(last, start));
    cleanLength += start - last;
    total += end - start;
    if (n === removed.length) {
      const grown = new Int32Array(2 * n);
      grown.set(removed);
      removed = grown;
    }
    removed[n++] = cleanLength;
    removed[n++] = total;
    last = end;
    start = next(end);
  }
  if (n === 0) return { original, text: original, removed: null };
  parts.push(original.slice(last));
  return { original, text: parts.join(''), removed: removed.slice(0, n) };
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
