import { z } from 'zod';

// The recording format of the governed shell (issue 17): asciicast v2
// (https://docs.asciinema.org/manual/asciicast/v2/), one JSON header line, then one JSON array per
// event: [seconds since start, code, data]. Codes used here: "o" output, "r" resize ("COLSxROWS"),
// "m" marker (a label), and "x" exit (asciicast v3's exit event, data = exit status; v2 players
// skip codes they do not know). "i" (input) is never written: see recorder.ts for why.

/** The first line of a recording. */
export const asciicastHeaderSchema = z.object({
  version: z.literal(2),
  width: z.number().int().min(1).max(1000),
  height: z.number().int().min(1).max(1000),
  timestamp: z.number().int().nonnegative(),
  env: z.object({ TERM: z.string().max(100).optional(), SHELL: z.string().max(500).optional() }).strict().optional(),
}).strict();

/** The first line of a recording. */
export type AsciicastHeader = z.infer<typeof asciicastHeaderSchema>;

/** One event line: [time in seconds, code, data]. */
export const asciicastEventSchema = z.tuple([z.number().nonnegative(), z.enum(['o', 'r', 'm', 'x']), z.string()]);

/** One event of a recording. */
export type AsciicastEvent = z.infer<typeof asciicastEventSchema>;

/** A parsed recording. */
export interface Asciicast {
  header: AsciicastHeader;
  events: AsciicastEvent[];
}

/** A recording line that is not a valid header or event (line numbers start at 1). */
export class AsciicastError extends Error {
  constructor(readonly line: number, message: string) {
    super(`Recording line ${line}: ${message}`);
    this.name = 'AsciicastError';
  }
}

/** Seconds with microsecond precision, as asciinema writes them. */
export function roundTime(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/** One asciicast line (with its newline) for a header or an event. */
export function asciicastLine(value: AsciicastHeader | AsciicastEvent): string {
  return `${JSON.stringify(value)}\n`;
}

/** Parses a whole recording (the concatenated chunks), validating every line with zod. */
export function parseAsciicast(text: string): Asciicast {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const parseLine = (i: number): unknown => {
    try {
      return JSON.parse(lines[i]!);
    } catch {
      throw new AsciicastError(i + 1, 'not JSON.');
    }
  };
  if (lines.length === 0) throw new AsciicastError(1, 'the recording is empty.');
  const header = asciicastHeaderSchema.safeParse(parseLine(0));
  if (!header.success) throw new AsciicastError(1, `not an asciicast v2 header (${header.error.issues[0]?.path.join('.') || 'shape'}).`);
  const events: AsciicastEvent[] = [];
  let last = 0;
  for (let i = 1; i < lines.length; i++) {
    const event = asciicastEventSchema.safeParse(parseLine(i));
    if (!event.success) throw new AsciicastError(i + 1, 'not an event [time, code, data].');
    if (event.data[0] < last) throw new AsciicastError(i + 1, 'time goes backwards.');
    last = event.data[0];
    events.push(event.data);
  }
  return { header: header.data, events };
}

/** Parses a resize event's data ("COLSxROWS"); null when malformed. */
export function parseSize(data: string): { cols: number; rows: number } | null {
  const m = /^(\d{1,4})x(\d{1,4})$/.exec(data);
  if (!m) return null;
  const cols = Number(m[1]);
  const rows = Number(m[2]);
  return cols >= 1 && rows >= 1 ? { cols, rows } : null;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** SHA-256 (hex) of a string in UTF-8, through Web Crypto (native, off the main thread in Node). */
export function sha256HexAsync(text: string): Promise<string> {
  return sha256HexOfBytes(new TextEncoder().encode(text));
}

/** SHA-256 (hex) of bytes (a string already in UTF-8), through Web Crypto. */
export async function sha256HexOfBytes(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Number of bytes of a string in UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  // Most terminal output is ASCII once JSON has escaped the control characters: one native scan.
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
