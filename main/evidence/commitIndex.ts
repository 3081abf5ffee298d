import { promises as fs } from 'node:fs';
import type { Git } from '../git';
import { readFrom } from './appendOnlyFile';

/**
 * Append-only index of record path -> adding commit, with the view it is complete up to
 * (`<git dir>/breakglass-commits`): `A <commit> <path>` lines, then the tips of the view as
 * `T <commit>` lines and `H <view id>` (issue 14; a file from before holds `H <commit>` alone).
 * Derived data, appended as records are committed, so a cold start does not walk all history.
 * `verify` never trusts it: it walks the whole history itself.
 */
export class CommitIndex {
  /** How far the file has been read: later reads take only what other writers appended since. */
  private offset = 0;

  constructor(private readonly file: string) {}

  /** Everything in the index (a cold start), with the view it is complete up to and that view's tips. */
  async load(): Promise<{ viewId: string | null; tips: string[]; commits: Map<string, string> }> {
    this.offset = 0;
    const { heads, commits, tipsOfHead } = await this.readTail();
    const viewId = heads[heads.length - 1] ?? null;
    return { viewId, tips: viewId === null ? [] : tipsOfHead.get(viewId) ?? [viewId], commits };
  }

  /** What was appended since the last read (by this process or another writer on this repository). */
  async readTail(): Promise<{ heads: string[]; commits: Map<string, string>; tipsOfHead: Map<string, string[]> }> {
    const commits = new Map<string, string>();
    const heads: string[] = [];
    const tipsOfHead = new Map<string, string[]>();
    const text = await readFrom(this.file, this.offset);
    if (text === null) return { heads, commits, tipsOfHead };
    const complete = text.lastIndexOf('\n') + 1; // a line still being written is read next time
    this.offset += Buffer.byteLength(text.slice(0, complete));
    let tips: string[] = [];
    for (const line of text.slice(0, complete).split('\n')) {
      if (line.startsWith('A ')) {
        const space = line.indexOf(' ', 2);
        commits.set(line.slice(space + 1), line.slice(2, space));
      } else if (line.startsWith('T ')) tips.push(line.slice(2));
      else if (line.startsWith('H ')) {
        const head = line.slice(2);
        heads.push(head);
        if (tips.length > 0) tipsOfHead.set(head, tips);
        tips = [];
      }
    }
    return { heads, commits, tipsOfHead };
  }

  /** Adds `[path, commit]` pairs complete up to the view `viewId` of `tips`; `rewrite` starts the file afresh (a full walk). */
  async append(found: Array<[string, string]>, tips: readonly string[], viewId: string, rewrite: boolean): Promise<void> {
    const text = `${found.map(([p, c]) => `A ${c} ${p}\n`).join('')}${tips.map((t) => `T ${t}\n`).join('')}H ${viewId}\n`;
    try {
      if (rewrite) await fs.writeFile(this.file, text);
      else await fs.appendFile(this.file, text);
    } catch {
      // Derived data only: a read-only repository still reads, it just walks history next time.
    }
  }
}

/**
 * Which commit added each record file (blob) reachable from `tips` but not from `exclude`: ONE
 * `git log` over every range that moved (issue 14). git walks newest first, so the oldest commit
 * that added a path is the one kept. Returns `[path, blob, commit]` triples, oldest first.
 */
export async function walkAddedRecords(git: Git, tips: readonly string[], exclude: readonly string[]): Promise<Array<[string, string, string]>> {
  if (tips.length === 0) return [];
  const out = await git.text('attribute-records', ['log', '--no-merges', '--no-renames', '--raw', '--no-abbrev', '--diff-filter=A', '--format=%x01%H', ...tips, ...exclude.map((c) => `^${c}`), '--', 'sessions', 'journal']);
  let commit: string | null = null;
  const found: Array<[string, string, string]> = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('\x01')) {
      commit = line.slice(1);
      continue;
    }
    const m = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) A\t(.+)$/.exec(line);
    if (m && commit !== null) found.push([m[2]!, m[1]!, commit]);
  }
  return found.reverse();
}
