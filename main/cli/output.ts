import { CommanderError } from 'commander';
import { BreakGlassError, type ErrorCode } from '../../app/errors';
import { formatRemaining } from '../../app/countdown';
import type { SessionState } from '../../app/lifecycle';
import type { PushStatus } from '../../app/views';
import { behindSentence } from '../../app/pushText';
import { escapeForTerminal } from '../../app/terminalText';

/**
 * The `breakglass` CLI's exit codes (issue 2): 0 success, 1 refused by policy or state, 2 bad
 * input, 3 no active session / expired, 4 evidence could not be committed. `exec` refuses with 125
 * before running anything, and otherwise exits with the command's own status.
 */
export const EXIT = { ok: 0, refused: 1, badInput: 2, noSession: 3, notCommitted: 4, execRefused: 125 } as const;

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  refused: EXIT.refused,
  'invalid-input': EXIT.badInput,
  'no-active-session': EXIT.noSession,
  'evidence-not-committed': EXIT.notCommitted,
  internal: EXIT.notCommitted,
};

/** The options every command takes. */
export interface GlobalOptions {
  repo?: string;
  json?: boolean;
}

/** Ends a command with this exit code, saying nothing more. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Prints the human text, or with `--json` the data as one JSON line. Human text is for a person's
 * terminal: every control sequence that evidence may carry (a name, an incident id, command
 * output) is shown escaped, never executed (issue 12 item 12). JSON escapes them itself.
 */
export function out(opts: GlobalOptions, human: string, data: unknown): void {
  const text = escapeForTerminal(human);
  process.stdout.write(opts.json ? `${JSON.stringify(data)}\n` : text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * What a command-line parsing error says (issue 12 item 13). commander's own messages repeat the
 * offending word ("unknown option '-pS3cret'"), and that word may be a secret typed in the wrong
 * place: these never repeat what was typed, only what we defined.
 */
export function commanderMessage(e: CommanderError): string {
  switch (e.code) {
    case 'commander.unknownOption':
      return 'Unknown option (not repeated here: it may hold a secret). See breakglass <command> --help. A note or a command that starts with "-" goes after --.';
    case 'commander.unknownCommand':
      return 'Unknown command (not repeated here). See breakglass --help.';
    case 'commander.invalidArgument': {
      // Commander's text quotes the value; only our own option name and its allowed choices are kept.
      const m = /^error: (option '[^']{1,80}') argument .* is invalid\.(?: (Allowed choices are [A-Za-z0-9, _-]{1,200}\.))?$/s.exec(e.message);
      if (m) return `The ${m[1]} has a value it does not accept (not repeated here).${m[2] ? ` ${m[2]}` : ''} See breakglass <command> --help for the values it takes.`;
      return 'An option has a value it does not accept (not repeated here). See breakglass <command> --help for the values it takes.';
    }
    case 'commander.excessArguments':
      return 'Too many arguments (not repeated here). See breakglass <command> --help; a note with spaces needs no quotes, a command goes after --.';
    case 'commander.missingArgument':
    case 'commander.optionMissingArgument':
    case 'commander.missingMandatoryOptionValue':
    case 'commander.conflictingOption':
      // These name only our own argument and option names.
      return e.message.replace(/^error: /, '');
    default:
      return 'The command line could not be read. See breakglass --help.';
  }
}

/** Prints one line that says what to do, on stderr, and returns the exit code. */
export function fail(opts: GlobalOptions, e: unknown, exitOverride?: number): number {
  if (e instanceof Exit) return e.code;
  // An unexpected error's own message may carry anything (a path, a value): it is not printed.
  const err = e instanceof BreakGlassError ? e : e instanceof CommanderError ? new BreakGlassError('invalid-input', commanderMessage(e)) : new BreakGlassError('internal', 'Unexpected failure inside breakglass; nothing more was recorded. Run breakglass verify, and retry.');
  const message = escapeForTerminal(err.message.replace(/\s*\n\s*/g, ' | '));
  if (opts.json) process.stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), problems: err.problems } })}\n`);
  else process.stderr.write(`breakglass: ${message}\n`);
  return exitOverride ?? EXIT_BY_CODE[err.code];
}

/** One line per session: id, incident, environment, operator and where it stands. */
export function describeState(s: SessionState): string {
  const d = s.declaration;
  const base = `${s.sessionId}  ${d.incidentId}  ${d.environment}  ${s.operator.name}`;
  switch (s.phase) {
    case 'active':
      return `${base}  ACTIVE, ${formatRemaining(s.remainingMs)} left (expires ${s.expiresAt}${byBootClock(s)})`;
    case 'expired':
      return `${base}  EXPIRED at ${s.expiresAt}${byBootClock(s)}, awaiting closure`;
    case 'closed':
      return `${base}  CLOSED, review due ${s.closed?.reviewDueAt}${s.reviewOverdue ? ' (OVERDUE)' : ''}`;
    case 'reviewed':
      return `${base}  REVIEWED: ${s.review?.review.outcome}`;
  }
}

/** Issue 16: said when the boot clock's deadline is the earlier one. */
function byBootClock(s: SessionState): string {
  return s.wallExpiresAt !== s.expiresAt ? ` by the boot clock; the wall clock's deadline was ${s.wallExpiresAt}` : '';
}

/** A session as `--json` prints it. */
export function sessionJson(s: SessionState) {
  return {
    sessionId: s.sessionId, phase: s.phase, incidentId: s.declaration.incidentId, environment: s.declaration.environment,
    trigger: s.declaration.trigger, scopes: s.declaration.scopes, operator: s.operator, host: s.host, declaredAt: s.declaredAt,
    expiresAt: s.expiresAt, ...(s.wallExpiresAt !== s.expiresAt ? { wallExpiresAt: s.wallExpiresAt } : {}),
    remainingMs: s.phase === 'active' ? s.remainingMs : 0, reviewDueAt: s.closed?.reviewDueAt ?? null,
    reviewOutcome: s.review?.review.outcome ?? null, records: s.recordCount,
  };
}

/** The push state in one line (`breakglass status`). */
export function describePush(push: PushStatus): string {
  return push.state === 'local-only' ? 'local only (no remote configured)'
    : push.state === 'synced' ? `synced${push.lastPushAt ? ` (last push ${push.lastPushAt})` : ''}`
      : push.state === 'pending' ? `${push.pending} record(s) pending`
        : push.state === 'offline' ? `offline since ${push.since}, ${push.pending} pending, next try ${push.nextTryAt ?? 'on next push'} (${push.reason})`
          : push.state === 'behind' ? `behind the remote: ${behindSentence(push)}`
            : `rejected: ${push.reason} (${push.pending} pending)`;
}
