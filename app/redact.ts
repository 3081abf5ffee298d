// Secret redaction for everything that reaches the evidence ledger (procedure.md §7:
// "Secrets are redacted before anything is written"). The ledger is append-only and
// pushed to a shared remote, so a secret that slips through cannot be taken back:
// the patterns lean towards over-redaction, and the record keeps only a count.
//
// Performance rule for every pattern below (command output can be megabytes): no
// nested quantifiers over overlapping classes. Loops are "unrolled" (`a*(?:b a*)*`
// with disjoint a and b) and every start is anchored by a literal or a lookbehind,
// so the work stays linear in the input.

/** The redacted text and how many secrets were replaced; only the count is ever recorded. */
export interface RedactionResult {
  text: string;
  count: number;
}

type Groups = Readonly<Record<string, string | undefined>>;

// A rule's regex is global and covers its match with the named groups `pre` (kept),
// `secret` (replaced) and `post` (kept); lookarounds supply the context without consuming it.
interface Rule {
  readonly kind: string | ((groups: Groups) => string);
  readonly re: RegExp;
}

const marker = (kind: string): string => `[REDACTED:${kind}]`;

// Text made only of markers (and blanks) is already redacted; matching it again would
// break idempotence and inflate the count.
const ONLY_MARKERS = /^\s*\[REDACTED:[a-z0-9-]+\](?:\s*\[REDACTED:[a-z0-9-]+\])*\s*$/;

// Key/value separators seen in env files, YAML, JSON (also JSON escaped inside a string),
// Go's `:=`, and a bare space for CLI arguments such as `aws configure set KEY VALUE`.
const LABEL_SEP = String.raw`\\?["']?(?:[ \t]*(?::=|=|:)[ \t]*|[ \t]+)\\?["']?`;

// PEM labels: RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP … PRIVATE KEY (BLOCK).
const PEM_LABEL = String.raw`(?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?`;

// Bodies may be real multi-line text or JSON-escaped (`\n`). The first alternative runs
// to the matching END but never across another BEGIN/END line; the second handles a key
// cut off before its END line (truncated output) by taking the base64/header characters.
const PEM_BODY_TO_END = String.raw`[^-]*(?:-(?!----(?:BEGIN|END) )[^-]*)*-----END ${PEM_LABEL}-----`;
const PEM_BODY_TRUNCATED = String.raw`[A-Za-z0-9+/=\s\\:,]*(?:-(?!----)[A-Za-z0-9+/=\s\\:,]*)*`;

const AUTH_SCHEMES = 'bearer|basic|token|digest|negotiate|ntlm|sharedaccesssignature';

// Order matters: whole blocks before the lines inside them, provider-specific shapes
// before generic `key=value`, so each secret is counted once under its most precise kind.
const RULES: readonly Rule[] = [
  {
    // GCP service-account JSON: the key sits JSON-escaped in "private_key"; take the whole string value.
    kind: 'gcp-service-account-key',
    re: /(?<pre>"private_key"[ \t]*:[ \t]*")(?<secret>-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[^"\\]*(?:\\.[^"\\]*)*)/g,
  },
  {
    kind: 'private-key',
    re: new RegExp(String.raw`(?<secret>-----BEGIN ${PEM_LABEL}-----(?:${PEM_BODY_TO_END}|${PEM_BODY_TRUNCATED}))`, 'g'),
  },
  {
    // The key id alone does not unlock anything, but it identifies which key leaked.
    kind: 'gcp-service-account-key',
    re: /(?<pre>"private_key_id"[ \t]*:[ \t]*")(?<secret>[0-9a-f]{40})(?=")/g,
  },
  {
    kind: 'aws-access-key',
    re: /(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])/g,
  },
  {
    // A bare 40-char base64 string is too common to redact unlabelled; the label makes it certain.
    kind: 'aws-secret-key',
    re: new RegExp(
      String.raw`(?<![A-Za-z0-9])(?<pre>(?:aws[_-]?)?secret[_-]?access[_-]?key${LABEL_SEP})(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'gi',
    ),
  },
  {
    kind: 'aws-session-token',
    re: new RegExp(String.raw`(?<![A-Za-z0-9])(?<pre>(?:aws[_-]?)?session[_-]?token${LABEL_SEP})(?<secret>[A-Za-z0-9/+=]{16,})`, 'gi'),
  },
  {
    kind: 'azure-connection-string',
    re: /(?<![A-Za-z0-9])(?<pre>(?:AccountKey|SharedAccessKey|SharedAccessSignature|SharedSecretValue)[ \t]*=[ \t]*)(?!\[REDACTED:)(?<secret>[^;\s"'<>]+)/gi,
  },
  {
    // The signature of an Azure SAS URL or token is what grants access.
    kind: 'azure-sas-token',
    re: /(?<pre>[?&;]sig=)(?<secret>[A-Za-z0-9%+/=_-]{16,})/g,
  },
  {
    kind: 'github-token',
    re: /(?<![A-Za-z0-9])(?<secret>gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g,
  },
  {
    kind: 'gitlab-token',
    re: /(?<![A-Za-z0-9])(?<secret>gl(?:pat|dt|rt|cbt|ptt|ft|imt|soat|oas|agent)-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+)*)/g,
  },
  {
    // Keep the host and path kind so the record still says a webhook was used.
    kind: 'slack-webhook',
    re: /(?<pre>https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)(?<secret>[A-Za-z0-9_/-]+)/g,
  },
  {
    kind: 'slack-token',
    re: /(?<![A-Za-z0-9])(?<secret>(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]{10,})/g,
  },
  {
    kind: 'jwt',
    re: /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)/g,
  },
  {
    // HTTP Authorization header in curl -v output, HAR files, code: keep the scheme, drop the credential.
    kind: (g) => (g['scheme']?.toLowerCase() === 'basic' ? 'basic-auth' : 'bearer-token'),
    re: new RegExp(
      String.raw`(?<![A-Za-z0-9_-])(?<pre>(?:proxy-)?authorization\\?["']?[ \t]*[:=][ \t]*\\?["']?(?:(?<scheme>${AUTH_SCHEMES})[ \t]+)?)` +
        String.raw`(?!\[REDACTED:)(?!(?:${AUTH_SCHEMES})(?![^\s"'\\,;]))(?<secret>[^\s"'\\,;\[\]]+)`,
      'gi',
    ),
  },
  {
    // A bare "Bearer <token>"; the token must look like one (long, with a digit) so prose
    // such as "Bearer bonds" is left alone.
    kind: 'bearer-token',
    re: /(?<![A-Za-z0-9_-])(?<pre>bearer[ \t]+)(?!\[REDACTED:)(?=[A-Za-z_.~+/-]*[0-9])(?<secret>[A-Za-z0-9_.~+/-]{12,}=*)/gi,
  },
  {
    // scheme://user:password@host: keep scheme, user and host. The password runs to the
    // last '@' before the path, so an unencoded '@' inside it does not leak the tail.
    kind: 'url-password',
    re: /(?<![A-Za-z0-9+.-])(?<pre>[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:/?#@"'<>[\]]*:)(?!\[REDACTED:)(?<secret>[^\s/?#"'<>]+)(?<post>@)/g,
  },
];

// Generic `key = value` assignments. The key is matched as a whole identifier and tested
// afterwards (SECRET_KEY), because "any identifier ending in a keyword" inside one regex
// would backtrack quadratically over long identifier runs. Group 1/2: key and separator of
// an assignment; group 3/4: a CLI flag and the blank after it (`--password foo`).
const KEY_AND_SEP =
  /(?<![A-Za-z0-9_.-])(?:(-{0,2}[A-Za-z_][A-Za-z0-9_.-]*)(\\?["']?[ \t]*(?::=|=|:)[ \t]*)|(--?[A-Za-z_][A-Za-z0-9_.-]*)([ \t]+))/g;

// The value after the separator: JSON-escaped quotes, double quotes (with escapes), single
// quotes (closing quote optional, so a cut-off value is still taken), or a bare word.
// A bare word stops at blanks, quotes and commas; ';' and '&' end it only where the next
// `key=` of a query or connection string starts (or at a blank/the end), so
// `Password=Pa55;w0rd` is taken whole while `token=x&state=y` keeps `state`. It never
// starts with '[' and stops before "[REDACTED:", so markers are left alone.
const BARE_CHAR = String.raw`[^\s"'\x60,;&}<>[]`;
const BARE_VALUE =
  String.raw`[^\s"'\x60,;&{}<>()|[\]]${BARE_CHAR}*` +
  String.raw`(?:(?:[;&](?![A-Za-z_][\w .-]*=|[\s"']|$)|\[(?!REDACTED:))${BARE_CHAR}*)*`;
const VALUE = new RegExp(
  String.raw`\\"(?<esc>[^"\\\r\n]*)(?:\\")?|"(?<dq>[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*)"?|'(?<sq>[^'\r\n]*)'?|(?<bare>${BARE_VALUE})`,
  'y',
);

// Keys whose value is a secret: password, passwd, pwd, passphrase, secret (client_secret,
// clientSecret), token (access_token, GITHUB_TOKEN), api_key / apikey / X-Api-Key,
// secret_key, private_key. Matched at the end of the key so DB_PASSWORD and dbPassword count.
const SECRET_KEY = /(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|secret[_-]?key|private[_-]?key)$/i;

// $PWD and $OLDPWD are the shell's working directories, not passwords: `env` dumps are
// common in break-glass output and the paths are useful evidence.
const SHELL_DIR_VARS = new Set(['PWD', 'OLDPWD']);

// Placeholders that carry no secret; redacting them would only add noise to the count.
const NON_SECRET_VALUES = /^(?:null|nil|none|undefined|true|false|~|\*+)$/i;

function isSecretKeyName(rawKey: string): boolean {
  const key = rawKey.replace(/^-+/, '');
  return !SHELL_DIR_VARS.has(key) && SECRET_KEY.test(key);
}

// `private_key: /etc/ssl/private/host.key` names a file; the file's content is not here.
function isKeyFilePath(key: string, value: string): boolean {
  return /private[_-]?key$/i.test(key) && /^(?:\/|~\/|\.\.?\/)/.test(value);
}

function redactAssignments(text: string): RedactionResult {
  let out = '';
  let last = 0;
  let count = 0;
  KEY_AND_SEP.lastIndex = 0;
  for (let m = KEY_AND_SEP.exec(text); m !== null; m = KEY_AND_SEP.exec(text)) {
    const isFlag = m[3] !== undefined;
    const key = (isFlag ? m[3] : m[1]) ?? '';
    // Test the key before reading the value: reading a long value after every ordinary
    // key (`a=a=a=…`) would make the scan quadratic.
    if (!isSecretKeyName(key)) continue;
    const valueStart = KEY_AND_SEP.lastIndex;
    VALUE.lastIndex = valueStart;
    const v = VALUE.exec(text);
    if (v === null || v.groups === undefined) continue;
    const g = v.groups;
    const inner = g['esc'] ?? g['dq'] ?? g['sq'] ?? g['bare'] ?? '';
    // A flag followed by another flag has no value (`--token --verbose`); resume right
    // after the first flag so the second one is still examined.
    if (isFlag && g['bare'] !== undefined && inner.startsWith('-')) continue;
    if (inner.trim() === '' || ONLY_MARKERS.test(inner) || NON_SECRET_VALUES.test(inner) || isKeyFilePath(key, inner)) {
      KEY_AND_SEP.lastIndex = VALUE.lastIndex; // skip the value: rescanning it could be quadratic
      continue;
    }
    const openLen = g['esc'] !== undefined ? 2 : g['bare'] !== undefined ? 0 : 1;
    const innerStart = valueStart + openLen;
    out += text.slice(last, innerStart) + marker('assignment');
    last = innerStart + inner.length;
    count += 1;
    KEY_AND_SEP.lastIndex = last;
  }
  return { text: count === 0 ? text : out + text.slice(last), count };
}

function applyRule(text: string, rule: Rule): RedactionResult {
  let count = 0;
  const replaced = text.replace(rule.re, (match: string, ...rest: unknown[]) => {
    const groups = rest[rest.length - 1] as Groups;
    const secret = groups['secret'];
    if (secret === undefined || secret === '' || ONLY_MARKERS.test(secret)) return match;
    count += 1;
    const kind = typeof rule.kind === 'string' ? rule.kind : rule.kind(groups);
    return (groups['pre'] ?? '') + marker(kind) + (groups['post'] ?? '');
  });
  return { text: count === 0 ? text : replaced, count };
}

/** Replaces every recognised secret in `text` with `[REDACTED:<kind>]` and counts the replacements. */
export function redactText(text: string): RedactionResult {
  if (typeof text !== 'string') throw new TypeError(`redactText expects a string, got ${typeof text}`);
  let current = text;
  let count = 0;
  for (const rule of RULES) {
    const r = applyRule(current, rule);
    current = r.text;
    count += r.count;
  }
  const a = redactAssignments(current);
  return { text: a.text, count: count + a.count };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Redacts every string inside plain objects and arrays (keys kept), returning a new value and the total count. */
export function redactDeep<T>(value: T): { value: T; count: number } {
  let count = 0;
  // Objects on the current path: a cycle cannot be serialised into a record, so it is a caller bug.
  const onPath = new Set<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = redactText(v);
      count += r.count;
      return r.text;
    }
    const isArray = Array.isArray(v);
    if (!isArray && !isPlainObject(v)) return v; // numbers, Dates, class instances: no free text to redact
    const obj = v as object;
    if (onPath.has(obj)) throw new TypeError('redactDeep: the value contains a cycle; evidence must be plain JSON-like data');
    onPath.add(obj);
    try {
      if (isArray) return (v as unknown[]).map(walk);
      const out = Object.create(Object.getPrototypeOf(obj) as object | null) as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        // defineProperty, not assignment: a "__proto__" key must stay a plain data property.
        Object.defineProperty(out, key, {
          value: walk((obj as Record<string, unknown>)[key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } finally {
      onPath.delete(obj);
    }
  };
  const redacted = walk(value) as T;
  return { value: redacted, count };
}
