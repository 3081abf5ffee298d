import { promises as fs } from 'node:fs';
import type { EvidenceRecord } from '../../app/records';
import { readFrom } from './appendOnlyFile';

/**
 * Records already validated, keyed by git blob id (`<git dir>/breakglass-records`, one
 * `blob<TAB>json` line each, appended). A blob id names its content, so an entry can never go
 * stale; a cold start then reads only blobs it has never seen. Derived data like git's index:
 * `verify` never uses it, it re-reads and re-hashes every record from git's objects.
 */
export class RecordCache {
  private offset = 0;

  constructor(private readonly file: string) {}

  /** Everything in the cache (a cold start). */
  async load(): Promise<Map<string, EvidenceRecord>> {
    this.offset = 0;
    return this.readTail();
  }

  /** What was appended since the last read: another writer's new records, already validated. */
  async readTail(): Promise<Map<string, EvidenceRecord>> {
    const out = new Map<string, EvidenceRecord>();
    const all = await readFrom(this.file, this.offset);
    if (!all) return out;
    const complete = all.lastIndexOf('\n') + 1; // a line still being written is read next time
    const text = all.slice(0, complete);
    this.offset += Buffer.byteLength(text);
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const tab = text.indexOf('\t', start);
      if (tab > start && tab < end) {
        try {
          out.set(text.slice(start, tab), JSON.parse(text.slice(tab + 1, end)) as EvidenceRecord);
        } catch {
          // A torn line (a writer killed mid-append) is skipped: that record is simply read from git again.
        }
      }
      start = end + 1;
    }
    return out;
  }

  /** Adds validated records under their blob ids. */
  async append(entries: Array<[string, EvidenceRecord]>): Promise<void> {
    if (entries.length === 0) return;
    try {
      await fs.appendFile(this.file, entries.map(([b, r]) => `${b}\t${JSON.stringify(r)}\n`).join(''));
    } catch {
      // Derived data only: without it the next cold start reads from git, as it always can.
    }
  }
}
