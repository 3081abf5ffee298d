// Building blocks of the credential corpus of issue 13 (redactionCorpus.ts): over 100 formats, each built from its provider's documented
// shape with random values from a seeded generator at test time (never a real credential, and no
// token-shaped literal in the repository for a secret scanner on the remote to trip over).
// Each sample is the text as a tool prints it, the secrets that must not survive, and the argv
// that would carry it on a command line.

/** A deterministic random source (mulberry32), so a failing sample is reproducible from its seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  of(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const UPPER = LOWER.toUpperCase();
export const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
export const LOWNUM = LOWER + DIGITS;
export const UPNUM = UPPER + DIGITS;
export const HEX = '0123456789abcdef';
export const B64 = `${ALNUM}+/`;
export const B64URL = `${ALNUM}-_`;
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

/** One generated sample: what a tool prints, what must disappear, and a command line carrying it. */
export interface Sample {
  readonly text: string;
  readonly secrets: readonly string[];
  readonly argv: readonly string[];
}

/** A credential format: its name and how to make a sample of it. */
export interface Format {
  readonly name: string;
  make(r: Rng): Sample;
}

export const b64 = (s: string): string => btoa(s);
export const uuid = (r: Rng): string => `${r.of(HEX, 8)}-${r.of(HEX, 4)}-4${r.of(HEX, 3)}-a${r.of(HEX, 3)}-${r.of(HEX, 12)}`;
export const pw = (r: Rng): string => `${r.of(UPPER, 2)}${r.of(LOWER, 4)}${r.of(DIGITS, 3)}!${r.of(ALNUM, 5)}`;
export const jwtPart = (o: unknown): string => b64(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
export const jwt = (r: Rng): string =>
  `${jwtPart({ alg: 'RS256', typ: 'JWT', kid: r.of(ALNUM, 8) })}.${jwtPart({ sub: `system:serviceaccount:ops:${r.of(LOWER, 6)}`, iat: 1764323306, exp: 1764326906, jti: uuid(r) })}.${r.of(B64URL, 86)}`;
export const pemBody = (r: Rng, lines: number): string[] => Array.from({ length: lines }, () => r.of(B64, 64));
export const pem = (label: string, body: string[]): string => [`-----BEGIN ${label}-----`, ...body, `-----END ${label}-----`].join('\n');

/** A bare token printed by a tool (`gh auth token`, a portal's copy box): the hardest case. */
export const bare = (name: string, token: (r: Rng) => string, context: (t: string) => string = (t) => `${t}\n`): Format => ({
  name,
  make(r) {
    const t = token(r);
    return { text: context(t), secrets: [t], argv: ['curl', '-sS', '-H', `Authorization: Bearer ${t}`, 'https://api.internal.example/v1/whoami'] };
  },
});

/** A text with several secrets in it; argv defaults to printf of the text. */
export const text = (name: string, make: (r: Rng) => { text: string; secrets: string[]; argv?: string[] }): Format => ({
  name,
  make(r) {
    const s = make(r);
    return { text: s.text, secrets: s.secrets, argv: s.argv ?? ['printf', '%s\n', s.text] };
  },
});

/** A command line: printed as typed (shell history, `set -x`), and as the argv itself. */
export const command = (name: string, make: (r: Rng) => { argv: string[]; secrets: string[] }): Format => ({
  name,
  make(r) {
    const s = make(r);
    return { text: `+ ${s.argv.join(' ')}\n`, secrets: s.secrets, argv: s.argv };
  },
});

// A deterministic but unrelated string derived from a token (an accessor, a public key): not secret.
export function r0(t: string): string {
  let h = 0;
  for (let i = 0; i < t.length; i++) h = (Math.imul(h, 31) + t.charCodeAt(i)) >>> 0;
  return new Rng(h).of(LOWNUM, 24);
}
