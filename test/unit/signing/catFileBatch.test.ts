import { describe, expect, it } from 'vitest';
import { CatFileBatchParser, parseCatFileBatch, type BatchObject } from '../../../main/signing/catFileBatch';

// The streamed `cat-file --batch` parser gives the same objects however git's output is cut into
// chunks (the verifier parses each chunk as it arrives, issue 15), and refuses cut-off output.

const id = (n: number) => n.toString(16).padStart(40, '0');
const body = (n: number) => Buffer.from(`tree ${id(n)}\nauthor Zoë 😀 <z@example.com> 1 +0000\n\nmessage ☃ ${n}\n`, 'utf8');

function output(): { out: Buffer; expected: BatchObject[] } {
  const parts: Buffer[] = [];
  const expected: BatchObject[] = [];
  for (let n = 1; n <= 6; n++) {
    if (n === 3) {
      parts.push(Buffer.from(`${id(n)} missing\n`));
      expected.push({ id: id(n), type: 'missing', body: Buffer.alloc(0) });
      continue;
    }
    // An empty body, and bodies holding newlines, must not confuse the sizes.
    const b = n === 5 ? Buffer.alloc(0) : body(n);
    parts.push(Buffer.from(`${id(n)} commit ${b.length}\n`), b, Buffer.from('\n'));
    expected.push({ id: id(n), type: 'commit', body: b });
  }
  return { out: Buffer.concat(parts), expected };
}

const plain = (objects: BatchObject[]) => objects.map((o) => ({ ...o, body: o.body.toString('hex') }));

function parseIn(chunks: Buffer[]): BatchObject[] {
  const objects: BatchObject[] = [];
  const parser = new CatFileBatchParser((o) => objects.push(o));
  for (const c of chunks) parser.push(c);
  parser.end();
  return objects;
}

describe('CatFileBatchParser', () => {
  it('parses the whole output as parseCatFileBatch does', () => {
    const { out, expected } = output();
    expect(plain(parseCatFileBatch(out))).toEqual(plain(expected));
  });

  it('gives the same objects for every single cut, for two cuts, and for one byte at a time', () => {
    const { out, expected } = output();
    for (let i = 0; i <= out.length; i++) expect(plain(parseIn([out.subarray(0, i), out.subarray(i)]))).toEqual(plain(expected));
    for (let i = 0; i <= out.length; i += 7) {
      for (let j = i; j <= out.length; j += 5) expect(plain(parseIn([out.subarray(0, i), out.subarray(i, j), out.subarray(j)]))).toEqual(plain(expected));
    }
    expect(plain(parseIn([...out].map((b) => Buffer.from([b]))))).toEqual(plain(expected));
  });

  it('keeps no view of a chunk it was handed once the object that spanned it is complete (a later write cannot change it)', () => {
    const { out, expected } = output();
    const cut = 70;
    const first = Buffer.from(out.subarray(0, cut));
    const objects: BatchObject[] = [];
    const parser = new CatFileBatchParser((o) => objects.push(o));
    parser.push(first);
    first.fill(0x21);
    parser.push(Buffer.from(out.subarray(cut)));
    parser.end();
    expect(plain(objects)).toEqual(plain(expected));
  });

  it('refuses output cut off inside a header or a body, and a malformed header', () => {
    const { out } = output();
    for (const end of [10, 50, out.length - 1]) expect(() => parseIn([out.subarray(0, end)])).toThrow(/truncated/);
    expect(() => parseIn([Buffer.from(`${id(1)} commit 12x\nabc\n`)])).toThrow(/malformed/);
    expect(() => parseIn([Buffer.from('nonsense\n')])).toThrow(/malformed/);
  });
});
