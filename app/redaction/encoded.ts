// Credentials wrapped in base64, decoded and checked (issue 13): a registry `auth` entry in a
// docker config, a kubeconfig's `client-key-data`, a bare `Basic` credential, a base64 PEM key
// anywhere, base64 JSON (a `.dockerconfigjson`, an ECR login token), and every value of a
// Kubernetes Secret manifest. A payload is decoded and searched with the same rules (nested up
// to the engine's depth), so ordinary base64 — a certificate, an image layer — stays as it is.
import type { DetectContext, Detector, Span } from './types';

/** Decodes standard base64 (blanks and JSON `\n` ignored) to a binary string, or null. */
export function decodeBase64(encoded: string): string | null {
  const compact = encoded.replace(/\\n|\s+/g, '');
  if (compact.length < 8 || compact.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  try {
    return atob(compact.padEnd(compact.length + ((4 - (compact.length % 4)) % 4), '='));
  } catch {
    return null;
  }
}

/** Whether a decoded payload is text (at least 95% printable ASCII or blanks). */
export function isText(decoded: string): boolean {
  let printable = 0;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) printable += 1;
  }
  return decoded.length > 0 && printable >= decoded.length * 0.95;
}

const isUserPass = (d: string | null): boolean => d !== null && isText(d) && /^[^:\r\n]+:[^\r\n]+$/.test(d);

// What a decoded payload holds, as a kind; null when it holds no secret.
function nestedKind(ctx: DetectContext, decoded: string | null): string | null {
  if (decoded === null || !isText(decoded)) return null;
  if (/"datakey"\s*:/.test(decoded) && /"payload"\s*:/.test(decoded)) return 'aws-ecr-token';
  const inner = ctx.detectNested(decoded);
  const first = inner[0];
  return first === undefined ? null : `base64-${first.kind.replace(/^base64-/, '')}`;
}

interface DecodedRule {
  readonly keywords: readonly string[];
  readonly re: RegExp; // flags "gd", a group named "secret"
  readonly rank: number;
  readonly window?: Detector['window'];
  /** The kind of a candidate, or null to leave it. */
  classify(secret: string, ctx: DetectContext, m: RegExpExecArray): string | null;
}

function decodedDetector(rule: DecodedRule): Detector {
  return {
    keywords: rule.keywords,
    ...(rule.window === undefined ? {} : { window: rule.window }),
    scan(ctx: DetectContext, start: number, end: number, out: Span[]): void {
      const sub = ctx.text.slice(start, end);
      rule.re.lastIndex = 0;
      for (let m = rule.re.exec(sub); m !== null; m = rule.re.exec(sub)) {
        const range = m.indices?.groups?.['secret'];
        if (range === undefined) continue;
        const kind = rule.classify(sub.slice(range[0], range[1]), ctx, m);
        if (kind !== null) out.push({ start: start + range[0], end: start + range[1], kind, rank: rule.rank });
      }
    },
  };
}

const BLOCK_WINDOW = { linesAfter: 400, before: 256, after: 65536 };
const B64 = String.raw`[A-Za-z0-9+/]`;

// Every value under `data:` / `stringData:` of a Kubernetes Secret (YAML or JSON): base64 of a
// secret is the secret (gitleaks' own kubernetes-secret-yaml rule needs a file name).
const YAML_DATA_BLOCK = /^([ \t]*)(?:- )?(?:data|stringData):[ \t]*\r?\n((?:\1[ \t]+[^\r\n]*\r?\n?)+)/gm;
const YAML_ENTRY = /^[ \t]+[\w.-]+:[ \t]*(?<v>[^\s#][^\r\n]*?)[ \t]*\r?$/dgm;
const JSON_DATA_BLOCK = /"(?:data|stringData)"[ \t]*:[ \t]*\{([^{}]*)\}/g;
const JSON_ENTRY = /"[\w.-]+"[ \t]*:[ \t]*"(?<v>(?:[^"\\\r\n]|\\.)+)"/dg;

function secretManifest(ctx: DetectContext, start: number, end: number, out: Span[]): void {
  const sub = ctx.text.slice(start, end);
  if (!/\bkind"?[ \t]*:[ \t]*"?Secret\b/.test(sub)) return;
  for (const [block, entry] of [[YAML_DATA_BLOCK, YAML_ENTRY], [JSON_DATA_BLOCK, JSON_ENTRY]] as const) {
    block.lastIndex = 0;
    for (let b = block.exec(sub); b !== null; b = block.exec(sub)) {
      const body = b[b.length - 1] ?? '';
      const base = start + b.index + b[0].lastIndexOf(body);
      entry.lastIndex = 0;
      for (let e = entry.exec(body); e !== null; e = entry.exec(body)) {
        const r = e.indices?.groups?.['v'];
        const v = e.groups?.['v'] ?? '';
        if (r !== undefined && !v.startsWith('[REDACTED:') && v !== '""' && v !== "''") out.push({ start: base + r[0], end: base + r[1], kind: 'kubernetes-secret-data', rank: 10 });
      }
    }
  }
}

// Wrapped lines are full width (64 or 76) but the last, which must end the token.
const PEM_BLOCK = new RegExp(
  String.raw`(?<![A-Za-z0-9+/])LS0tLS1CRUdJT${B64}*={0,2}(?:(?:\r?\n|\\n)[ \t]*${B64}{60,}={0,2})*(?:(?:\r?\n|\\n)[ \t]*${B64}{1,59}={0,2}(?![A-Za-z0-9+/=_-]))?`,
  'g',
);
const LINE_BREAK = /\r?\n|\\n/g;
const PEM_END = /-----END [A-Z0-9 ]+-----\s*$/;
/** Lines of a block that are tried without, when what follows a key is not part of it. */
const PEM_BACK_OFF = 3;

// A base64 PEM block ends at its padding, and a line after it may be other output (a token on
// the next line): the block is cut after its first padded line, and up to PEM_BACK_OFF trailing
// lines are dropped until the rest decodes to a whole block (its END line last). Without that, the next line made the block
// undecodable and the key was left in the text, until a second pass (with that line redacted)
// found it: redaction must find everything the first time.
function base64PemBlocks(ctx: DetectContext, start: number, end: number, out: Span[]): void {
  const sub = ctx.text.slice(start, end);
  PEM_BLOCK.lastIndex = 0;
  for (let m = PEM_BLOCK.exec(sub); m !== null; m = PEM_BLOCK.exec(sub)) {
    const ends: number[] = []; // the end of each line of the block, in the block
    LINE_BREAK.lastIndex = 0;
    for (let b = LINE_BREAK.exec(m[0]); b !== null; b = LINE_BREAK.exec(m[0])) ends.push(b.index);
    ends.push(m[0].length);
    const padded = ends.findIndex((e) => m[0][e - 1] === '=');
    if (padded >= 0) ends.length = padded + 1;
    // The longest prefix that decodes to a whole PEM block (it ends with its END line), else the
    // longest that decodes to text at all (a block cut short in the output).
    let chosen: { end: number; decoded: string } | null = null;
    for (let k = ends.length - 1; k >= Math.max(0, ends.length - 1 - PEM_BACK_OFF); k--) {
      const decoded = decodeBase64(m[0].slice(0, ends[k]));
      if (decoded === null || !isText(decoded)) continue;
      const whole = PEM_END.test(decoded);
      if (whole || chosen === null) chosen = { end: ends[k] as number, decoded };
      if (whole) break;
    }
    if (chosen === null) continue;
    const kind = nestedKind(ctx, chosen.decoded);
    if (kind !== null) out.push({ start: start + m.index, end: start + m.index + chosen.end, kind, rank: 10 });
  }
}

/** The base64 detectors. */
export const ENCODED_DETECTORS: readonly Detector[] = [
  decodedDetector({
    // ~/.docker/config.json: "auths": { "registry": { "auth": base64("user:password") } }
    keywords: ['"auth"', 'auth:', 'auth='], rank: 10,
    re: new RegExp(String.raw`(?<![\w-])"?auth"?[ \t]*[:=][ \t]*["']?(?<secret>${B64}{6,}={0,2})(?![A-Za-z0-9+/=])`, 'dg'),
    classify: (s) => (isUserPass(decodeBase64(s)) ? 'docker-registry-auth' : null),
  }),
  decodedDetector({
    // A Basic credential outside an Authorization header (logs, tables, HAR files).
    keywords: ['basic'], rank: 20,
    re: new RegExp(String.raw`(?<![\w-])basic[ \t]+(?<secret>${B64}{8,}={0,2})(?![A-Za-z0-9+/=])`, 'dgi'),
    classify: (s) => (isUserPass(decodeBase64(s)) ? 'basic-auth' : null),
  }),
  decodedDetector({
    // kubeconfig `client-key-data` (any `*key-data`): a private key by name, decoded to say which.
    keywords: ['key-data'], rank: 10,
    re: new RegExp(String.raw`(?<![\w-])(?<name>[\w-]*key)-data["']?[ \t]*:[ \t]*["']?(?<secret>${B64}{16,}={0,2})`, 'dgi'),
    classify: (s, ctx, m) => {
      if (/public/i.test(m.groups?.['name'] ?? '')) return null;
      return nestedKind(ctx, decodeBase64(s)) ?? 'kubeconfig-key-data';
    },
  }),
  {
    // base64("-----BEGIN …"), wrapped at any width: kept when it decodes to a certificate.
    keywords: ['ls0tls1crudjt'], window: BLOCK_WINDOW,
    scan: base64PemBlocks,
  },
  decodedDetector({
    // base64 JSON (`{"…` = eyJ) that is not a JWT: a .dockerconfigjson, an ECR token, a key file.
    keywords: ['eyj'], rank: 10,
    re: new RegExp(String.raw`(?<![A-Za-z0-9+/=._-])(?<secret>eyJ${B64}{16,}={0,2})(?![A-Za-z0-9+/=._-])`, 'dg'),
    classify: (s, ctx) => nestedKind(ctx, decodeBase64(s)),
  }),
  {
    keywords: ['kind: secret', '"kind": "secret"', '"kind":"secret"'],
    window: { linesBefore: 200, linesAfter: 200, before: 65536, after: 65536 },
    scan: secretManifest,
  },
];
