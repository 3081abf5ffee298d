import { promises as fs } from 'node:fs';
import { readFrom } from './appendOnlyFile';

/**
 * Append-only index of record path -> adding commit, with the head it is complete up to
 * (`<git dir>/breakglass-commits`). Derived data, appended as records are committed, so a cold
 * start does not walk all history. `verify` never trusts it: it walks the whole history itself.
 */
export class CommitIndex {
  /** How far the file has been read: later reads take only what other writers appended since. */
  private offset = 0;

  constructor(private readonly file: string) {}

  /** Everything in the index (a cold start), with the head it is complete up to. */
  async load(): Promise<{ head: string | null; commits: Map<string, string> }> {
    this.offset = 0;
    const { heads, commits } = await this.readTail();
    return { head: heads[heads.length - 1] ?? null, commits };
  }

  /** What was appended since the last read (by this process or another writer on this repository). */
  async readTail(): Promise<{ heads: string[]; commits: Map<string, string> }> {
    const commits = new Map<string, string>();
    const heads: string[] = [];
    const text = await readFrom(this.file, this.offset);
    if (text === null) return { heads, commits };
    const complete = text.lastIndexOf('\n') + 1; // a line still being written is read next time
    this.offset += Buffer.byteLength(text.slice(0, complete));
    for (const line of text.slice(0, complete).split('\n')) {
      if (line.startsWith('A ')) {
        const space = line.indexOf(' ', 2);
        commits.set(line.slice(space + 1), line.slice(2, space));
      } else if (line.startsWith('H ')) heads.push(line.slice(2));
    }
    return { heads, commits };
  }

  /** Adds `[path, commit]` pairs complete up to `head`; `rewrite` starts the file afresh (a full walk). */
  async append(found: Array<[string, string]>, head: string, rewrite: boolean): Promise<void> {
    const text = `${found.map(([p, c]) => `A ${c} ${p}`).join('\n')}${found.length ? '\n' : ''}H ${head}\n`;
    try {
      if (rewrite) await fs.writeFile(this.file, text);
      else await fs.appendFile(this.file, text);
    } catch {
      // Derived data only: a read-only repository still reads, it just walks history next time.
    }
  }
}
