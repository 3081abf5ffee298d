// The break-glass environment block (procedure.md §4). The block is written to
// session.env and `eval`ed by operators' shells, and the reason is free text typed
// under pressure, so every value is POSIX single-quoted: inside '…' no character is
// special except the closing quote, which bash, sh and dash all treat alike.

import { formatPerson } from './identity';
import type { SessionState } from './lifecycle';

/** Everything the active session exposes to the operator's shell and child processes. */
export interface BreakGlassEnv {
  reason: string;
  timestamp: Date;
  incidentId: string;
  operator: string;
  environment: string;
  trigger: string;
  expiresAt: Date;
  sessionId: string;
  evidenceCommit: string;
}

/** Formats a date as `YYYY-MM-DDTHH:MM:SSZ` in UTC, seconds precision, like `date -u +%Y-%m-%dT%H:%M:%SZ`. */
export function formatSeedTimestamp(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new TypeError('formatSeedTimestamp: not a valid Date');
  }
  const year = d.getUTCFullYear();
  // toISOString switches to a signed six-digit year outside 0000–9999, which the seed's format cannot express.
  if (year < 0 || year > 9999) throw new RangeError(`formatSeedTimestamp: year ${year} is outside 0000-9999`);
  // Truncate, not round, the milliseconds: `date` prints the current second.
  return `${d.toISOString().slice(0, 19)}Z`;
}

// A lone UTF-16 surrogate cannot be encoded as UTF-8; it would reach the shell as U+FFFD,
// so the variable would silently differ from what was recorded.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertShellSafe(value: string, what: string): void {
  if (typeof value !== 'string') throw new TypeError(`${what}: expected a string, got ${typeof value}`);
  if (value.includes('\0')) {
    throw new TypeError(`${what}: value contains a NUL character, which no shell variable or process environment can hold`);
  }
  if (LONE_SURROGATE.test(value)) {
    throw new TypeError(`${what}: value contains an unpaired UTF-16 surrogate, which cannot be passed to a shell unchanged`);
  }
}

/** Quotes a value for POSIX shells ('…' with each ' written as '\''), safe to eval whatever it contains; refuses NUL. */
export function shellQuote(value: string): string {
  assertShellSafe(value, 'shellQuote');
  return `'${value.replaceAll("'", String.raw`'\''`)}'`;
}

/** The ten variable names and values, in the order procedure.md §4 lists them, unquoted (for child processes). */
export function envVariables(env: BreakGlassEnv): Record<string, string> {
  const vars: Record<string, string> = {
    GOVERNED_BREAK_GLASS: 'true',
    BREAK_GLASS_REASON: env.reason,
    BREAK_GLASS_TIMESTAMP: formatSeedTimestamp(env.timestamp),
    BREAK_GLASS_INCIDENT_ID: env.incidentId,
    BREAK_GLASS_OPERATOR: env.operator,
    BREAK_GLASS_ENVIRONMENT: env.environment,
    BREAK_GLASS_TRIGGER: env.trigger,
    BREAK_GLASS_EXPIRES_AT: formatSeedTimestamp(env.expiresAt),
    BREAK_GLASS_SESSION_ID: env.sessionId,
    BREAK_GLASS_EVIDENCE_COMMIT: env.evidenceCommit,
  };
  // Refuse here too: a child-process environment cannot carry NUL either, and failing
  // at render time names the offending variable instead of a spawn error later.
  for (const [name, value] of Object.entries(vars)) assertShellSafe(value, name);
  return vars;
}

/** Renders the active-session block: one `export NAME='value'` line per variable, in §4 order. */
export function renderEnvExport(env: BreakGlassEnv): string {
  return Object.entries(envVariables(env))
    .map(([name, value]) =>
      // The flag is a fixed literal, written bare exactly as procedure.md §4 shows it.
      name === 'GOVERNED_BREAK_GLASS' ? `export ${name}=${value}\n` : `export ${name}=${shellQuote(value)}\n`,
    )
    .join('');
}

/** The line written to session.env once the session has expired or been closed. */
export function renderEnvInactive(): string {
  return 'export GOVERNED_BREAK_GLASS=false\n';
}

/** The block's values for an active session; `evidenceCommit` is the commit of its `declared` record. */
export function sessionEnv(state: SessionState, evidenceCommit: string): BreakGlassEnv {
  return {
    reason: state.declaration.justification,
    timestamp: new Date(state.declaredAt),
    incidentId: state.declaration.incidentId,
    operator: formatPerson(state.operator),
    environment: state.declaration.environment,
    trigger: state.declaration.trigger,
    expiresAt: new Date(state.expiresAt),
    sessionId: state.sessionId,
    evidenceCommit,
  };
}
