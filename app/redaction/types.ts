// Shared shapes of the redaction library (issue 13). Public ones are re-exported by index.ts.
import type { LineIndex, WindowSpec } from './keywords';

/** How many redactions of each kind: kind -> count, never a value or a length. */
export type RedactionKinds = Readonly<Record<string, number>>;

/** The redacted text, how many secrets were replaced, and of which kinds (only counts are recorded). */
export interface RedactionResult {
  text: string;
  count: number;
  kinds: RedactionKinds;
}

/** A secret found in a text: [start, end) offsets, its kind, and how to settle overlaps. */
export interface Span {
  start: number;
  end: number;
  readonly kind: string;
  /** Lower wins when spans overlap: precise shapes (0) before provider rules (10), key names (50), gitleaks' generic rule (90). */
  readonly rank: number;
  /** A token: widened over adjacent `[A-Za-z0-9_-]`, so a rule that knows only a token's head still takes all of it. */
  readonly token?: boolean;
  /** The rest of a secret whose marker was already written (a stream cut through it): removed, not counted. */
  readonly silent?: boolean;
}

/** What a detector may ask of the engine: the whole text, and detection of a decoded payload. */
export interface DetectContext {
  readonly text: string;
  /** The text's lines (built on first use). */
  readonly lines: LineIndex;
  /** Depth of decoding (a base64 payload inside a base64 payload is depth 2); bounded by the engine. */
  readonly depth: number;
  /** Finds the secrets of a decoded payload (base64 inside base64 …), at depth + 1. */
  detectNested(payload: string): readonly Span[];
}

/** One detection rule: its keywords (it runs only near them) and a scan over one window. */
export interface Detector {
  /** Lower-case keywords; empty means the detector runs over the whole text. */
  readonly keywords: readonly string[];
  readonly window?: WindowSpec;
  /** In shared windows: a string the window must contain for this detector to run (`<` for markup). */
  readonly needs?: string;
  /** Adds the spans found in text[start, end) to `out`, with offsets into the whole text. */
  scan(ctx: DetectContext, start: number, end: number, out: Span[]): void;
  /** When present, called instead of `scan` with the sorted keyword hits: for rules whose matches start at a keyword. */
  scanHits?(ctx: DetectContext, hits: ArrayLike<number>, out: Span[]): void;
}
