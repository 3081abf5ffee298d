import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactArgv, redactText } from '../../app/redaction';
import { ROOT } from '../support/cli';
import { CREDENTIAL_FORMATS, Rng, firstLeak } from '../support/redactionCorpus';

// Issue 13's properties: redaction is idempotent, and never lets a secret back — whatever the
// text around it, wherever colour codes fall, however often it is applied.
const BENIGN = readdirSync(path.join(ROOT, 'test', 'fixtures', 'redaction', 'benign'))
  .sort()
  .flatMap((f) => readFileSync(path.join(ROOT, 'test', 'fixtures', 'redaction', 'benign', f), 'utf8').split('\n').slice(0, 12));
const SAMPLES = CREDENTIAL_FORMATS.map((f, i) => f.make(new Rng(90_001 + i)));
const SGR = ['\x1b[0m', '\x1b[1m', '\x1b[31m', '\x1b[1;32m', '\x1b[38;5;208m', '\x1b]8;;https://example.com\x07'];
const STRIP = /\x1b\[[0-9;]*m|\x1b\]8;;[^\x07]*\x07/g; // eslint-disable-line no-control-regex -- stripping the codes this test inserts

const sample = fc.constantFrom(...SAMPLES);
const benignLine = fc.constantFrom(...BENIGN);
const separator = fc.constantFrom('\n', ' ', '\t', '; ', ', ', '\r\n', '', '"', "'", '=', ': ');

describe('redaction properties', () => {
  it('is idempotent on mixtures of secrets, operator output and delimiters', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(sample.map((s) => s.text), benignLine, separator), { maxLength: 12 }), (parts) => {
        const once = redactText(parts.join(''));
        const twice = redactText(once.text);
        expect(twice).toEqual({ text: once.text, count: 0, kinds: {} });
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a secret back, wherever it sits among other output', () => {
    fc.assert(
      fc.property(fc.array(benignLine, { maxLength: 8 }), sample, fc.nat(), (lines, s, at) => {
        const i = at % (lines.length + 1);
        const text = [...lines.slice(0, i), s.text, ...lines.slice(i)].join('\n');
        const once = redactText(text);
        expect(firstLeak(once.text, s.secrets)).toBeUndefined();
        expect(firstLeak(redactText(once.text).text, s.secrets)).toBeUndefined();
        expect(once.count).toBe([...once.text.matchAll(/\[REDACTED:[a-z0-9-]+\]/g)].length - [...text.matchAll(/\[REDACTED:[a-z0-9-]+\]/g)].length);
      }),
      { numRuns: 400 },
    );
  });

  it('finds a secret whatever colour codes are scattered through it, and keeps every code', () => {
    fc.assert(
      fc.property(sample, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...SGR)), { minLength: 1, maxLength: 6 }), (s, codes) => {
        // Positions in the original text, never inside one of its own codes, inserted from the end
        // so that none lands inside another.
        const inside = new Set<number>();
        for (const m of s.text.matchAll(STRIP)) for (let k = m.index + 1; k < m.index + m[0].length; k++) inside.add(k);
        const allowed = Array.from({ length: s.text.length + 1 }, (_, k) => k).filter((k) => !inside.has(k));
        let text = s.text;
        const at = codes.map(([n, code]) => [allowed[n % allowed.length] as number, code] as const).sort((a, b) => b[0] - a[0]);
        for (const [i, code] of at) text = text.slice(0, i) + code + text.slice(i);
        const out = redactText(text);
        expect(firstLeak(out.text.replace(STRIP, ''), s.secrets)).toBeUndefined();
        const codesIn = (t: string) => (t.match(STRIP) ?? []).sort();
        expect(codesIn(out.text)).toEqual(codesIn(text));
      }),
      { numRuns: 300 },
    );
  });

  it('redacts an argv whatever words surround the secret-bearing ones', () => {
    const words = fc.constantFrom('sudo', 'env', 'LANG=C', '--verbose', '-v', 'ops@bastion', '/tmp/x', '--', '-n', 'orders');
    const commands = SAMPLES.filter((s) => s.argv[0] !== 'printf');
    fc.assert(
      fc.property(fc.array(words, { maxLength: 3 }), fc.constantFrom(...commands), fc.array(words, { maxLength: 3 }), (before, s, after) => {
        const r = redactArgv([...before, ...s.argv, ...after]);
        expect(firstLeak(r.value.join(' '), s.secrets)).toBeUndefined();
        expect(redactArgv(r.value).count).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
