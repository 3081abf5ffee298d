// A command line is redacted as one line, not word by word (issue 13): `-p` `SECRET` are two
// argv elements, and only together do they say that the second is a password.
import { escapesWithin, stripEscapes, toOriginal } from './ansi';
import { engine } from './detectors';
import { addKinds, marker } from './engine';
import type { RedactionKinds } from './types';

/** Redacts an argv as the command line it forms; each element keeps its place, a secret's part in it becomes a marker. */
export function redactArgv(argv: readonly string[]): { value: string[]; count: number; kinds: RedactionKinds } {
  // Joined with blanks; an element with a blank is single-quoted so it stays one word.
  const parts: Array<{ start: number; end: number }> = [];
  let line = '';
  for (const arg of argv) {
    if (typeof arg !== 'string') throw new TypeError('redactArgv expects an array of strings');
    if (line !== '') line += ' ';
    const quote = /\s/.test(arg) && !arg.includes("'");
    const start = line.length + (quote ? 1 : 0);
    line += quote ? `'${arg}'` : arg;
    parts.push({ start, end: start + arg.length });
  }
  const clean = stripEscapes(line);
  // Spans in the joined line's own offsets (escape codes included), so they cut the elements exactly.
  const spans = engine().detect(clean.text).map((s) => ({ kind: s.kind, start: toOriginal(clean, s.start), end: toOriginal(clean, s.end - 1) + 1 }));
  const kinds: Record<string, number> = {};
  const counted = new Set<object>();
  const value = argv.map((arg, i) => {
    const { start, end } = parts[i] as { start: number; end: number };
    let out = '';
    let last = 0;
    for (const s of spans) {
      const a = Math.max(s.start, start) - start;
      const b = Math.min(s.end, end) - start;
      if (a >= b) continue;
      // A secret spanning two elements is counted once, at its first piece; later pieces just go.
      out += arg.slice(last, a) + (counted.has(s) ? '' : marker(s.kind)) + escapesWithin(arg, a, b);
      if (!counted.has(s)) addKinds(kinds, { [s.kind]: 1 });
      counted.add(s);
      last = b;
    }
    return last === 0 && out === '' ? arg : out + arg.slice(last);
  });
  return { value, count: counted.size, kinds: Object.freeze(kinds) };
}
