import { promises as fs } from 'node:fs';

/**
 * The text of an append-only file from byte `offset` on, or null when it cannot be read. The
 * derived caches beside the repository (CommitIndex, RecordCache) read only what other writers
 * appended since their last read.
 */
export async function readFrom(file: string, offset: number): Promise<string | null> {
  let handle: import('node:fs/promises').FileHandle | null = null;
  try {
    handle = await fs.open(file, 'r');
    const size = (await handle.stat()).size;
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
