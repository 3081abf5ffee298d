// Keyword prefilter (issue 13, throughput): like gitleaks, a rule runs only where one of its
// keywords occurs. All keywords of all rules are found in ONE pass over the text with an
// Aho–Corasick automaton (ASCII, case-folded), the same technique gitleaks uses; each rule then
// scans only the lines around its hits, so 200+ rules cost about one pass plus the matched lines.

/** Positions (start offsets) of each keyword's occurrences, indexed by keyword id. */
export type KeywordHits = ReadonlyArray<readonly number[] | undefined>;

// Texts at least this long are scanned as two halves at once (see KeywordSet.scan).
const SPLIT_SCAN_FROM = 256;


/** A compiled set of lower-case ASCII keywords; `scan` finds every (overlapping) occurrence. */
export class KeywordSet {
  private readonly ids = new Map<string, number>();
  private readonly words: string[] = [];
  // Characters that occur in no keyword share class 0 (so does every non-ASCII one), so the table
  // stays small enough for the CPU cache; upper case is folded onto lower case. Each entry is the
  // next state pre-multiplied by the class count, bit-inverted (negative) when a keyword ends
  // there: one load per character. Int32, not a flag in bit 31 of a Uint32: entries above 2^31
  // are no int32, and V8 then does the whole loop in floating point (twice as slow).
  private classOf = new Uint8Array(65536);
  private classes = 1;
  private table = new Int32Array(1);
  // The keywords ending in each state: outputIds[outputFrom[state] .. outputFrom[state + 1]), by
  // pre-multiplied state (typed arrays: a sparse array of lists fell into dictionary mode).
  private outputFrom = new Int32Array(2);
  private outputIds = new Int32Array(0);
  private lengths = new Int32Array(0);
  private longest = 1;

  /**
   * Adds keywords (lower-cased) and returns their ids; call `compile` after the last add. A
   * newline is a keyword too: the engine finds the line starts in the same pass.
   */
  add(keywords: readonly string[]): number[] {
    return keywords.map((raw) => {
      const k = raw.toLowerCase();
      if (k === "" || /[^\t\n\x20-\x7e]/.test(k)) throw new Error(`keyword must be printable ASCII: ${JSON.stringify(raw)}`);
      let id = this.ids.get(k);
      if (id === undefined) {
        id = this.words.length;
        this.ids.set(k, id);
        this.words.push(k);
      }
      return id;
    });
  }

  /** The keyword with this id. */
  word(id: number): string {
    return this.words[id] as string;
  }

  /** Builds the automaton (goto + failure links flattened into one transition table). */
  compile(): void {
    const classOf = new Uint8Array(128);
    let classes = 1;
    for (const w of this.words) {
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i);
        if (classOf[c] === 0) classOf[c] = classes++;
      }
    }
    for (let c = 0x41; c <= 0x5a; c++) classOf[c] = classOf[c + 0x20] as number;
    const next: Int32Array[] = [new Int32Array(classes).fill(-1)];
    const out: number[][] = [[]];
    this.words.forEach((w, id) => {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const c = classOf[w.charCodeAt(i)] as number;
        let n = (next[s] as Int32Array)[c] as number;
        if (n === -1) {
          n = next.length;
          next.push(new Int32Array(classes).fill(-1));
          out.push([]);
          (next[s] as Int32Array)[c] = n;
        }
        s = n;
      }
      (out[s] as number[]).push(id);
    });
    if (next.length > 0xffff) throw new Error('too many keywords for the automaton');
    const fail = new Int32Array(next.length);
    const queue: number[] = [];
    const root = next[0] as Int32Array;
    for (let c = 0; c < classes; c++) {
      const n = root[c] as number;
      if (n === -1 || c === 0) root[c] = 0;
      else queue.push(n);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi] as number;
      const row = next[s] as Int32Array;
      const failRow = next[fail[s] as number] as Int32Array;
      for (let c = 0; c < classes; c++) {
        const n = row[c] as number;
        if (n === -1) {
          row[c] = failRow[c] as number;
        } else {
          fail[n] = failRow[c] as number;
          (out[n] as number[]).push(...(out[fail[n] as number] as number[]));
          queue.push(n);
        }
      }
    }
    // States renumbered in breadth-first order (the queue's), so the shallow states that text
    // keeps returning to sit together at the start of the table.
    const order = new Int32Array(next.length);
    [0, ...queue].forEach((s, i) => (order[s] = i));
    const table = new Int32Array(next.length * classes);
    next.forEach((row, s) => {
      for (let c = 0; c < classes; c++) {
        const n = row[c] as number;
        const target = (order[n] as number) * classes;
        table[(order[s] as number) * classes + c] = (out[n] as number[]).length > 0 ? ~target : target;
      }
    });
    const wide = new Uint8Array(65536);
    wide.set(classOf);
    this.classOf = wide;
    this.classes = classes;
    this.table = table;
    // Outputs indexed by the pre-multiplied state.
    const byState: number[][] = [];
    out.forEach((o, s) => (byState[order[s] as number] = o));
    this.outputFrom = new Int32Array(table.length + 1);
    const ids: number[] = [];
    for (let st = 0; st < next.length; st++) {
      // A state's range is [from[state], from[state + 1]): the entries after its own hold its end.
      this.outputFrom[st * classes] = ids.length;
      ids.push(...(byState[st] as number[]));
      for (let c = 1; c < classes; c++) this.outputFrom[st * classes + c] = ids.length;
    }
    this.outputFrom[table.length] = ids.length;
    this.outputIds = Int32Array.from(ids);
    this.lengths = Int32Array.from(this.words, (w) => w.length);
    this.longest = Math.max(1, ...this.lengths);
  }

  /** Whether any keyword occurs in `text` (case-insensitively). */
  occursIn(text: string): boolean {
    const { table, classOf } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const next = table[state + (classOf[text.charCodeAt(i)] as number)] as number;
      if (next < 0) return true;
      state = next;
    }
    return false;
  }

  /**
   * Every occurrence of every keyword, case-insensitively; non-ASCII characters reset the match.
   * A long text is read as two halves at once: one automaton step waits on the table load of the
   * step before it, so a single walk is bound by memory latency, and two independent walks in
   * one loop take little longer than one (10 MB of log: 35 ms one walk, 21 ms two). The second
   * walk starts `longest - 1` characters before its half, so it is in the right state there; it
   * reports only keywords ending in its half, the first walk only those ending in its own.
   */
  scan(text: string): KeywordHits {
    const len = text.length;
    if (len < SPLIT_SCAN_FROM) return this.scanRange(text, 0, len, []);
    const mid = len >> 1;
    const first: number[][] = [];
    const second: number[][] = [];
    const { table, classOf } = this;
    let b = 0;
    for (let i = Math.max(0, mid - this.longest + 1); i < mid; i++) {
      const n = table[b + (classOf[text.charCodeAt(i)] as number)] as number;
      b = n >= 0 ? n : ~n;
    }
    let a = 0;
    let i = 0;
    let j = mid;
    for (; i < mid; i++, j++) {
      const na = table[a + (classOf[text.charCodeAt(i)] as number)] as number;
      const nb = table[b + (classOf[text.charCodeAt(j)] as number)] as number;
      if ((na | nb) >= 0) {
        a = na;
        b = nb;
        continue;
      }
      if (na >= 0) a = na;
      else this.record(first, (a = ~na), i);
      if (nb >= 0) b = nb;
      else this.record(second, (b = ~nb), j);
    }
    this.scanRange(text, j, len, second, b);
    // Each keyword's hits in the first half come before its hits in the second.
    for (let id = 0; id < second.length; id++) {
      const later = second[id];
      if (later === undefined) continue;
      const earlier = first[id];
      if (earlier === undefined) first[id] = later;
      else for (const p of later) earlier.push(p);
    }
    return first;
  }

  // One walk over text[from, to) from `state`, adding to `hits`.
  private scanRange(text: string, from: number, to: number, hits: number[][], state = 0): number[][] {
    const { table, classOf } = this;
    for (let i = from; i < to; i++) {
      const next = table[state + (classOf[text.charCodeAt(i)] as number)] as number;
      if (next >= 0) {
        state = next;
        continue;
      }
      this.record(hits, (state = ~next), i);
    }
    return hits;
  }

  // The keywords ending at offset `i`, where the walk entered `state`.
  private record(hits: number[][], state: number, i: number): void {
    const { outputFrom, outputIds, lengths } = this;
    for (let k = outputFrom[state] as number, to = outputFrom[state + 1] as number; k < to; k++) {
      const id = outputIds[k] as number;
      const start = i + 1 - (lengths[id] as number);
      const list = hits[id];
      if (list === undefined) hits[id] = [start];
      else list.push(start);
    }
  }
}

/** How much text around a keyword hit a rule needs. */
export interface WindowSpec {
  /** Further lines after the hit's line (a value may follow its key on the next line). */
  readonly linesAfter: number;
  /** Further lines before it (a manifest's `data:` comes before its `kind: Secret`). */
  readonly linesBefore?: number;
  /** At most this many characters before the hit / after it (long lines are cut near a blank). */
  readonly before: number;
  readonly after: number;
}

/** The default: the hit's line and the next one, bounded to 1 KiB before and 8 KiB after. */
export const LINE_WINDOW: WindowSpec = { linesAfter: 1, before: 1024, after: 8192 };

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

// How far a cut window edge may move to reach a blank (a token longer than this is cut; the
// span extension in engine.ts then takes the rest of it from the full text).
const ALIGN = 256;

/**
 * The start of the line holding `p`, or `p - reach` if the line starts further back. Searched
 * back at most `reach` characters: lastIndexOf would run to the text's start on one long line
 * (minified JSON), once per hit, making a rule quadratic in the line's length.
 */
export function lineStartWithin(text: string, p: number, reach: number): number {
  const lo = Math.max(0, p - reach);
  for (let i = p - 1; i >= lo; i--) if (text.charCodeAt(i) === 0x0a) return i + 1;
  return lo;
}

/** Line starts of a text, from its newlines (sorted offsets), made into an index on first use. */
export class LineIndex {
  private starts: Int32Array | null = null;
  // The line found last: rules ask in text order, so the next answer is usually at or just after it.
  private hint = 0;

  constructor(
    private readonly text: string,
    private readonly newlines: ArrayLike<number>,
  ) {}

  private build(): Int32Array {
    const starts = new Int32Array(this.newlines.length + 1);
    for (let i = 0; i < this.newlines.length; i++) starts[i + 1] = (this.newlines[i] as number) + 1;
    this.starts = starts;
    return starts;
  }

  /** The number of the line holding offset `p` (0-based). */
  lineOf(p: number): number {
    const s = this.starts ?? this.build();
    // The answer is the last line starting at or before p: bracketed by galloping forward from
    // the hint when p is past it, else anywhere before it; then a binary search.
    let lo = 0;
    let hi = this.hint;
    if ((s[this.hint] as number) <= p) {
      lo = this.hint;
      let step = 1;
      hi = lo + 1;
      while (hi < s.length && (s[hi] as number) <= p) {
        lo = hi;
        step *= 2;
        hi = lo + step;
      }
      hi = Math.min(hi, s.length) - 1;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] as number) <= p) lo = mid;
      else hi = mid - 1;
    }
    this.hint = lo;
    return lo;
  }

  /** Where line `n` starts, and where it ends (before its newline, or the text's end). */
  start(n: number): number {
    const s = this.starts ?? this.build();
    return n < s.length ? (s[n] as number) : this.text.length;
  }

  end(n: number): number {
    const s = this.starts ?? this.build();
    return n + 1 < s.length ? (s[n + 1] as number) - 1 : this.text.length;
  }

  /**
   * Where the line holding `p` ends (its newline, or the text's end), or `p + reach` if sooner.
   * From the index: indexOf would run to the text's end on one long line, once per hit.
   */
  endWithin(p: number, reach: number): number {
    return Math.min(this.end(this.lineOf(p)), p + reach);
  }
}

/**
 * Merged [start, end) windows (flat pairs) around sorted hit positions: from the start of the
 * hit's line to the end of the line `linesAfter` further on, cut to `before`/`after` characters
 * (moved to a nearby blank) on long lines, so a window rarely starts or ends inside a token.
 */
export function windowsAround(text: string, lines: LineIndex, sortedHits: ArrayLike<number>, spec: WindowSpec): number[] {
  const out: number[] = [];
  for (let h = 0; h < sortedHits.length; h++) {
    const p = sortedHits[h] as number;
    const line = lines.lineOf(p);
    let start = lines.start(Math.max(0, line - (spec.linesBefore ?? 0)));
    if (p - start > spec.before) {
      start = p - spec.before;
      const limit = Math.min(p, start + ALIGN);
      while (start < limit && !isBlank(text.charCodeAt(start))) start += 1;
    }
    let end = lines.end(Math.min(line + spec.linesAfter, Number.MAX_SAFE_INTEGER));
    if (end - p > spec.after) {
      end = p + spec.after;
      const limit = Math.min(text.length, end + ALIGN);
      while (end < limit && !isBlank(text.charCodeAt(end))) end += 1;
    }
    const last = out.length - 1;
    if (last > 0 && start <= (out[last] as number)) out[last] = Math.max(out[last] as number, end);
    else out.push(start, end);
  }
  return out;
}
