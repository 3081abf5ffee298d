// Secrets that tools print in structure rather than as `key=value` (issue 13): two-column
// tables (`vault kv get`, `vault read`, AWS CLI --output table), XML and .NET config elements,
// PHP define(), .netrc, Go MySQL DSNs, HTTP cookies, Terraform's sensitive outputs in JSON, and
// AWS SSM SecureString values.
import { SECRET_NAME_KEYWORDS } from './assignments';
import { patternDetector, type PatternRule } from './pattern';
import { isPlaceholderValue, isProseWord, isSecretKeyName } from './secretNames';
import type { DetectContext, Detector, Span } from './types';

const RANK_BY_NAME = 50;

const rule = (r: PatternRule): Detector => patternDetector(r);
const needs = (s: string, d: Detector): Detector => ({ ...d, needs: s });
const notPlaceholder = (key: string) => (secret: string) => !isPlaceholderValue(key, secret) && !secret.startsWith('[REDACTED:');

// A two-column row: `password    hunter2`, `token\thvs.x`, `| SecretString | {...} |`. The key
// may be up to three words ("Initial Root Token"); its last word must name a secret. Rows with
// more columns are listings (`kubectl get secrets`: NAME TYPE DATA AGE), not key/value pairs.
const PIPE_ROW = /^[ \t]*\|?[ \t]*(?<key>[A-Za-z_][\w.-]*(?: [A-Za-z_][\w.-]*){0,2})[ \t]*\|[ \t]*(?<value>[^|\n]*?)[ \t]*\|?[ \t]*\r?$/gmd;
const SPACE_ROW = /^[ \t]*(?<key>[A-Za-z_][\w.-]*(?: [A-Za-z_][\w.-]*){0,2})(?: {2,}|\t[ \t]*)(?<value>\S+(?: \S+)*)[ \t]*\r?$/gmd;
// Kubernetes secret types are what a two-column `kubectl get secrets` listing shows.
const LISTING_VALUE = /^(?:Opaque|kubernetes\.io\/[\w.-]+|helm\.sh\/[\w.-]+|bootstrap\.kubernetes\.io\/token|Value|Type)$/;

function tableRows(ctx: DetectContext, start: number, end: number, out: Span[]): void {
  const sub = ctx.text.slice(start, end);
  // No columns, no row: a pipe row needs a `|`, a space row two blanks or a tab.
  const rows: RegExp[] = [];
  if (sub.includes('|')) rows.push(PIPE_ROW);
  if (sub.includes('  ') || sub.includes('\t')) rows.push(SPACE_ROW);
  for (const re of rows) {
    re.lastIndex = 0;
    for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
      const key = m.groups?.['key'] ?? '';
      const value = m.groups?.['value'] ?? '';
      const range = m.indices?.groups?.['value'];
      const lastWord = key.split(' ').pop() ?? '';
      if (range === undefined || value === '' || !isSecretKeyName(lastWord)) continue;
      if (isPlaceholderValue(lastWord, value) || isProseWord(value) || LISTING_VALUE.test(value) || value.startsWith('[REDACTED:')) continue;
      out.push({ start: start + range[0], end: start + range[1], kind: 'table-value', rank: RANK_BY_NAME });
    }
  }
}

/** Rows of two-column tables whose key names a secret (run in the key-name windows). */
export const TABLE: Detector = { keywords: SECRET_NAME_KEYWORDS, scan: tableRows };

// `Cookie: a=1; b=2` (every value) and `Set-Cookie: sid=…; Path=/` (the first pair's value).
const COOKIE_HEADER = /(?<![\w-])(?<set>set-)?cookie[ \t]*:[ \t]*(?<pairs>[^\r\n]*)/dgi;
const COOKIE_PAIR = /(?:^|;)[ \t]*(?<name>[^=;\s]+)=(?<value>[^;\r\n]*)/dg;
const COOKIE_ATTRIBUTES = /^(?:path|domain|expires|max-age|samesite|secure|httponly|priority|partitioned|version|comment)$/i;

function cookies(ctx: DetectContext, start: number, end: number, out: Span[]): void {
  const sub = ctx.text.slice(start, end);
  COOKIE_HEADER.lastIndex = 0;
  for (let h = COOKIE_HEADER.exec(sub); h !== null; h = COOKIE_HEADER.exec(sub)) {
    const pairs = h.groups?.['pairs'] ?? '';
    const base = start + (h.indices?.groups?.['pairs']?.[0] ?? 0);
    const isSet = h.groups?.['set'] !== undefined;
    COOKIE_PAIR.lastIndex = 0;
    for (let p = COOKIE_PAIR.exec(pairs); p !== null; p = COOKIE_PAIR.exec(pairs)) {
      const name = p.groups?.['name'] ?? '';
      const value = (p.groups?.['value'] ?? '').trimEnd();
      const range = p.indices?.groups?.['value'];
      if (range !== undefined && value !== '' && !COOKIE_ATTRIBUTES.test(name) && !value.startsWith('[REDACTED:')) {
        out.push({ start: base + range[0], end: base + range[0] + value.length, kind: 'cookie', rank: 20 });
      }
      if (isSet) break;
    }
  }
}

/** Markup whose element or key attribute names a secret (run in the key-name windows that hold a `<`). */
export const MARKUP: readonly Detector[] = [
  needs('<', rule({
    // <password>…</password>, <ClientSecret>…</ClientSecret>
    kind: 'assignment', rank: RANK_BY_NAME, keywords: SECRET_NAME_KEYWORDS,
    re: /<(?<tag>[A-Za-z_][\w:.-]*)(?:\s[^<>]*)?>(?<secret>[^<>\r\n]{1,4096})<\/\k<tag>>/dg,
    accept: (secret, _ctx, m) => isSecretKeyName((m.groups?.['tag'] ?? '').split(':').pop() ?? '') && notPlaceholder('')(secret),
  })),
  needs('<', rule({
    // .NET appSettings / NuGet: <add key="DbPassword" value="…" />
    kind: 'assignment', rank: RANK_BY_NAME, keywords: SECRET_NAME_KEYWORDS,
    re: /\bkey\s*=\s*"(?<name>[^"]{1,200})"\s+value\s*=\s*"(?<secret>[^"]{1,4096})"/dgi,
    accept: (secret, _ctx, m) => isSecretKeyName(m.groups?.['name'] ?? '') && notPlaceholder('')(secret),
  })),
];

/** Structured secrets, each with its own keyword. */
export const STRUCTURED_DETECTORS: readonly Detector[] = [
  { keywords: ['cookie'], scan: cookies },
  rule({
    // PHP define('DB_PASSWORD', '…'); WordPress' AUTH_KEY … NONCE_SALT are secrets too.
    kind: 'assignment', rank: RANK_BY_NAME, keywords: ['define'],
    re: /\bdefine\s*\(\s*['"](?<name>\w{1,200})['"]\s*,\s*(?:'(?<secret>[^'\r\n]*)'|"(?<dq>[^"\r\n]*)")/dgi,
    accept: (secret, _ctx, m) => (isSecretKeyName(m.groups?.['name'] ?? '') || /_(?:KEY|SALT)$/i.test(m.groups?.['name'] ?? '')) && notPlaceholder('')(secret),
  }),
  rule({
    kind: 'assignment', rank: RANK_BY_NAME, keywords: ['define'],
    re: /\bdefine\s*\(\s*['"](?<name>\w{1,200})['"]\s*,\s*"(?<secret>[^"\r\n]*)"/dgi,
    accept: (secret, _ctx, m) => (isSecretKeyName(m.groups?.['name'] ?? '') || /_(?:KEY|SALT)$/i.test(m.groups?.['name'] ?? '')) && notPlaceholder('')(secret),
  }),
  rule({
    // ~/.netrc, one line or several: machine HOST [login U] [account A] password P
    kind: 'netrc-password', rank: 20, keywords: ['machine', 'default'], window: { linesAfter: 6, before: 1024, after: 8192 },
    re: /(?:^|\n|['"])[ \t]*(?:machine[ \t]+\S+|default)(?:[ \t]+|[ \t]*\r?\n[ \t]*)(?:(?:login|account|port|protocol)[ \t]+\S+(?:[ \t]+|[ \t]*\r?\n[ \t]*))*password[ \t]+(?<secret>\S+)/dg,
    accept: notPlaceholder('password'),
  }),
  rule({
    // The same inside a line (`cat ~/.netrc` pasted after a label): then `login` must follow the host.
    kind: 'netrc-password', rank: 20, keywords: ['machine'], window: { linesAfter: 6, before: 1024, after: 8192 },
    re: /(?<=\s)machine[ \t]+\S+(?:[ \t]+|[ \t]*\r?\n[ \t]*)login[ \t]+\S+(?:[ \t]+|[ \t]*\r?\n[ \t]*)(?:(?:account|port|protocol)[ \t]+\S+(?:[ \t]+|[ \t]*\r?\n[ \t]*))*password[ \t]+(?<secret>\S+)/dg,
    accept: notPlaceholder('password'),
  }),
  rule({
    // Go's MySQL driver DSN: user:password@tcp(host:3306)/db
    kind: 'dsn-password', rank: 20, keywords: ['@tcp(', '@unix(', '@udp('],
    re: /(?<![\w/:@.-])[\w.$-]+:(?<secret>[^\s:@/]+)@(?:tcp|unix|udp)\(/dg,
  }),
  rule({
    // Oracle thin JDBC URL: jdbc:oracle:thin:user/password@host:1521:SID
    kind: 'dsn-password', rank: 20, keywords: ['jdbc:oracle:'],
    re: /jdbc:oracle:\w+:[\w$#.-]+\/(?<secret>[^@\s]+)@/dgi,
  }),
  rule({
    // `terraform output -json`: a sensitive output's value.
    kind: 'terraform-sensitive-output', rank: 10, keywords: ['"sensitive": true', '"sensitive":true'], window: { linesAfter: 8, before: 1024, after: 65536 },
    re: /"sensitive":[ \t]*true,\s*"type":[ \t]*(?:"[^"\r\n]*"|\[[^\]]*\]),\s*"value":[ \t]*(?:"(?<secret>(?:[^"\\\r\n]|\\.)*)"|(?<structured>\{[^{}]*\}|\[[^[\]]*\]|[^\s,}\]]+))/dg,
    group: 'first',
  }),
  rule({
    // `aws ssm get-parameter --with-decryption`: the Value of a SecureString (JSON or YAML output).
    kind: 'aws-ssm-secure-string', rank: 10, keywords: ['securestring'], window: { linesAfter: 6, before: 1024, after: 8192 },
    re: /(?:"Value"[ \t]*:[ \t]*"(?<secret>(?:[^"\\\r\n]|\\.)+)"|(?:^|\n)[ \t]*Value:[ \t]+(?<yaml>[^\r\n]+))/dg,
    group: 'first',
  }),
];
