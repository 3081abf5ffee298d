import type { Git } from '../git';
import { emptyTree, type Tip } from './layout';

/**
 * The union of the trees of a view's refs (issue 14), kept incrementally: for every path, how many
 * refs hold each copy (blob) of it. A host's ref started from the organisation branch holds the
 * same copies of its files, so counting keeps memory at one entry per path and copy, not per ref.
 */
export class TipUnion {
  private readonly counts = new Map<string, Map<string, number>>();

  /** One ref gained (+1) or lost (-1) this copy of a path; true when the set of copies changed. */
  add(path: string, blob: string, delta: 1 | -1): boolean {
    let byBlob = this.counts.get(path);
    if (!byBlob) {
      if (delta < 0) return false;
      byBlob = new Map();
      this.counts.set(path, byBlob);
    }
    const before = byBlob.get(blob) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) byBlob.delete(blob);
    else byBlob.set(blob, after);
    if (byBlob.size === 0) this.counts.delete(path);
    return (before === 0) !== (after === 0);
  }

  /** The copies of a path some ref holds. */
  copies(path: string): string[] {
    return [...(this.counts.get(path)?.keys() ?? [])];
  }

  clear(): void {
    this.counts.clear();
  }
}

/** One file's change in one ref's tree. */
export interface TreeChange {
  path: string;
  /** The blob before (null: added) and after (null: deleted). */
  old: string | null;
  next: string | null;
}

/** What one ref's move changed: against its previous tip, or against a base tree for a new ref. */
export interface TipDiff {
  tip: Tip;
  /** 'moved': against its own previous tip; 'org-base': a new ref, against the organisation tip; 'empty-base': a new ref, against nothing. */
  base: 'moved' | 'org-base' | 'empty-base';
  changes: TreeChange[];
}

const ZERO = /^0+$/;

/**
 * Diffs every ref that moved in ONE `git diff-tree -r --stdin` (issue 14): a moved ref against its
 * previous commit, a new ref against the organisation tip (it started there) or the empty tree.
 */
export async function diffTips(git: Git, objectFormat: 'sha1' | 'sha256', requests: ReadonlyArray<{ tip: Tip; base: TipDiff['base']; against: string | null }>): Promise<TipDiff[]> {
  if (requests.length === 0) return [];
  // "<new> <old>" compares two commits (the second as the first's parent); "<tree> <tree>" two trees.
  const lines = requests.map((r) => (r.base === 'empty-base' ? `${emptyTree(objectFormat)} ${r.tip.tree}` : `${r.tip.commit} ${r.against}`));
  const out = await git.text('read-ledger-diff', ['diff-tree', '-r', '--stdin', '--always', '--raw', '--no-abbrev', '--no-renames'], { input: `${lines.join('\n')}\n` });
  const diffs: TipDiff[] = [];
  let current: TipDiff | null = null;
  for (const line of out.split('\n')) {
    if (!line) continue;
    if (!line.startsWith(':')) {
      // Each input line is answered by one header line, then its changes.
      const r = requests[diffs.length];
      if (!r) break;
      current = { tip: r.tip, base: r.base, changes: [] };
      diffs.push(current);
      continue;
    }
    const m = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*\t(.+)$/.exec(line);
    if (!m || !current) continue;
    // Submodule entries (mode 160000) are no files of ours: a tree of evidence never holds one.
    if (m[1] === '160000' || m[2] === '160000') continue;
    current.changes.push({ path: m[6]!, old: ZERO.test(m[3]!) ? null : m[3]!, next: ZERO.test(m[4]!) ? null : m[4]! });
  }
  if (diffs.length !== requests.length) throw new Error(`git diff-tree answered ${diffs.length} of ${requests.length} tips`);
  return diffs;
}
