// Decides, at generation time, whether a gitleaks rule's match always starts with one of its
// keywords (tools/gitleaks/generate.ts). gitleaks' semi-generic rules are `<identifiers>
// <separator> <secret>`; once their lazy lead is cut, every match begins with an identifier,
// which is a keyword. Such a rule can be tried only AT each keyword hit (a sticky match)
// instead of scanning the text around it: the runtime's main saving (issue 13, throughput).
//
// The first group of the pattern is expanded into every string it can match (literals, small
// classes, `?`, nested alternations; case ignored, as keywords are). Anything else — a
// quantifier, a large class — means "not provably anchored", and the rule is scanned normally.

const LIMIT = 4096;

class Expander {
  pos = 0;
  constructor(private readonly src: string) {}

  private fail(): never {
    throw new Error('not enumerable');
  }

  // alternation := sequence ('|' sequence)*, up to ')' or the end
  alternation(): string[] {
    const out = [...this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos += 1;
      out.push(...this.sequence());
    }
    return out;
  }

  private sequence(): string[] {
    let acc = [''];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      let options = this.atom();
      if (this.src[this.pos] === '?') {
        this.pos += 1;
        options = [...options, ''];
      } else if (/[*+{]/.test(this.src[this.pos] ?? '')) {
        this.fail();
      }
      const next: string[] = [];
      for (const a of acc) for (const o of options) next.push(a + o);
      if (next.length > LIMIT) this.fail();
      acc = next;
    }
    return acc;
  }

  /** The strings the pattern's first element (a group) can match; it must not be optional. */
  firstGroup(): string[] {
    if (this.src[this.pos] !== '(') this.fail();
    const options = this.atom();
    if (/[?*{]/.test(this.src[this.pos] ?? '')) this.fail();
    return options;
  }

  private atom(): string[] {
    const c = this.src[this.pos] as string;
    if (c === '(') {
      const head = /^\((?:\?(?:[a-z]*-?[a-z]*:|P?<\w+>))?/.exec(this.src.slice(this.pos));
      this.pos += head?.[0].length ?? 1;
      const inner = this.alternation();
      if (this.src[this.pos] !== ')') this.fail();
      this.pos += 1;
      return inner;
    }
    if (c === '[') {
      const m = /^\[([^\]\\^]{1,12})\]/.exec(this.src.slice(this.pos));
      if (m === null) this.fail();
      this.pos += m[0].length;
      const members = new Set<string>();
      const body = m[1] as string;
      for (let i = 0; i < body.length; i++) {
        if (body[i + 1] === '-' && i + 2 < body.length) {
          for (let k = body.charCodeAt(i); k <= body.charCodeAt(i + 2); k++) members.add(String.fromCharCode(k).toLowerCase());
          i += 2;
        } else {
          members.add((body[i] as string).toLowerCase());
        }
      }
      if (members.size > 12) this.fail();
      return [...members];
    }
    if (c === '\\') {
      const e = this.src[this.pos + 1] ?? '';
      if (/[A-Za-z0-9]/.test(e)) this.fail(); // \b, \w, \d …: not a literal
      this.pos += 2;
      return [e];
    }
    if ('.^$*+?{}'.includes(c)) this.fail();
    this.pos += 1;
    return [c.toLowerCase()];
  }
}

/** Whether every match of the (lead-stripped) RE2 pattern begins with one of the keywords. */
export function startsWithKeyword(re2: string, keywords: readonly string[]): boolean {
  let src = re2;
  if (src.startsWith('(?i)')) src = src.slice(4);
  else if (src.startsWith('(?i:')) src = src.slice(4); // the group's own ')' ends the expansion below
  if (!src.startsWith('(')) return false;
  try {
    const first = new Expander(src).firstGroup();
    return first.length > 0 && first.every((s) => keywords.some((k) => s.startsWith(k)));
  } catch {
    return false;
  }
}
