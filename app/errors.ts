/**
 * Typed failures of the domain. Every refusal carries a code a caller can map (CLI exit code,
 * IPC error envelope) and a message that tells the person what to do next.
 */

/** What kind of failure this is; the CLI maps each to its exit code (issue 2). */
export type ErrorCode =
  | 'invalid-input' // bad input: exit 2
  | 'refused' // refused by policy or state: exit 1
  | 'no-active-session' // nothing active, or expired: exit 3
  | 'evidence-not-committed' // the ledger could not be written: exit 4
  | 'internal';

/** One problem with one field of an input, addressed by its path. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** A failure the user can act on. Never carries secrets, stack traces or home paths in `message`. */
export class BreakGlassError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly problems: FieldProblem[];

  constructor(code: ErrorCode, message: string, options: { field?: string; problems?: FieldProblem[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BreakGlassError';
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    this.problems = options.problems ?? (options.field ? [{ path: options.field, message }] : []);
  }
}

/** Shorthand for a refusal by policy or session state. */
export function refused(message: string, field?: string): BreakGlassError {
  return new BreakGlassError('refused', message, field === undefined ? {} : { field });
}

/** Exhaustiveness guard for switches over tagged unions (style.md, "state and errors"). */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
