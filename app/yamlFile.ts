import type { z } from 'zod';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { formatPath } from './zodIssues';

/** A problem in a YAML file of the evidence repository, located by file, field path and line (style.md 8). */
export interface YamlProblem {
  file: string;
  field: string;
  line: number | null;
  message: string;
}

/** The result of loading a YAML file against a schema: the value, or every problem found. */
export type YamlLoad<T> = { ok: true; value: T } | { ok: false; problems: YamlProblem[] };

/** Finds the YAML node at a zod path, to report the line of a bad field (or of its parent when it is missing). */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number | null {
  let node: unknown = doc.contents;
  let best: YamlNode | null = (doc.contents as YamlNode | null) ?? null;
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      // The field itself is named on its key's line; a nested block's value starts a line later.
      best = (last || !pair.value ? pair.key : pair.value) as YamlNode;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item === undefined) break;
      node = item;
      best = item as YamlNode;
    } else break;
  }
  const offset = best?.range?.[0];
  return offset === undefined ? null : counter.linePos(offset).line;
}

/** Parses YAML text (duplicate keys refused) and validates it with `schema`; every error names the file, the field and the line. */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, file: string, schema: S): YamlLoad<z.output<S>> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        field: '',
        line: e.pos?.[0] === undefined ? null : counter.linePos(e.pos[0]).line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
      return {
        file,
        field: formatPath(path),
        line: lineOf(doc, counter, path),
        message: issue.code === 'unrecognized_keys' ? `unknown field "${issue.keys.join('", "')}"` : issue.message,
      };
    }),
  };
}

/** One line per problem: `policy.yaml:12: environments[0].scopes: …`. */
export function formatYamlProblems(problems: readonly YamlProblem[]): string {
  return problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n');
}
