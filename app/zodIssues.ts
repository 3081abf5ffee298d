import type { z } from 'zod';
import { BreakGlassError, type FieldProblem } from './errors';

/** Formats a zod issue path as `a.b[2].c`, the form every error message of the console uses. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** A key that may be named back in an error: short, printable, identifier-like. */
const SHOWABLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Turns zod issues into field problems with paths a person can find in their input. */
export function problemsFromZod(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      // A key is typed by whoever sent the input: echoed only when it looks like a field name (issue 12 item 17).
      const keys = issue.keys.map((k) => (SHOWABLE_KEY.test(k) ? (path ? `${path}.${k}` : k) : `${path ? `${path}.` : ''}(unknown field)`));
      return { path: keys[0] ?? path, message: `Unknown field ${keys.map((k) => `"${k}"`).join(', ')}: remove it (check the spelling against the template).` };
    }
    return { path, message: issue.message };
  });
}

/** Parses `input` with `schema`, or throws an invalid-input BreakGlassError naming the first field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = problemsFromZod(result.error);
  const first = problems[0];
  // A problem with the whole value names the value (`declaration`, `closure`…): a refusal always names its field.
  const field = first?.path || (/^[a-z][A-Za-z]*$/.test(what) ? what : '');
  const where = first?.path ? `${first.path}: ` : '';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return (() => {
    throw new BreakGlassError('invalid-input', `Invalid ${what}: ${where}${first?.message ?? 'invalid'}${more}`, {
      ...(field ? { field } : {}),
      problems,
    });
  })();
}
