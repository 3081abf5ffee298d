// The lines of the chunk a recorder is filling (issue 17 benchmark): each event's JSON is encoded
// to UTF-8 once, as it is added, into the chunk's byte buffer. Its size is then what the encoder
// wrote, and the chunk's hash is taken over those bytes: no scan of every line for non-ASCII
// characters, and no second encoding of the whole chunk to hash it (10 MB of coloured output:
// about 20 ms of scanning and encoding before, 2–3 ms of encodeInto now).

const NEWLINE = 0x0a;

/** A chunk's text and the same text in UTF-8. */
export interface TakenLines {
  text: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Lines of asciicast (JSON text each, the newline added here) with their UTF-8 bytes. */
export class ChunkLines {
  private readonly encoder = new TextEncoder();
  private lines: string[] = [];
  private buf: Uint8Array<ArrayBuffer>;
  private used = 0;
  // The line measured last and not yet accepted: its JSON and its size (newline included).
  private measured: string | null = null;
  private measuredSize = 0;
  // A buffer given back by `recycle`, for the next `take`.
  private spare: Uint8Array<ArrayBuffer> | null = null;

  constructor(private readonly capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  /** Lines accepted into the chunk. */
  get count(): number {
    return this.lines.length;
  }

  /** UTF-8 bytes of the accepted lines. */
  get bytes(): number {
    return this.used;
  }

  /** Encodes `json` and its newline after the accepted lines and returns their size; `accept` adds them. */
  measure(json: string): number {
    // At most 3 bytes per UTF-16 unit (a surrogate pair: 4 for 2), plus the newline.
    this.reserve(3 * json.length + 1);
    const { written } = this.encoder.encodeInto(json, this.buf.subarray(this.used));
    this.buf[this.used + written] = NEWLINE;
    this.measured = json;
    this.measuredSize = written + 1;
    return this.measuredSize;
  }

  /** Adds `json` as a line (encoded by `measure` just before, unless something came between). */
  accept(json: string): void {
    if (this.measured !== json) this.measure(json);
    this.lines.push(json);
    this.used += this.measuredSize;
    this.measured = null;
  }

  /** The accepted lines, and a fresh chunk holding the measured line if it was not accepted. */
  take(): TakenLines {
    const bytes = this.buf.subarray(0, this.used);
    const lines = this.lines;
    // join puts the newlines between the lines; the empty last one gives the final newline.
    if (lines.length > 0) lines.push('');
    const text = lines.join('\n');
    // A new buffer unless one was given back (recycle): the bytes handed out may be hashed
    // later, and must not change until then.
    const size = Math.max(this.capacity, this.measured === null ? 0 : 2 * this.measuredSize);
    const spare = this.spare;
    this.spare = null;
    const next = spare !== null && spare.length >= size ? spare : new Uint8Array(size);
    if (this.measured !== null) next.set(this.buf.subarray(this.used, this.used + this.measuredSize));
    this.buf = next;
    this.lines = [];
    this.used = 0;
    return { text, bytes };
  }

  /** Gives back the bytes of a taken chunk once nothing needs them any more (hashed): the next take reuses their buffer. */
  recycle(bytes: Uint8Array<ArrayBuffer>): void {
    if (bytes.buffer !== this.buf.buffer) this.spare = new Uint8Array(bytes.buffer);
  }

  // Room for n more bytes after the accepted lines (a line measured before is written over).
  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.used + n));
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }
}
