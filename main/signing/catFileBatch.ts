/**
 * `git cat-file --batch` output (`<id> <type> <size>\n<body>\n` per object, `<name> missing\n`
 * for one git cannot find), parsed from bytes as git writes them (issue 15: the verifier reads
 * every commit this way). An object's body is a view of the chunk it arrived in; only an object
 * split across two chunks is copied, and only its own bytes.
 */

/** One object of the output, in request order. `type` is `missing` when git could not find it. */
export interface BatchObject {
  id: string;
  type: string;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** Parses one header line (without its newline); the body's size, or -1 for a missing object. */
function header(line: Buffer): { id: string; type: string; size: number } {
  const text = line.toString('latin1');
  const first = text.indexOf(' ');
  const second = first === -1 ? -1 : text.indexOf(' ', first + 1);
  if (second === -1 || text.endsWith(' missing')) {
    if (first === -1) throw new Error('cat-file --batch: malformed header');
    return { id: text.slice(0, text.lastIndexOf(' ')), type: 'missing', size: -1 };
  }
  const digits = text.slice(second + 1);
  if (digits.length === 0 || digits.length > 15 || !/^[0-9]+$/.test(digits)) throw new Error('cat-file --batch: malformed header');
  return { id: text.slice(0, first), type: text.slice(first + 1, second), size: Number(digits) };
}

/** Incremental parser: push() each chunk as it arrives, end() once git is done. */
export class CatFileBatchParser {
  /** The start of an object whose bytes have not all arrived. */
  private rest: Buffer | null = null;

  constructor(private readonly onObject: (object: BatchObject) => void) {}

  push(chunk: Buffer): void {
    let at = 0;
    if (this.rest !== null) {
      at = this.completeRest(chunk);
      if (at === -1) return;
    }
    this.parse(chunk, at);
  }

  /** Throws when git's output stopped inside an object. */
  end(): void {
    if (this.rest !== null) throw new Error('cat-file --batch: truncated object');
  }

  /** Finishes the pending object with the bytes of `chunk` it needs; where the rest of `chunk` starts, or -1 when `chunk` did not finish it. */
  private completeRest(chunk: Buffer): number {
    let rest = this.rest!;
    let nl = rest.indexOf(0x0a);
    let used = 0;
    if (nl === -1) {
      const inChunk = chunk.indexOf(0x0a);
      if (inChunk === -1) {
        this.rest = Buffer.concat([rest, chunk]);
        return -1;
      }
      used = inChunk + 1;
      nl = rest.length + inChunk;
      rest = Buffer.concat([rest, chunk.subarray(0, used)]);
    }
    const h = header(rest.subarray(0, nl));
    const total = h.size === -1 ? nl + 1 : nl + 1 + h.size + 1;
    const need = total - rest.length;
    if (need > chunk.length - used) {
      this.rest = Buffer.concat([rest, chunk.subarray(used)]);
      return -1;
    }
    const whole = need > 0 ? Buffer.concat([rest, chunk.subarray(used, used + need)]) : rest;
    this.rest = null;
    this.onObject({ id: h.id, type: h.type, body: h.size === -1 ? EMPTY : whole.subarray(nl + 1, nl + 1 + h.size) });
    return used + Math.max(0, need);
  }

  private parse(chunk: Buffer, from: number): void {
    let at = from;
    while (at < chunk.length) {
      const nl = chunk.indexOf(0x0a, at);
      if (nl === -1) break;
      const h = header(chunk.subarray(at, nl));
      if (h.size === -1) {
        this.onObject({ id: h.id, type: h.type, body: EMPTY });
        at = nl + 1;
        continue;
      }
      const end = nl + 1 + h.size;
      if (end + 1 > chunk.length) break;
      this.onObject({ id: h.id, type: h.type, body: chunk.subarray(nl + 1, end) });
      at = end + 1;
    }
    // The pending object's bytes are copied, so the chunk they came in is not kept whole.
    this.rest = at < chunk.length ? Buffer.from(chunk.subarray(at)) : null;
  }
}

/** Parses a whole `cat-file --batch` output into objects in request order. */
export function parseCatFileBatch(out: Buffer): BatchObject[] {
  const objects: BatchObject[] = [];
  const parser = new CatFileBatchParser((o) => objects.push(o));
  parser.push(out);
  parser.end();
  return objects;
}
