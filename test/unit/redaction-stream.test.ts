import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStreamRedactor, redactText, type RedactionResult } from '../../app/redaction';
import { CREDENTIAL_FORMATS, Rng, firstLeak } from '../support/redactionCorpus';

// Issue 13: the recorded shell's output arrives in chunks; a secret split across two chunks must
// still be caught, with a bounded tail carried between them.
const FILLER = [
  '2026-11-28T09:48:26Z INFO orders-worker lock=9db590f1-b6fe-c5f2-2678-8804f089deba state=held\n',
  'NAME                                READY   STATUS    RESTARTS   AGE\n',
  'commit 3f786850e387550fdab836ed7e6dc881de23001b\n',
  '\x1b[32m✓\x1b[0m deployment.apps/orders-api rolled out\n',
];
const filler = (n: number): string => Array.from({ length: n }, (_, i) => FILLER[i % FILLER.length]).join('');

function streamAll(chunks: readonly string[], maxTailBytes: number): RedactionResult {
  const s = createStreamRedactor({ maxTailBytes });
  const parts = [...chunks.map((c) => s.push(c)), s.flush()];
  const kinds: Record<string, number> = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
  return { text: parts.map((p) => p.text).join(''), count: parts.reduce((a, p) => a + p.count, 0), kinds };
}

const byName = (name: string) => {
  const i = CREDENTIAL_FORMATS.findIndex((f) => f.name === name);
  if (i === -1) throw new Error(`no format ${name}`);
  return CREDENTIAL_FORMATS[i]!.make(new Rng(4242 + i));
};

// Short secrets with a small tail (so cuts really happen), long blocks with a larger one.
const SHORT = ['GitHub classic PAT (ghp_)', 'Slack bot token', 'Stripe live secret key', 'PostgreSQL URL with password', 'mysql -pSECRET', 'curl -u user:password', '.env file', 'Authorization: Bearer in curl -v', 'docker config.json auth', 'secret split by colour codes', 'vault kv get table', 'AWS credentials file'];
const LONG = ['PEM RSA PRIVATE KEY', 'GCP service-account key JSON', 'kubeconfig client-key-data', 'vault operator init'];

describe('createStreamRedactor: a secret split at any offset is still caught', () => {
  it.each([...SHORT.map((n) => [n, 512, 6] as const), ...LONG.map((n) => [n, 4096, 6] as const)])('%s (tail %i)', (name, tail, fillLines) => {
    const s = byName(name);
    const whole = filler(fillLines) + s.text + filler(fillLines);
    const expected = redactText(whole);
    expect(expected.count).toBeGreaterThanOrEqual(1);
    for (let at = 0; at <= whole.length; at++) {
      const r = streamAll([whole.slice(0, at), whole.slice(at)], tail);
      if (r.text !== expected.text || r.count !== expected.count) {
        expect({ at, text: r.text, count: r.count }).toEqual({ at, text: expected.text, count: expected.count });
      }
    }
  });

  it('matches one-shot redaction for random chunkings (property)', () => {
    const texts = SHORT.map((n) => filler(8) + byName(n).text + filler(8));
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (whole, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const chunks = [...points, whole.length].map((p, i, all) => whole.slice(i === 0 ? 0 : (all[i - 1] as number), p));
        const r = streamAll(chunks, 256);
        const expected = redactText(whole);
        expect(r.text).toBe(expected.text);
        expect(r.count).toBe(expected.count);
        expect(r.kinds).toEqual({ ...expected.kinds });
      }),
      { numRuns: 200 },
    );
  });

  it('holds back at most the tail when there is no secret to keep whole', () => {
    const whole = filler(200);
    const s = createStreamRedactor({ maxTailBytes: 256 });
    let out = '';
    for (let i = 0; i < whole.length; i += 41) {
      out += s.push(whole.slice(i, i + 41)).text;
      const fed = Math.min(whole.length, i + 41);
      expect(fed - out.length, `after ${fed} characters`).toBeLessThanOrEqual(256);
    }
    expect(out + s.flush().text).toBe(whole);
  });

  it('cuts through a secret longer than its hard bound, and still leaks nothing of it', () => {
    const pem = byName('PEM RSA PRIVATE KEY');
    const long = byName('PEM OPENSSH PRIVATE KEY');
    const after = '2026-11-28T09:52:00Z INFO lock released by INC-12345\n';
    const whole = filler(20) + pem.text + long.text.repeat(3) + after + filler(20);
    const s = createStreamRedactor({ maxTailBytes: 128 });
    let out = '';
    for (let i = 0; i < whole.length; i += 37) out += s.push(whole.slice(i, i + 37)).text;
    // The text after the secrets was emitted before flush: the tail did not grow without bound.
    expect(out).toContain('lock released by INC-12345');
    out += s.flush().text;
    expect(firstLeak(out, [...pem.secrets, ...long.secrets])).toBeUndefined();
  });

  it('emits nothing until the tail is exceeded, everything on flush, and starts afresh after it', () => {
    const s = createStreamRedactor({ maxTailBytes: 64 });
    expect(s.push('password=')).toEqual({ text: '', count: 0, kinds: {} });
    expect(s.push('hunter2x\n')).toEqual({ text: '', count: 0, kinds: {} });
    expect(s.flush()).toEqual({ text: 'password=[REDACTED:assignment]\n', count: 1, kinds: { assignment: 1 } });
    expect(s.flush()).toEqual({ text: '', count: 0, kinds: {} });
    expect(s.push('no secret here\n')).toEqual({ text: '', count: 0, kinds: {} });
    expect(s.flush().text).toBe('no secret here\n');
  });

  it('recognises a value by the key printed before a cut (the context carried over)', () => {
    const s = createStreamRedactor({ maxTailBytes: 64 });
    const out = [s.push(`${filler(3)}export DB_PASSWORD=`), s.push('S3cr3t-Pa55-w0rd\n'), s.push(filler(3)), s.flush()];
    expect(out.map((o) => o.text).join('')).not.toContain('S3cr3t-Pa55-w0rd');
    expect(out.reduce((a, o) => a + o.count, 0)).toBe(1);
  });

  it('refuses a bad tail size and a non-string chunk', () => {
    expect(() => createStreamRedactor({ maxTailBytes: 8 })).toThrow(RangeError);
    expect(() => createStreamRedactor({ maxTailBytes: 100.5 })).toThrow(RangeError);
    expect(() => createStreamRedactor().push(42 as unknown as string)).toThrow(TypeError);
  });
});
