// Redaction of one text (issue 13): escape codes set aside, every detector run, each secret
// replaced by `[REDACTED:<kind>]`.
import { stripEscapes } from './ansi';
import { engine } from './detectors';
import { addKinds, applySpans } from './engine';
import type { RedactionKinds, RedactionResult } from './types';

const NOTHING: RedactionKinds = Object.freeze({});

function pass(text: string): RedactionResult {
  const clean = stripEscapes(text);
  const spans = engine().detect(clean.text);
  if (spans.length === 0) return { text, count: 0, kinds: NOTHING };
  return applySpans(clean, spans);
}

// A marker changes what its neighbours see (`KEY-----Authorization:` becomes
// `[REDACTED:private-key]Authorization:`), so the lines around new markers are scanned again
// until nothing changes: redacting redacted text must change nothing (idempotence).
function passAroundMarkers(text: string): RedactionResult {
  let out = '';
  let last = 0;
  let count = 0;
  const kinds: Record<string, number> = {};
  for (let i = text.indexOf('[REDACTED:'); i !== -1; i = text.indexOf('[REDACTED:', i + 1)) {
    if (i < last) continue;
    // Every marker, not only one glued to its neighbours: a token span widened over the word
    // before it (`24 bytesghp_…` became `24 [REDACTED:github-token]`) took away what exempted a
    // value (`password:  24 bytes`), and the next redaction would have found more.
    const a = text.lastIndexOf('\n', i - 1) + 1;
    const nl = text.indexOf('\n', i);
    const next = nl === -1 ? -1 : text.indexOf('\n', nl + 1);
    const b = nl === -1 ? text.length : next === -1 ? text.length : next;
    const r = pass(text.slice(Math.max(a, last), b));
    out += text.slice(last, Math.max(a, last)) + r.text;
    last = b;
    count += r.count;
    addKinds(kinds, r.kinds);
  }
  return count === 0 ? { text, count: 0, kinds: NOTHING } : { text: out + text.slice(last), count, kinds };
}

/** Settles a first redaction: rescans around its markers (at most twice more) and adds what they reveal. */
export function settleAroundMarkers(first: RedactionResult): RedactionResult {
  let r = first;
  for (let round = 0; round < 2 && r.count > 0; round++) {
    const again = passAroundMarkers(r.text);
    if (again.count === 0) break;
    const kinds: Record<string, number> = { ...r.kinds };
    addKinds(kinds, again.kinds);
    r = { text: again.text, count: r.count + again.count, kinds: Object.freeze(kinds) };
  }
  return r;
}

/** Replaces every recognised secret in `text` with `[REDACTED:<kind>]`; counts them by kind (never values or lengths). */
export function redactText(text: string): RedactionResult {
  if (typeof text !== 'string') throw new TypeError(`redactText expects a string, got ${typeof text}`);
  return settleAroundMarkers(pass(text));
}
