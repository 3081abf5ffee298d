// Stream-safe redaction for output that arrives in chunks (issue 13; the recorded shell of a
// later issue). A secret may be split across two chunks, so the redactor holds back a bounded
// tail: text is emitted only once at least maxTail/2 characters have arrived after it, and a cut
// never falls inside a secret it can see. The text emitted just before (up to maxTail
// characters) is kept as context, so a value is still recognised by the key printed before the
// cut (`password=` | `hunter2`).
import { stripEscapes, toOriginal, type CleanText } from './ansi';
import { engine } from './detectors';
import { applySpans } from './engine';
import type { RedactionResult, Span } from './types';

/** Feeds chunks in and gets redacted text out; flush() emits what is still held back. */
export interface StreamRedactor {
  push(chunk: string): RedactionResult;
  flush(): RedactionResult;
}

const DEFAULT_TAIL = 16 * 1024;
const MIN_TAIL = 64;
// How far the held-back tail may grow to keep one long secret whole before it is cut anyway.
const HARD_BOUND_FACTOR = 4;
// The rest of a secret after a forced cut, when the next window no longer sees where it began:
// token and base64 characters, up to and including a PEM END line.
const CONTINUATION = /^[A-Za-z0-9+/=_.:~\\\r\n \t-]*?(?:-----END [A-Z0-9 ]+-----|(?=[^A-Za-z0-9+/=_.:~\\\r\n \t-])|$)/;

const EMPTY: RedactionResult = Object.freeze({ text: '', count: 0, kinds: Object.freeze({}) });

// The first clean offset whose original offset is at or after `orig` (the map is monotonic).
function cleanAt(clean: CleanText, orig: number): number {
  if (clean.removed === null) return orig;
  let lo = 0;
  let hi = clean.text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toOriginal(clean, mid) < orig) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const origAt = (clean: CleanText, i: number): number => (i >= clean.text.length ? clean.original.length : toOriginal(clean, i));

/** Stream-safe: carries a bounded tail between chunks so a secret split across chunks is still caught. */
export function createStreamRedactor(options?: { maxTailBytes?: number }): StreamRedactor {
  const maxTail = options?.maxTailBytes ?? DEFAULT_TAIL;
  if (!Number.isInteger(maxTail) || maxTail < MIN_TAIL) throw new RangeError(`maxTailBytes must be an integer ≥ ${MIN_TAIL}`);
  let context = ''; // already emitted, kept for detection only (the last maxTail characters)
  let pending = ''; // not yet emitted
  let continuing = false; // the last cut went through a secret: its marker is out, its rest is still here

  function emit(final: boolean): RedactionResult {
    if (pending === '') return EMPTY;
    const buf = context + pending;
    const clean = stripEscapes(buf);
    const spans = engine().detect(clean.text);
    const base = cleanAt(clean, context.length);
    const len = clean.text.length;
    let cut = final ? len : cleanAt(clean, buf.length - (maxTail >> 1));
    let forced = false;
    if (!final) {
      const floor = cleanAt(clean, Math.max(context.length, buf.length - HARD_BOUND_FACTOR * maxTail));
      for (let i = spans.length - 1; i >= 0; i--) {
        const s = spans[i] as Span;
        if (s.start < cut && cut < s.end) {
          if (s.start >= floor) cut = s.start;
          else forced = true; // longer than the hard bound (or begun before this window): cut through it
        }
      }
    }
    const parts: Span[] = [];
    let seenCrossing = false;
    for (const s of spans) {
      if (s.end <= base || s.start >= cut) continue;
      const crossing = s.start < base;
      seenCrossing ||= crossing;
      parts.push({ ...s, start: Math.max(s.start, base), end: Math.min(s.end, cut), ...(crossing && continuing ? { silent: true } : {}) });
    }
    let stillInside = false;
    if (continuing && !seenCrossing) {
      // The secret's head has left the context: remove what still looks like its body (other
      // spans inside that stretch are part of it).
      const rest = CONTINUATION.exec(clean.text.slice(base, cut));
      const n = rest === null ? 0 : rest[0].length;
      if (n > 0) {
        const kept = parts.filter((p) => p.start >= base + n).map((p) => p);
        const straddling = parts.find((p) => p.start < base + n && p.end > base + n);
        parts.length = 0;
        parts.push({ start: base, end: straddling === undefined ? base + n : straddling.end, kind: 'continuation', rank: 0, silent: true }, ...kept.filter((p) => p !== straddling));
        stillInside = base + n >= cut && !/-----END [A-Z0-9 ]+-----$/.test(rest?.[0] ?? '');
      }
    }
    const cutOrig = origAt(clean, cut);
    const out = applySpans(clean, parts, context.length, cutOrig);
    continuing = forced || stillInside;
    context = buf.slice(Math.max(0, cutOrig - maxTail), cutOrig);
    pending = buf.slice(cutOrig);
    return out;
  }

  return {
    push(chunk: string): RedactionResult {
      if (typeof chunk !== 'string') throw new TypeError('push expects a string');
      pending += chunk;
      return pending.length > maxTail ? emit(false) : EMPTY;
    },
    flush(): RedactionResult {
      const out = emit(true);
      context = '';
      pending = '';
      continuing = false;
      return out;
    },
  };
}
