import type { Terminal as HeadlessTerminal } from '@xterm/headless';
import { parseSize, type Asciicast } from './asciicast';

// Plays a recording into @xterm/headless (the same terminal emulator the console's @xterm/xterm
// tab uses, without a screen), so text search, the report's transcript and the command index all
// read what the operator saw, not the raw bytes. @xterm/headless is plain JavaScript with no Node
// built-ins, so this stays in app/. It is CommonJS: the default import is the interop that works
// in Node's ESM loader, Vite and esbuild alike.
// Loaded on first replay: every CLI command would otherwise pay for parsing xterm at start-up.
let terminalClass: Promise<typeof import('@xterm/headless').Terminal> | null = null;
const loadTerminal = () => (terminalClass ??= import('@xterm/headless').then((m) => (m.default ?? m).Terminal));

/** A position in the terminal's buffer: column and absolute line (scrollback included). */
export interface BufferPosition {
  x: number;
  y: number;
}

/** An OSC sequence met while replaying, with the recording time of the event that carried it. */
export interface OscEvent {
  ident: number;
  data: string;
  time: number;
  cursor: BufferPosition;
}

/** Replay settings: size (default: the header's) and how many lines of scrollback to keep. */
export interface ReplayOptions {
  cols?: number;
  rows?: number;
  scrollback?: number;
  /** OSC identifiers to report (e.g. 133, 633) through `onOsc`. */
  osc?: readonly number[];
  onOsc?(event: OscEvent, terminal: HeadlessTerminal): void;
}

/** The cursor as an absolute buffer position. */
export function cursorOf(terminal: HeadlessTerminal): BufferPosition {
  const b = terminal.buffer.active;
  return { x: b.cursorX, y: b.baseY + b.cursorY };
}

/** Replays every event into a new headless terminal; the caller disposes it. */
export async function replay(cast: Asciicast, options: ReplayOptions = {}): Promise<HeadlessTerminal> {
  const Terminal = await loadTerminal();
  const terminal = new Terminal({
    cols: options.cols ?? cast.header.width,
    rows: options.rows ?? cast.header.height,
    scrollback: options.scrollback ?? 100_000,
    allowProposedApi: true,
  });
  // Writes are parsed asynchronously, in order; each write's callback runs right after its data
  // was parsed, so the times of the writes not yet called back say which event is being parsed.
  const parsing: number[] = [];
  for (const ident of options.osc ?? []) {
    terminal.parser.registerOscHandler(ident, (data) => {
      options.onOsc?.({ ident, data, time: parsing[0] ?? 0, cursor: cursorOf(terminal) }, terminal);
      return true;
    });
  }
  const written = (time: number, data: string) =>
    new Promise<void>((resolve) => {
      parsing.push(time);
      terminal.write(data, () => {
        parsing.shift();
        resolve();
      });
    });
  let last: Promise<void> = Promise.resolve();
  for (const [time, code, data] of cast.events) {
    if (code === 'o') last = written(time, data);
    else if (code === 'r') {
      const size = parseSize(data);
      await last;
      // A fixed size given by the caller (e.g. a report's width) wins over the recording's.
      if (size && options.cols === undefined) terminal.resize(size.cols, size.rows);
    }
  }
  await last;
  return terminal;
}

/** The normal screen's lines [from, to] (absolute), soft-wrapped lines joined, right-trimmed. */
export function bufferText(terminal: HeadlessTerminal, from = 0, to?: number): string {
  const b = terminal.buffer.normal;
  const end = Math.min(to ?? b.length - 1, b.length - 1);
  const out: string[] = [];
  for (let y = Math.max(0, from); y <= end; y++) {
    const line = b.getLine(y);
    if (!line) continue;
    const text = line.translateToString(true);
    if (line.isWrapped && out.length > 0) out[out.length - 1] += text;
    else out.push(text);
  }
  return out.join('\n');
}

/** Text between two buffer positions (start inclusive, end exclusive), wrapped lines joined. */
export function textBetween(terminal: HeadlessTerminal, start: BufferPosition, end: BufferPosition): string {
  const b = terminal.buffer.active;
  let out = '';
  for (let y = start.y; y <= end.y; y++) {
    const line = b.getLine(y);
    if (!line) continue;
    const from = y === start.y ? start.x : 0;
    const to = y === end.y ? end.x : terminal.cols;
    if (y > start.y && !line.isWrapped) out += '\n';
    out += line.translateToString(y !== end.y, from, to);
  }
  return out;
}
