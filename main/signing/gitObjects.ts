import { createHash } from 'node:crypto';
import type { ObjectFormat } from './commitSignature';

/**
 * Git's object encoding, for the record commit path (recordCommit.ts): object ids computed
 * in-process so the trees, the commit payload and its signature can be prepared before git
 * writes anything, and checked against what git reports. Names are handled as latin1 strings so
 * every byte of a tree entry name survives unchanged.
 */

/** One entry of a tree object. */
export interface TreeEntry {
  /** Octal mode as git stores it in trees: `100644`, `100755`, `120000`, `40000`, `160000`. */
  mode: string;
  /** The entry name, one latin1 character per byte. */
  name: string;
  /** Hex object id. */
  id: string;
}

/** Bytes of one id in this object format. */
export function idBytes(format: ObjectFormat): number {
  return format === 'sha256' ? 32 : 20;
}

/** The id git gives an object of `type` with `body` (`<type> <size>\0<body>` hashed). */
export function objectId(type: 'blob' | 'tree' | 'commit', body: Buffer, format: ObjectFormat): string {
  return createHash(format === 'sha256' ? 'sha256' : 'sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** Parses a tree object's body (`<mode> <name>\0<raw id>` repeated). */
export function parseTree(body: Buffer, format: ObjectFormat): TreeEntry[] {
  const n = idBytes(format);
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const nul = body.indexOf(0x00, space);
    if (space === -1 || nul === -1 || nul + 1 + n > body.length) throw new Error('malformed tree object');
    entries.push({ mode: body.subarray(at, space).toString('latin1'), name: body.subarray(space + 1, nul).toString('latin1'), id: body.subarray(nul + 1, nul + 1 + n).toString('hex') });
    at = nul + 1 + n;
  }
  return entries;
}

const isTree = (e: TreeEntry) => e.mode === '40000' || e.mode === '040000';

/** Git's tree order (base_name_compare): by name bytes, a subtree sorting as if its name ended in "/". */
export function sortTreeEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry) => (isTree(e) ? `${e.name}/` : e.name);
  return [...entries].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** A tree object's body, entries in git's order. */
export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of sortTreeEntries(entries)) {
    parts.push(Buffer.from(`${isTree(e) ? '40000' : e.mode} ${e.name}\0`, 'latin1'), Buffer.from(e.id, 'hex'));
  }
  return Buffer.concat(parts);
}

/** One tree as `git mktree -z` reads it: `<mode> <type> <id>\t<name>\0` per entry. */
export function mktreeInput(entries: readonly TreeEntry[]): Buffer {
  return Buffer.concat(entries.map((e) => Buffer.from(`${isTree(e) ? '040000 tree' : e.mode === '160000' ? '160000 commit' : `${e.mode} blob`} ${e.id}\t${e.name}\0`, 'latin1')));
}
