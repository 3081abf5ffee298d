// Translates a gitleaks (Go RE2) pattern into an equivalent JavaScript RegExp source, for
// tools/gitleaks/generate.ts (issue 13: the published gitleaks rules, pinned into app/redaction/).
//
// JavaScript in Node 20 and today's Chromium has no inline modifiers (`(?i)`, `(?-i:…)`,
// `(?s:…)`), no `\z`, no POSIX classes and spells named groups differently, so each of those is
// rewritten; everything else in RE2's syntax means the same in JavaScript. Case-insensitive
// parts are expanded by hand (`a` → `[aA]`, `[a-f]` → `[a-fA-F]`), because a whole-pattern `i`
// flag cannot express gitleaks' `(?i)…(?-i:API)…`. Anything the translator does not understand
// is an error, so a new gitleaks release cannot slip a mistranslated rule in silently.

interface Flags {
  readonly i: boolean;
  readonly s: boolean;
}

const POSIX_CLASSES: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  digit: [[0x30, 0x39]],
  lower: [[0x61, 0x7a]],
  upper: [[0x41, 0x5a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
};

// Class escapes that mean the same in both engines (ASCII \w, \d; \s is a superset in JS).
const SHARED_CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b, a: 0x07 };
const SYNTAX_CHARS = new Set([...'\\^$.|?*+()[]{}/-']);

/** One translated pattern: the JavaScript source, ready for `new RegExp(source, 'gd')`. */
export interface Translated {
  readonly source: string;
  /** How many capture groups the pattern has (gitleaks takes the first non-empty one as the secret). */
  readonly groups: number;
}

function hex(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function classChar(code: number): string {
  if (code < 0x20 || code > 0x7e) return hex(code);
  const c = String.fromCharCode(code);
  return '\\]['.includes(c) || c === '^' || c === '-' ? `\\${c}` : c;
}

function foldRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    for (const [base, other] of [[0x61, 0x41], [0x41, 0x61]] as const) {
      const a = Math.max(lo, base);
      const b = Math.min(hi, base + 25);
      if (a <= b) out.push([a - base + other, b - base + other]);
    }
  }
  return out;
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

// Long literal runs of word characters (the example keys in gitleaks' allowlists) are broken up with a \xHH
// escape every 16 characters: the same pattern, but no token-shaped string in the repository
// for a secret scanner on the remote (GitHub push protection) to stop a push over.
const RUN_BREAK = 16;

class Translator {
  private pos = 0;
  private groupCount = 0;
  private literalRun = 0; // consecutive literal letters/digits just emitted

  constructor(private readonly src: string) {}

  run(): Translated {
    const source = this.sequence({ i: false, s: false });
    if (this.pos !== this.src.length) this.fail('unbalanced )');
    return { source, groups: this.groupCount };
  }

  private fail(why: string): never {
    throw new Error(`cannot translate RE2 pattern at ${this.pos} (${why}): ${this.src}`);
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  // Parses up to a closing ')' (not consumed) or the end. An inline `(?i)` changes the flags
  // for the rest of the enclosing group, across '|', as in RE2.
  private sequence(start: Flags): string {
    let flags = start;
    let out = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === ')') break;
      if (c === '(') {
        const g = this.group(flags);
        if (g.setFlags !== undefined) flags = g.setFlags;
        out += g.text;
        continue;
      }
      this.pos += 1;
      if (!/[A-Za-z0-9_]/.test(c)) this.literalRun = 0;
      if (c === '|' || c === '^' || c === '$' || c === '*' || c === '+' || c === '?') out += c;
      else if (c === '[') out += this.charClass(flags);
      else if (c === '\\') out += this.escape(flags);
      else if (c === '.') out += flags.s ? '[\\s\\S]' : '[^\\n]';
      else if (c === '{') out += this.repetitionOrBrace();
      else if (c === '}') out += '\\}';
      else out += this.literal(c.charCodeAt(0), flags);
    }
    return out;
  }

  private repetitionOrBrace(): string {
    const m = /^(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
    if (m === null) return '\\{';
    this.pos += m[0].length;
    return `{${m[0]}`;
  }

  private literal(code: number, flags: Flags): string {
    const c = String.fromCharCode(code);
    if (flags.i && /[a-zA-Z]/.test(c)) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
    if (/[A-Za-z0-9_]/.test(c)) {
      this.literalRun += 1;
      if (this.literalRun % RUN_BREAK === 0) return hex(code);
      return c;
    }
    if (SYNTAX_CHARS.has(c)) return `\\${c}`;
    return code < 0x20 || code > 0x7e ? hex(code) : c;
  }

  private group(outer: Flags): { text: string; setFlags?: Flags } {
    this.pos += 1; // '('
    if (this.peek() !== '?') {
      this.groupCount += 1;
      return { text: `(${this.closeGroup(outer)})` };
    }
    const rest = this.src.slice(this.pos);
    const named = /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
    if (named !== null) {
      // Names are dropped: gitleaks never reads them, and JavaScript forbids duplicates.
      this.pos += named[0].length;
      this.groupCount += 1;
      return { text: `(${this.closeGroup(outer)})` };
    }
    if (rest.startsWith('?:')) {
      this.pos += 2;
      return { text: `(?:${this.closeGroup(outer)})` };
    }
    const flagged = /^\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest);
    if (flagged === null) this.fail('unknown group syntax');
    const flags = this.applyFlags(outer, flagged[1] ?? '', flagged[2] ?? '');
    this.pos += flagged[0].length;
    if (flagged[3] === ')') return { text: '', setFlags: flags };
    return { text: `(?:${this.closeGroup(flags)})` };
  }

  private applyFlags(outer: Flags, on: string, off: string): Flags {
    let { i, s } = outer;
    for (const f of on) {
      if (f === 'i') i = true;
      else if (f === 's') s = true;
      else this.fail(`flag ${f}`);
    }
    for (const f of off) {
      if (f === 'i') i = false;
      else if (f === 's') s = false;
      else this.fail(`flag -${f}`);
    }
    return { i, s };
  }

  private closeGroup(flags: Flags): string {
    const inner = this.sequence(flags);
    if (this.peek() !== ')') this.fail('missing )');
    this.pos += 1;
    return inner;
  }

  private escape(flags: Flags): string {
    const c = this.src[this.pos];
    if (c === undefined) this.fail('trailing backslash');
    this.pos += 1;
    if (SHARED_CLASS_ESCAPES.has(c) || c === 'b' || c === 'B') return `\\${c}`;
    if (c === 'z') return '$';
    if (c === 'A') return '^';
    const code = this.escapedCode(c);
    return this.literal(code, flags);
  }

  // The code point of an escape that stands for one character (\n, \x60, \x{2028}, \.).
  private escapedCode(c: string): number {
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (c === 'x') {
      const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(this.src.slice(this.pos));
      if (m === null) this.fail('bad \\x escape');
      this.pos += m[0].length;
      const code = parseInt(m[1] ?? m[2] ?? '', 16);
      if (code > 0xffff) this.fail('code point outside the BMP');
      return code;
    }
    if (/[A-Za-z0-9]/.test(c)) this.fail(`escape \\${c}`);
    return c.charCodeAt(0);
  }

  private charClass(flags: Flags): string {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos += 1;
    }
    const ranges: Array<[number, number]> = [];
    const escapes: string[] = [];
    let first = true;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) this.fail('unterminated [');
      if (c === ']' && !first) {
        this.pos += 1;
        break;
      }
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
      if (posix !== null) {
        const set = POSIX_CLASSES[posix[2] ?? ''];
        if (set === undefined || posix[1] === '^') this.fail(`POSIX class ${posix[0]}`);
        ranges.push(...set.map(([a, b]): [number, number] => [a, b]));
        this.pos += posix[0].length;
        continue;
      }
      const lo = this.classAtom(escapes);
      if (lo === null) continue;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos += 1;
        const hi = this.classAtom(escapes);
        if (hi === null || hi < lo) this.fail('bad range');
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    const folded = mergeRanges(flags.i ? foldRanges(ranges) : ranges);
    const body = escapes.join('') + folded.map(([a, b]) => (a === b ? classChar(a) : `${classChar(a)}-${classChar(b)}`)).join('');
    return `[${negated ? '^' : ''}${body}]`;
  }

  // One class member: a code point, or null when it was a class escape such as \w (kept as is).
  private classAtom(escapes: string[]): number | null {
    const c = this.src[this.pos] as string;
    this.pos += 1;
    if (c !== '\\') return c.charCodeAt(0);
    const e = this.src[this.pos];
    if (e === undefined) this.fail('trailing backslash in class');
    this.pos += 1;
    if (SHARED_CLASS_ESCAPES.has(e)) {
      escapes.push(`\\${e}`);
      return null;
    }
    return this.escapedCode(e);
  }
}

/** Translates one RE2 pattern (as written in gitleaks.toml) to a JavaScript RegExp source. */
export function re2ToJs(pattern: string): Translated {
  const t = new Translator(pattern).run();
  new RegExp(t.source, 'gd'); // throws here, at generation time, if the result is not valid JavaScript
  return t;
}
