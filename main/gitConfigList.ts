/**
 * What git.ts makes of a repository's own config as `git config --local --list -z` prints it
 * (issue 12 item 15, issue 18): the keys and values, and the keys it refuses. Text only: git is
 * run by main/git.ts alone.
 */

/**
 * Families of keys that name programs per driver or per URL (`filter.<driver>.clean`,
 * `merge.<driver>.driver`, …), and settings that redirect or extend configuration. They cannot be
 * overridden one by one without knowing the names, so a repository whose own config sets any of
 * them is refused, with the key named and the fix.
 */
const REFUSED_LOCAL_KEYS: readonly RegExp[] = [
  /^filter\.[^.]+\.(clean|smudge|process)$/,
  /^merge\.[^.]+\.driver$/,
  /^diff\.[^.]+\.(textconv|command)$/,
  /^credential\./,
  /^url\.[^.]+\.(insteadof|pushinsteadof)$/,
  /^include\.path$/,
  /^includeif\./,
  /^core\.(sshcommand|gitproxy|pager|editor)$/,
  /^remote\.[^.]+\.(uploadpack|receivepack|proxy)$/,
  /^sequence\.editor$/,
  /^uploadpack\./,
  /^submodule\.[^.]+\.update$/,
];

/** The first key of `read` that REFUSED_LOCAL_KEYS names, or null. */
export function refusedKeyIn(read: ReadonlyMap<string, readonly string[]>): string | null {
  for (const key of read.keys()) if (REFUSED_LOCAL_KEYS.some((re) => re.test(key))) return key;
  return null;
}

/**
 * `git config --list -z`: entries end in NUL, a key and its value are separated by a newline (a
 * key without `=` has no value: listed as ''). Keys are trimmed and lower-cased (git already
 * lower-cases section and name; a subsection keeps its case, which REFUSED_LOCAL_KEYS ignores).
 */
export function parseConfigList(listed: string): Map<string, string[]> {
  const read = new Map<string, string[]>();
  for (const entry of listed.split('\0')) {
    const nl = entry.indexOf('\n');
    const key = (nl < 0 ? entry : entry.slice(0, nl)).trim().toLowerCase();
    if (!key) continue;
    const values = read.get(key) ?? [];
    values.push(nl < 0 ? '' : entry.slice(nl + 1));
    read.set(key, values);
  }
  return read;
}
