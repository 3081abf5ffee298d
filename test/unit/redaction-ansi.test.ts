import ansiRegex from 'ansi-regex';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripEscapes, toOriginal } from '../../app/redaction/ansi';

// The redactor matches secrets on the text without terminal escapes. stripEscapes scans CSI by
// hand (the common case, for speed) and asks ansi-regex for everything else; it must strip exactly
// what ansi-regex matches, or a secret split by an escape it misreads would go unseen.

// Escape fragments, bytes from every class CSI distinguishes, and ordinary text, in any order.
const piece = fc.constantFrom(
  '\x1b', '\x1b[', '\x9b', '\x1b]', '\x9d', '\x1bP', '\x90', '\x1b\\', '\x9c', '\x07', '\x18',
  '0', '1;32', ';', '?', '>', '=', '<', ' ', '!', '/', 'm', 'A', 'H', '~', '@', '\x7f', '[', ']',
  'hunter2', 'text ', '\n', '\r\n', 'é', 'P1234567', 'R', '8', '(', '#',
);

describe('stripEscapes', () => {
  it('removes exactly what ansi-regex matches, and maps clean offsets back to the original', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const original = parts.join('');
        const clean = stripEscapes(original);
        expect(clean.text).toBe(original.replace(ansiRegex(), ''));
        // Every clean character is the original character at its mapped offset.
        for (let i = 0; i < clean.text.length; i++) expect(original[toOriginal(clean, i)]).toBe(clean.text[i]);
      }),
      { numRuns: 3_000 },
    );
  });

  it('keeps a coloured log line readable and knows where each character came from', () => {
    const line = '2026-12-01T10:00:00Z \x1b[32mINFO\x1b[0m token=\x1b[1mhun\x1b[0mter2\r\n';
    const clean = stripEscapes(line);
    expect(clean.text).toBe('2026-12-01T10:00:00Z INFO token=hunter2\r\n');
    expect(line.slice(toOriginal(clean, clean.text.indexOf('ter2')), toOriginal(clean, clean.text.indexOf('ter2')) + 4)).toBe('ter2');
  });
});
