// Values by key name (issue 13): `KEY=value` in env files, `key: value` in YAML, `"key": "v"` in
// JSON (also JSON-escaped inside a string), `key = v` in INI/TOML/HCL, `:key => v` in Ruby/PHP,
// Go's `:=`, and flags with a blank (`--password Sup3r`, `-storepass x`). Also YAML block scalars
// (`password: |` and the lines under it) and JSON arrays of secrets (`"unseal_keys_b64": [...]`).
//
// Performance rule (command output can be megabytes): the key is matched as a whole identifier
// and tested afterwards, because "any identifier ending in a keyword" inside one regex would
// backtrack quadratically over long identifier runs; and no pattern has nested quantifiers over
// overlapping classes.
import { isPlaceholderValue, isProseWord, isSecretKeyName } from './secretNames';
import type { DetectContext, Detector, Span } from './types';

const KIND = 'assignment';
const RANK = 50;

/** Keywords that every secret key name contains (see secretNames.ts). */
export const SECRET_NAME_KEYWORDS: readonly string[] = [
  'pass', 'pwd', 'secret', 'token', 'key', 'psk', 'salt', 'credential', 'cookie', 'signature', 'otp',
  'basic_auth', 'basic-auth', 'basicauth', 'http_auth', 'http-auth', 'httpauth', 'proxy_auth', 'proxy-auth', 'proxyauth',
];

// Group 1/2: key and separator of an assignment; group 3/4: a flag and the blank after it. A key
// right after `word:` is a segment of an ARN or a URN (`…:secret:orders/db`), not a key; a Ruby
// symbol (` :password =>`) still is.
const KEY_AND_SEP =
  /(?<![A-Za-z0-9_.-])(?<![A-Za-z0-9_.-]:)(?:(-{0,2}[A-Za-z_][A-Za-z0-9_.-]*)(\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*)|(--?[A-Za-z_][A-Za-z0-9_.-]*)([ \t]+))/g;

// The value after the separator: JSON-escaped quotes, double quotes (with escapes), single
// quotes (closing quote optional, so a cut-off value is still taken), or a bare word. A bare
// word stops at blanks, quotes and commas; ';' and '&' end it only where the next `key=` of a
// query or connection string starts (or at a blank/the end), so `Password=Pa55;w0rd` is taken
// whole while `token=x&state=y` keeps `state`. It never starts with '[' and stops before
// "[REDACTED:", so markers are left alone.
const BARE_CHAR = String.raw`[^\s"'\x60,;&}<>[]`;
const BARE_VALUE =
  String.raw`[^\s"'\x60,;&{}<>()|[\]]${BARE_CHAR}*` +
  String.raw`(?:(?:[;&](?![A-Za-z_][\w .-]*=|[\s"']|$)|\[(?!REDACTED:))${BARE_CHAR}*)*`;
const VALUE = new RegExp(
  String.raw`\\"(?<esc>[^"\\\r\n]*)(?:\\")?|"(?<dq>[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*)"?|'(?<sq>[^'\r\n]*)'?|(?<bare>${BARE_VALUE})`,
  'y',
);

const ONLY_MARKERS = /^\s*\[REDACTED:[a-z0-9-]+\](?:\s*\[REDACTED:[a-z0-9-]+\])*\s*$/;
const BLOCK_SCALAR = /[|>][-+]?[ \t]*(?:#[^\n]*)?(?=\r?\n)/y;
const ARRAY_OPEN = /\[[ \t]*(?=["'\r\n])/y;
const ARRAY_ITEM = /[\s,]*(?:"((?:[^"\\\r\n]|\\.)*)"|'([^'\r\n]*)')/y;
const ARRAY_KEYS = /(?:unseal|recovery)[_-]?keys?(?:[_-]?(?:b64|hex|base64))?$|(?:passwords|secrets|tokens|api[_-]?keys)$/i;

function lineIndent(text: string, at: number): number {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let i = start;
  while (text[i] === ' ' || text[i] === '\t') i += 1;
  return i - start;
}

// `password: |` — the secret is the following lines indented deeper than the key.
function blockScalar(text: string, valueStart: number, keyAt: number, end: number): [number, number] | null {
  BLOCK_SCALAR.lastIndex = valueStart;
  const m = BLOCK_SCALAR.exec(text);
  if (m === null) return null;
  const indent = lineIndent(text, keyAt);
  let pos = text.indexOf('\n', valueStart) + 1;
  const from = pos;
  let to = from;
  while (pos > 0 && pos < end) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 ? text.length : nl;
    const line = text.slice(pos, lineEnd);
    if (line.trim() !== '' && lineIndent(text, pos) <= indent) break;
    if (line.trim() !== '') to = lineEnd;
    pos = nl === -1 ? -1 : nl + 1;
  }
  return to > from ? [from, to] : null;
}

// `"unseal_keys_b64": ["…", "…"]` — each string of the array.
function arrayItems(text: string, valueStart: number, out: Span[]): boolean {
  ARRAY_OPEN.lastIndex = valueStart;
  if (ARRAY_OPEN.exec(text) === null) return false;
  let pos = ARRAY_OPEN.lastIndex;
  for (;;) {
    ARRAY_ITEM.lastIndex = pos;
    const m = ARRAY_ITEM.exec(text);
    if (m === null) break;
    const inner = m[1] ?? m[2] ?? '';
    const innerEnd = ARRAY_ITEM.lastIndex - 1;
    if (inner !== '' && !ONLY_MARKERS.test(inner)) out.push({ start: innerEnd - inner.length, end: innerEnd, kind: KIND, rank: RANK });
    pos = ARRAY_ITEM.lastIndex;
  }
  return true;
}

// Spans are pushed relative to `text` (a window, one line); a YAML block scalar's lines are
// read from `whole` after the window, `offset` being where the window starts in it.
function scanAssignments(text: string, whole: string, offset: number, out: Span[], firstOnly = false): void {
  KEY_AND_SEP.lastIndex = 0;
  for (let m = KEY_AND_SEP.exec(text); m !== null; m = firstOnly ? null : KEY_AND_SEP.exec(text)) {
    const isFlag = m[3] !== undefined;
    const key = (isFlag ? m[3] : m[1]) ?? '';
    // Test the key before reading the value: reading a long value after every ordinary key
    // (`a=a=a=…`) would make the scan quadratic.
    if (!isSecretKeyName(key)) continue;
    const valueStart = KEY_AND_SEP.lastIndex;
    if (!isFlag) {
      const block = blockScalar(whole, offset + valueStart, offset + m.index, whole.length);
      if (block !== null) {
        out.push({ start: block[0] - offset, end: block[1] - offset, kind: KIND, rank: RANK });
        KEY_AND_SEP.lastIndex = text.length;
        continue;
      }
    }
    VALUE.lastIndex = valueStart;
    const v = VALUE.exec(text);
    if (v === null || v.groups === undefined) continue;
    const g = v.groups;
    const inner = g['esc'] ?? g['dq'] ?? g['sq'] ?? g['bare'] ?? '';
    // A flag followed by another flag has no value (`--token --verbose`); resume right after
    // the first flag so the second one is still examined.
    if (isFlag && g['bare'] !== undefined && inner.startsWith('-')) continue;
    const innerStart = valueStart + (g['esc'] !== undefined ? 2 : g['bare'] !== undefined ? 0 : 1);
    const innerEnd = innerStart + inner.length;
    const bytesFollow = /^\d+$/.test(inner) && text.startsWith(' bytes', innerEnd); // kubectl describe secret
    if (ONLY_MARKERS.test(inner) || isPlaceholderValue(key, inner) || bytesFollow || (g['bare'] !== undefined && isProseWord(inner))) {
      KEY_AND_SEP.lastIndex = VALUE.lastIndex; // skip the value: rescanning it could be quadratic
      continue;
    }
    out.push({ start: innerStart, end: innerEnd, kind: KIND, rank: RANK });
    KEY_AND_SEP.lastIndex = innerEnd;
  }
}

const isIdentChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x2d;
// After a key: the separator of an assignment (group 1), or the blank after a flag (group 2).
const SEP_AT = /(\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*)|([ \t]+)/y;
const KEY_SHAPE = /^-{0,2}[A-Za-z_]/;
const IDENT_REACH = 128;

/** Where the identifier holding offset `p` starts (at most IDENT_REACH characters back): the key's start for assignmentAt. */
export function keyStartAt(text: string, p: number): number {
  let s = p;
  const lo = Math.max(0, p - IDENT_REACH);
  while (s > lo && isIdentChar(text.charCodeAt(s - 1))) s -= 1;
  return s;
}

/**
 * The assignment whose key starts at `s` (keyStartAt) and holds the keyword hit at `p`, if its
 * key names a secret: the same rules as the window scan (scanAssignments), tried only where a
 * keyword is (issue 13, throughput). Several hits in one key need only one try.
 */
export function assignmentAt(ctx: DetectContext, s: number, p: number, out: Span[]): void {
  const text = ctx.text;
  if (s > 1 && text[s - 1] === ':' && isIdentChar(text.charCodeAt(s - 2))) return; // an ARN segment
  let e = p;
  const hi = Math.min(text.length, p + IDENT_REACH);
  while (e < hi && isIdentChar(text.charCodeAt(e))) e += 1;
  // Cheap first: what follows must open a separator (`:`/`=` after blanks, or a blank after a flag).
  let k = e;
  while (k < hi + 16 && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k += 1;
  const next = text.charCodeAt(k);
  const opens = next === 0x3a || next === 0x3d || (k === e && (next === 0x22 || next === 0x27 || next === 0x5c));
  if (!opens && !(k > e && text.charCodeAt(s) === 0x2d)) return;
  const key = text.slice(s, e);
  if (!KEY_SHAPE.test(key) || !isSecretKeyName(key)) return;
  SEP_AT.lastIndex = e;
  const sep = SEP_AT.exec(text);
  if (sep === null) return;
  const isFlag = sep[1] === undefined;
  if (isFlag && !key.startsWith('-')) return;
  // The window scan's rules for this one key: from the character before it (its lookbehind) to
  // the end of its line (offsets then map back).
  const from = Math.max(0, s - 1);
  const found: Span[] = [];
  scanAssignments(text.slice(from, ctx.lines.endWithin(e, 16384)), text, from, found, true);
  for (const f of found) out.push({ ...f, start: f.start + from, end: f.end + from });
}

// `"unseal_keys_b64": [` — every string of the array (one per line in pretty JSON). Tried at
// each keyword hit only: the key ends with the keyword (and an encoding suffix).
const AFTER_ARRAY_KEY = /(?:[_-]?(?:b64|hex|base64))?["']?[ \t]*[:=][ \t]*(?=\[)/y;
const ARRAY_KEYWORDS = ['unseal_keys', 'recovery_keys', 'unseal-keys', 'recovery-keys', 'passwords', 'secrets', 'tokens', 'api_keys'];
const LONGEST_ARRAY_KEYWORD = Math.max(...ARRAY_KEYWORDS.map((k) => k.length));

/** Arrays of secrets under a plural secret key (Vault's unseal and recovery keys). */
export const SECRET_ARRAYS: Detector = {
  keywords: ARRAY_KEYWORDS,
  scan(): void {
    // Only scanHits is used: the engine always has hits for a detector with keywords.
  },
  scanHits(ctx: DetectContext, hits: ArrayLike<number>, out: Span[]): void {
    const text = ctx.text;
    for (let h = 0; h < hits.length; h++) {
      const p = hits[h] as number;
      const head = text.slice(p, p + LONGEST_ARRAY_KEYWORD).toLowerCase();
      const word = ARRAY_KEYWORDS.find((k) => head.startsWith(k));
      if (word === undefined) continue;
      AFTER_ARRAY_KEY.lastIndex = p + word.length;
      if (AFTER_ARRAY_KEY.exec(text) === null) continue;
      const keyStart = text.slice(Math.max(0, p - 64), p).search(/[\w.-]*$/) + Math.max(0, p - 64);
      if (!ARRAY_KEYS.test(text.slice(keyStart, AFTER_ARRAY_KEY.lastIndex).replace(/["'\s:=]+$/, ''))) continue;
      arrayItems(text, AFTER_ARRAY_KEY.lastIndex, out);
    }
  },
};

/** Values of secret-named keys and flags (the window form; the engine uses the hit form, assignmentAt). */
export const ASSIGNMENTS: Detector = {
  keywords: SECRET_NAME_KEYWORDS,
  window: { linesAfter: 0, before: 1024, after: 8192 },
  scan(ctx: DetectContext, start: number, end: number, out: Span[]): void {
    const found: Span[] = [];
    scanAssignments(ctx.text.slice(start, end), ctx.text, start, found);
    for (const s of found) out.push({ ...s, start: s.start + start, end: s.end + start });
  },
};
