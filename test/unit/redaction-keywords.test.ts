// The keyword pass and the line index the engine builds from it (issue 13, throughput): checked
// against plain searches on corpus-like text, so a faster automaton or index cannot drift.
import { describe, expect, it } from 'vitest';
import { KeywordSet, LineIndex, lineStartWithin } from '../../app/redaction/keywords';
import { Rng } from '../support/redactionCorpus';

const WORDS = ['pass', 'password', 'key', 'token', 's.', 'sk', '-----begin', '[redacted:', '\n', 'api', 'ghp_'];
const PIECES = ['Pass', 'WORD', 'key', 'KeY', 'tok', 'en', 's', '.', 'sk', '-----BEGIN', '[REDACTED:', '[redacted:', '\n', '\r\n', ' ', 'ápi', 'api', 'ghp_', '✓', 'x'];

function sample(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[r.int(0, PIECES.length - 1)] as string;
  return s;
}

// Every (overlapping) occurrence, case-insensitively for ASCII letters only, as the automaton reads.
function naiveHits(text: string, word: string): number[] {
  const folded = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const out: number[] = [];
  for (let i = folded.indexOf(word); i !== -1; i = folded.indexOf(word, i + 1)) out.push(i);
  return out;
}

describe('KeywordSet', () => {
  const set = new KeywordSet();
  const ids = set.add(WORDS);
  set.compile();
  const expectNaiveHits = (text: string) => {
    const hits = set.scan(text);
    WORDS.forEach((w, k) => expect([...(hits[ids[k] as number] ?? [])]).toEqual(naiveHits(text, w)));
  };

  it('finds every occurrence of every keyword, newlines and marker heads included', () => {
    const r = new Rng(13);
    for (let round = 0; round < 200; round++) {
      const text = sample(r, r.int(0, 120));
      expectNaiveHits(text);
      expect(set.occursIn(text)).toBe(WORDS.some((w) => naiveHits(text, w).length > 0));
    }
  });

  it('finds them in long texts too, read as two halves at once, across the middle included', () => {
    const r = new Rng(17);
    for (let round = 0; round < 60; round++) expectNaiveHits(sample(r, r.int(40, 1500)));
    // A keyword across the middle of the text, at every offset.
    for (let shift = 0; shift < 12; shift++) {
      const text = `${'x'.repeat(300 + shift)}-----BEGIN${'y'.repeat(300)}`;
      expect([...(set.scan(text)[ids[6] as number] ?? [])]).toEqual([300 + shift]);
    }
  });
});

describe('LineIndex', () => {
  it('answers like a search of the text, asked in any order', () => {
    const r = new Rng(7);
    for (let round = 0; round < 100; round++) {
      const text = sample(r, r.int(0, 80));
      const newlines = naiveHits(text, '\n');
      const lines = new LineIndex(text, newlines);
      const queries = Array.from({ length: 30 }, () => r.int(0, text.length));
      if (round % 2 === 0) queries.sort((a, b) => a - b); // rules ask in text order; the hint must not matter
      for (const p of queries) {
        const start = text.lastIndexOf('\n', p - 1) + 1;
        const nl = text.indexOf('\n', p);
        const end = nl === -1 ? text.length : nl;
        const n = lines.lineOf(p);
        expect(lines.start(n)).toBe(p === 0 ? 0 : start);
        expect(lines.end(n)).toBe(end);
        expect(lines.endWithin(p, 5)).toBe(Math.min(end, p + 5));
        if (p > 0) expect(lineStartWithin(text, p, 5)).toBe(Math.max(start, p - 5));
      }
    }
  });
});
