// Runs every detector over a text and settles what they found into non-overlapping spans
// (issue 13). Detectors run only in windows around their keywords (keywords.ts); the spans
// of all of them are then merged, so one secret matched by several rules (gitleaks' rule, a
// provider rule, its key name) is replaced once and counted once, under the most precise kind.
import { escapesWithin, toOriginal, type CleanText } from './ansi';
import { KeywordSet, LINE_WINDOW, LineIndex, windowsAround, type KeywordHits } from './keywords';
import type { DetectContext, Detector, RedactionKinds, RedactionResult, Span } from './types';

/** Base64 inside base64 inside base64 is not followed further (a docker config in a Secret is depth 2). */
const MAX_DEPTH = 2;

/** The replacement text: the kind is kept so a reviewer knows what was removed. */
export const marker = (kind: string): string => `[REDACTED:${kind}]`;

const MARKER_HEAD = '[REDACTED:';
const MARKER = /^\[REDACTED:[a-z0-9-]+\]/;

/** Token characters a token span is widened over (bounded, so a giant token cannot make it quadratic). */
const isTokenChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;
const WIDEN_LIMIT = 4096;

// Markers already in the text (re-redacting redacted text must change nothing): [start, end)
// pairs, from the keyword pass's case-folded hits of the marker's head.
function markerRanges(text: string, heads: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let h = 0; h < heads.length; h++) {
    const i = heads[h] as number;
    if (!text.startsWith(MARKER_HEAD, i)) continue;
    const m = MARKER.exec(text.slice(i, i + 80));
    if (m !== null) out.push(i, i + m[0].length);
  }
  return out;
}

// Markers are sorted and disjoint: the first one ending after the span's start is the only one to check.
function touchesMarker(span: Span, markers: readonly number[]): boolean {
  let lo = 0;
  let hi = markers.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((markers[2 * mid + 1] as number) > span.start) hi = mid;
    else lo = mid + 1;
  }
  return 2 * lo < markers.length && (markers[2 * lo] as number) < span.end;
}

function widen(text: string, span: Span): void {
  const lo = Math.max(0, span.start - WIDEN_LIMIT);
  while (span.start > lo && isTokenChar(text.charCodeAt(span.start - 1))) span.start -= 1;
  const hi = Math.min(text.length, span.end + WIDEN_LIMIT);
  while (span.end < hi && isTokenChar(text.charCodeAt(span.end))) span.end += 1;
}

/**
 * Drops spans on existing markers (`markerHeads`: where `[redacted:` occurs, in any case), widens
 * tokens, and merges overlaps (lowest rank names the merged span).
 */
export function settle(text: string, found: readonly Span[], markerHeads: ArrayLike<number>): Span[] {
  if (found.length === 0) return [];
  const markers = markerRanges(text, markerHeads);
  const spans: Span[] = [];
  for (const f of found) {
    const s = { ...f };
    if (markers.length > 0 && touchesMarker(s, markers)) continue;
    if (s.token === true) widen(text, s);
    if (markers.length > 0 && touchesMarker(s, markers)) continue;
    spans.push(s);
  }
  // Stable sort: for the same extent and rank, the detector listed first names the secret.
  spans.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last === undefined || s.start >= last.end) {
      merged.push(s);
      continue;
    }
    const end = Math.max(last.end, s.end);
    merged[merged.length - 1] = s.rank < last.rank ? { ...s, start: last.start, end } : { ...last, end };
  }
  return merged;
}

// Two sorted lists merged into one (duplicates kept: two keywords at one place).
function mergeSorted(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}

// A detector's hits in text order: each keyword's list is sorted, so they are merged pairwise.
function sortedHits(ids: readonly number[], hits: KeywordHits): ArrayLike<number> | null {
  let lists: ArrayLike<number>[] = [];
  for (const id of ids) {
    const h = hits[id];
    if (h !== undefined) lists.push(h);
  }
  if (lists.length === 0) return null;
  while (lists.length > 1) {
    const next: ArrayLike<number>[] = [];
    for (let i = 0; i < lists.length; i += 2) {
      const b = lists[i + 1];
      next.push(b === undefined ? (lists[i] as ArrayLike<number>) : mergeSorted(lists[i] as ArrayLike<number>, b));
    }
    lists = next;
  }
  return lists[0] as ArrayLike<number>;
}

/** A fixed set of detectors with their keywords compiled into one automaton. */
export class Engine {
  private readonly keywordSet = new KeywordSet();
  private readonly plan: ReadonlyArray<{ readonly detector: Detector; readonly ids: readonly number[] }>;
  /** For each keyword id, the plan entries that use it (so only detectors with a hit are visited). */
  private readonly users: number[][] = [];
  private readonly always: readonly number[];
  // Found in the same pass as the keywords: newlines for the line index, and markers' heads.
  private readonly newline: number;
  private readonly markerHead: number;

  constructor(detectors: readonly Detector[]) {
    this.plan = detectors.map((detector) => ({ detector, ids: this.keywordSet.add(detector.keywords) }));
    [this.newline, this.markerHead] = this.keywordSet.add(['\n', MARKER_HEAD]) as [number, number];
    this.keywordSet.compile();
    this.plan.forEach(({ ids }, i) => {
      for (const id of ids) (this.users[id] ??= []).push(i);
    });
    this.always = this.plan.flatMap(({ ids }, i) => (ids.length === 0 ? [i] : []));
  }

  /** Every secret in `text`, settled: sorted, non-overlapping, offsets into `text`. */
  detect(text: string, depth = 0): Span[] {
    if (text.length === 0) return [];
    const hits = this.keywordSet.scan(text);
    const marks = new Uint8Array(this.plan.length);
    let any = false;
    for (const i of this.always) marks[i] = 1;
    for (let id = 0; id < hits.length; id++) {
      const users = this.users[id];
      if (hits[id] === undefined || users === undefined) continue;
      for (const i of users) marks[i] = 1;
      any = true;
    }
    if (!any && this.always.length === 0) return [];
    const lines = new LineIndex(text, hits[this.newline] ?? []);
    const found: Span[] = [];
    const ctx: DetectContext = {
      text,
      lines,
      depth,
      detectNested: (payload: string) => (depth >= MAX_DEPTH ? [] : this.detect(payload, depth + 1)),
    };
    // In plan order, so that for equal spans the detector listed first names the secret.
    for (let i = 0; i < marks.length; i++) {
      if (marks[i] === 0) continue;
      const { detector, ids } = this.plan[i] as { detector: Detector; ids: readonly number[] };
      if (ids.length === 0) {
        detector.scan(ctx, 0, text.length, found);
        continue;
      }
      const positions = sortedHits(ids, hits);
      if (positions === null) continue;
      if (detector.scanHits !== undefined) {
        detector.scanHits(ctx, positions, found);
        continue;
      }
      const w = windowsAround(text, lines, positions, detector.window ?? LINE_WINDOW);
      for (let k = 0; k < w.length; k += 2) detector.scan(ctx, w[k] as number, w[k + 1] as number, found);
    }
    return settle(text, found, hits[this.markerHead] ?? []);
  }
}

/** Adds one result's kinds into a running tally. */
export function addKinds(into: Record<string, number>, kinds: RedactionKinds): void {
  for (const [k, n] of Object.entries(kinds)) into[k] = (into[k] ?? 0) + n;
}

/** Counts spans by kind into a frozen record. */
export function countKinds(spans: readonly Span[]): RedactionKinds {
  const kinds: Record<string, number> = {};
  for (const s of spans) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
  return Object.freeze(kinds);
}

/**
 * original[origFrom, origTo) with each span (clean offsets, inside that range) replaced by its
 * marker; escape codes inside a span are kept after the marker. A silent span leaves no marker.
 */
export function applySpans(clean: CleanText, spans: readonly Span[], origFrom = 0, origTo = clean.original.length): RedactionResult {
  const plain = clean.removed === null;
  let out = '';
  let last = origFrom;
  const counted: Span[] = [];
  for (const s of spans) {
    const a = toOriginal(clean, s.start);
    const b = toOriginal(clean, s.end - 1) + 1;
    out += clean.original.slice(last, a) + (s.silent === true ? '' : marker(s.kind)) + (plain ? '' : escapesWithin(clean.original, a, b));
    if (s.silent !== true) counted.push(s);
    last = b;
  }
  out += clean.original.slice(last, origTo);
  return { text: out, count: counted.length, kinds: countKinds(counted) };
}
