// A command line is redacted as one line, not word by word (issue 13): `-p` `SECRET` are two
// argv elements, and only together do they say that the second is a password.
import { applySpans } from './engine';
import { ENGINE } from './detectors';
import { addKinds } from './deep';
import type { RedactionKinds, Span } from './types';

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
  const spans = ENGINE.detect(line);
  const kinds: Record<string, number> = {};
  const counted = new Set<Span>();
  const value = argv.map((arg, i) => {
    const { start, end } = parts[i] as { start: number; end: number };
    const local: Span[] = [];
    for (const s of spans) {
      const a = Math.max(s.start, start);
      const b = Math.min(s.end, end);
      if (a >= b) continue;
      // A secret spanning two elements is counted once, at its first piece.
      local.push({ ...s, start: a - start, end: b - start, ...(counted.has(s) ? { silent: true } : {}) });
      counted.add(s);
    }
    if (local.length === 0) return arg;
    const r = applySpans({ original: arg, text: arg, removed: null }, local);
    addKinds(kinds, r.kinds);
    return r.text;
  });
  return { value, count: counted.size, kinds: Object.freeze(kinds) };
}
