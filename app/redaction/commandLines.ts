// Passwords that command lines carry in short flags and positions (issue 13): `mysql -pSECRET`,
// `sshpass -p SECRET`, `docker login -p SECRET`, `curl -u user:pass`, `smbclient -U user%pass`,
// `openssl … -passin pass:SECRET`, `htpasswd -b file user SECRET`, `vault kv put path k=v`, …
// A short flag means a password only for the command that defines it (`ssh -p 22`, `mkdir -p`,
// `docker run -p 80:80` must survive), so every rule is tied to its command's name. Long flags
// (`--password x`) and `KEY=value` are the assignment rule's.
import type { DetectContext, Detector, Span } from './types';

const KIND = 'cli-password';
const RANK = 20;

interface Word {
  /** Raw extent in the text (quotes included). */
  readonly start: number;
  readonly end: number;
  readonly raw: string;
}

interface CommandSpec {
  readonly names: readonly string[];
  /** A subcommand that must appear among the words (`login`, `kv`, …). */
  readonly requires?: RegExp;
  /** Flags whose value (attached `-pX` or the next word) is a password. */
  readonly valueFlags?: readonly string[];
  /** Flags whose value is `user<sep>password`: only the part after the separator goes. */
  readonly userFlags?: readonly string[];
  readonly userSep?: string;
  /** Flags whose value is `pass:SECRET` (OpenSSL's pass-phrase arguments). */
  readonly passphraseFlags?: readonly string[];
  /** Flags whose value is `K=V` (every V goes): `--from-literal`. */
  readonly literalFlags?: readonly string[];
  /** Every `K=V` word's V goes (a secret store's write: `vault kv put`, `fly secrets set`). */
  readonly allPairs?: boolean;
  /** Positional arguments (flags skipped) that are secrets, by the words present. */
  readonly positional?: (args: readonly string[], words: readonly Word[]) => readonly number[];
}

const after = (args: readonly string[], sub: string, offset: number): number[] => {
  const i = args.indexOf(sub);
  return i === -1 ? [] : [i + offset];
};

const SPECS: readonly CommandSpec[] = [
  { names: ['mysql', 'mysqldump', 'mysqladmin', 'mysqlimport', 'mysqlcheck', 'mysqlshow', 'mysqlslap', 'mysqlbinlog', 'mysqlsh', 'mariadb', 'mariadb-dump', 'mariadb-admin', 'mariadb-import', 'mariadb-check'], valueFlags: ['-p'] },
  { names: ['sshpass'], valueFlags: ['-p'] },
  { names: ['docker', 'podman', 'nerdctl', 'buildah', 'skopeo', 'helm', 'oras', 'crane', 'regctl', 'finch', 'az'], requires: /^login$/, valueFlags: ['-p'] },
  { names: ['mongo', 'mongosh', 'mongodump', 'mongorestore', 'mongoexport', 'mongoimport', 'mongostat', 'mongotop', 'mongofiles'], valueFlags: ['-p'] },
  { names: ['redis-cli', 'keydb-cli', 'valkey-cli'], valueFlags: ['-a'] },
  { names: ['sqlcmd', 'bcp', 'osql', 'isql', 'ipmitool', 'mosquitto_pub', 'mosquitto_sub', 'mosquitto_rr', 'zip', 'unzip'], valueFlags: ['-P'] },
  { names: ['ldapsearch', 'ldapmodify', 'ldapadd', 'ldapdelete', 'ldapwhoami', 'ldapcompare', 'ldapmodrdn', 'ldappasswd', 'ldapexop'], valueFlags: ['-w', '-s', '-a'] },
  { names: ['snmpwalk', 'snmpget', 'snmpset', 'snmpbulkwalk', 'snmpbulkget', 'snmptrap', 'snmpgetnext', 'snmptable'], valueFlags: ['-A', '-X', '-c'] },
  { names: ['7z', '7za', '7zr', 'rar', 'unrar'], valueFlags: ['-p'] },
  { names: ['ssh-keygen'], valueFlags: ['-N', '-P'] },
  { names: ['openssl'], valueFlags: ['-k', '-K'], passphraseFlags: ['-pass', '-passin', '-passout', '-password', '-kpass', '-srcpass', '-destpass'] },
  { names: ['curl'], userFlags: ['-u', '--user', '-U', '--proxy-user', '-E', '--cert'], userSep: ':', valueFlags: ['--oauth2-bearer', '-b', '--cookie'] },
  { names: ['http', 'https', 'xh', 'xhs'], userFlags: ['-a', '--auth'], userSep: ':' },
  { names: ['lftp'], userFlags: ['-u', '--user'], userSep: ',' },
  { names: ['smbclient', 'rpcclient', 'smbcacls', 'smbget', 'smbmap', 'smbtree', 'net', 'winexe'], userFlags: ['-U', '--user'], userSep: '%' },
  {
    // htpasswd -b[c…] FILE USER PASSWORD, htpasswd -nb USER PASSWORD
    names: ['htpasswd'],
    positional: (args, words) => {
      const first = words.findIndex((w) => !w.raw.startsWith('-'));
      const flags = words.slice(0, first === -1 ? words.length : first).map((w) => w.raw).filter((w) => /^-[a-zA-Z]+$/.test(w)).join('');
      if (!flags.includes('b')) return [];
      return [flags.includes('n') ? 1 : 2];
    },
  },
  { names: ['rabbitmqctl'], positional: (args) => [...after(args, 'add_user', 2), ...after(args, 'change_password', 2)] },
  { names: ['net', 'net.exe'], requires: /^user$/i, positional: (args) => after(args, 'user', 2) },
  { names: ['mc', 'mcli'], positional: (args) => [...after(args, 'set', 4), ...after(args, 'add', 4)] },
  { names: ['vault'], requires: /^kv$/, allPairs: true },
  // `vault login TOKEN`: only the word right after `login` (a later one may be a flag's value).
  { names: ['vault'], requires: /^login$/, positional: (args, words) => (words[words.findIndex((w) => w.raw === 'login') + 1]?.raw.startsWith('-') === false ? after(args, 'login', 1) : []) },
  { names: ['kubectl', 'oc'], literalFlags: ['--from-literal'] },
  { names: ['fly', 'flyctl', 'doppler', 'heroku'], requires: /^(?:secrets|config:set)$/, allPairs: true },
  { names: ['gh'], requires: /^secret$/, valueFlags: ['--body', '-b'] },
  { names: ['aws'], requires: /^SecureString$/, valueFlags: ['--value'] },
];

const BY_NAME = new Map<string, CommandSpec[]>();
for (const spec of SPECS) for (const n of spec.names) BY_NAME.set(n, [...(BY_NAME.get(n) ?? []), spec]);

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
// A command's name at a keyword hit, followed by a blank (the hit may sit after a path: /usr/bin/).
const COMMAND_AT = new RegExp(`(${[...BY_NAME.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|')})(?=[ \t])`, 'y');
// A word: unquoted characters, escapes and quoted strings, up to a blank or a shell separator.
const WORD = /(?:[^\s'"\\;|&]|\\.|'[^'\n]*'?|"(?:[^"\\\n]|\\.)*"?)+|[;|&\n]/g;

// The secret's extent inside raw text [start, end): without its surrounding quotes.
function unquoted(text: string, start: number, end: number): [number, number] {
  const q = text[start];
  if ((q === '"' || q === "'") && end - start >= 2 && text[end - 1] === q) return [start + 1, end - 1];
  if (q === '"' || q === "'") return [start + 1, end];
  return [start, end];
}

function push(out: Span[], text: string, start: number, end: number): void {
  const [a, b] = unquoted(text, start, end);
  const value = text.slice(a, b);
  if (b > a && !value.startsWith('[REDACTED:') && !/^(?:env|file|fd):/.test(value) && value !== 'stdin') out.push({ start: a, end: b, kind: KIND, rank: RANK });
}

function words(text: string, from: number, to: number): Word[] {
  const out: Word[] = [];
  WORD.lastIndex = from;
  for (let m = WORD.exec(text); m !== null && m.index < to && out.length < 256; m = WORD.exec(text)) {
    if (/^[;|&\n]$/.test(m[0])) break; // end of this command
    out.push({ start: m.index, end: m.index + m[0].length, raw: m[0] });
  }
  return out;
}

// The one of `names` that a word is or starts with (`-pX`; a long flag only as `--flag=value`).
function flagOf(raw: string, names: readonly string[] | undefined): string | undefined {
  return names?.find((f) => raw === f || (raw.startsWith(f) && (f.startsWith('--') ? raw[f.length] === '=' : true)));
}

function applySpec(text: string, spec: CommandSpec, ws: readonly Word[], out: Span[]): void {
  if (spec.requires !== undefined && !ws.some((w) => spec.requires?.test(w.raw) === true)) return;
  const args: string[] = [];
  const argWords: Word[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as Word;
    const next = ws[i + 1];
    const vf = flagOf(w.raw, spec.valueFlags);
    const uf = flagOf(w.raw, spec.userFlags);
    const pf = flagOf(w.raw, spec.passphraseFlags);
    const lf = flagOf(w.raw, spec.literalFlags);
    const hit = vf ?? uf ?? pf ?? lf;
    if (hit !== undefined) {
      // The value: attached (`-pX`, `--cookie=x`) or the next word (unless it is another flag).
      let vs = w.start + hit.length;
      let ve = w.end;
      if (vs < ve && text[vs] === '=' && hit.startsWith('--')) vs += 1;
      if (vs >= ve) {
        if (next === undefined || next.raw.startsWith('-')) continue;
        vs = next.start;
        ve = next.end;
        i += 1;
      }
      const [a, b] = unquoted(text, vs, ve);
      const value = text.slice(a, b);
      if (uf !== undefined) {
        const sep = value.indexOf(spec.userSep ?? ':');
        if (sep !== -1) push(out, text, a + sep + 1, b);
      } else if (pf !== undefined) {
        if (value.startsWith('pass:')) push(out, text, a + 5, b);
      } else if (vf !== undefined && /^(?:-b|--cookie)$/.test(vf) && !value.includes('=')) {
        // `-b cookies.txt` names a cookie jar
      } else if (lf !== undefined || (vf !== undefined && /^(?:-b|--cookie)$/.test(vf))) {
        for (const m of value.matchAll(/(?:^|[;&])[ \t]*[^=;&\s]+=([^;&]*)/g)) {
          const v = m[1] ?? '';
          const to = a + m.index + m[0].length;
          if (v !== '') push(out, text, to - v.length, to);
        }
      } else {
        push(out, text, a, b);
      }
      continue;
    }
    if (spec.allPairs === true) {
      const eq = w.raw.indexOf('=');
      if (eq > 0 && !w.raw.startsWith('-')) push(out, text, w.start + eq + 1, w.end);
    }
    if (!w.raw.startsWith('-')) {
      args.push(w.raw);
      argWords.push(w);
    }
  }
  for (const i of spec.positional?.(args, ws) ?? []) {
    const w = argWords[i];
    if (w !== undefined && !w.raw.includes('=')) push(out, text, w.start, w.end);
  }
}

// The rest of the command's line: its words, up to a shell separator or 16 KiB.
function commandAt(ctx: DetectContext, p: number, out: Span[]): void {
  const text = ctx.text;
  const before = p === 0 ? '' : (text[p - 1] as string);
  if (/[\w.-]/.test(before)) return; // part of a longer word (`internet`, `my-mysql-db`)
  COMMAND_AT.lastIndex = p;
  const m = COMMAND_AT.exec(text);
  if (m === null) return;
  const from = p + m[0].length;
  const ws = words(text, from, ctx.lines.endWithin(from, 16384));
  for (const spec of BY_NAME.get(m[1] as string) ?? []) applySpec(text, spec, ws, out);
}

/** Command-specific password flags and positions, tried at each occurrence of a command's name. */
export const COMMAND_LINES: Detector = {
  // The name and the blank after it: `https:` and `amazonaws` are no hit for `http` and `az`.
  keywords: [...BY_NAME.keys()].flatMap((n) => [`${n} `, `${n}\t`]),
  scan(ctx: DetectContext, start: number, end: number, out: Span[]): void {
    for (let i = start; i < end; i++) commandAt(ctx, i, out);
  },
  scanHits(ctx: DetectContext, hits: ArrayLike<number>, out: Span[]): void {
    let last = -1;
    for (let h = 0; h < hits.length; h++) {
      const p = hits[h] as number;
      if (p !== last) commandAt(ctx, p, out);
      last = p;
    }
  },
};
