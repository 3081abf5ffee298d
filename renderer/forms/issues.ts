/** Issues keyed by the field path the service uses (`incidentId`, `governedPathsTried[0].failure`, `reviewer.name`). */
export type FieldIssues = ReadonlyMap<string, readonly string[]>;

/** Issues of one field: its own path exactly, or (with `nested`) every path below it too. */
export function issuesAt(issues: FieldIssues, key: string, nested = false): string[] {
  const out: string[] = [...(issues.get(key) ?? [])];
  if (nested) {
    for (const [k, v] of issues) {
      if (k !== key && (k.startsWith(`${key}.`) || k.startsWith(`${key}[`))) out.push(...v);
    }
  }
  return [...new Set(out)];
}

/** The top-level field a path belongs to (`followUps[0].due` → `followUps`). */
export function topOf(path: string): string {
  return path.split(/[.[]/)[0] ?? '';
}
