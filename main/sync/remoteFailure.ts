import { GitFailure } from '../git';

/**
 * The one reading of git's remote failures (issue 11): "Test connection" (remoteTest.ts), the push
 * outbox and the board's fetch all ask this file what a failed `ls-remote`, `fetch` or `push`
 * means. Each caller maps the cause onto its own words; the patterns live only here.
 */

/** Why a remote call failed, as a person can act on it. */
export type RemoteFailureCause =
  /** No answer within the hard timeout (a blackholed address, a hung server). */
  | 'timeout'
  /** The network or the server is not there (DNS, refused, reset, no route). */
  | 'unreachable'
  /** Reached, but there is no repository there (or the server does not export it). */
  | 'not-a-repository'
  /** The remote refused our credentials. */
  | 'auth'
  /** The remote refused the push itself (hook, protected branch, a ref it would not move). */
  | 'push-rejected'
  /** Nothing recognisable: treated as a passing network problem. */
  | 'unknown';

/** A classified remote failure: the cause, and git's own reason line (bounded, no boilerplate). */
export interface RemoteFailure {
  cause: RemoteFailureCause;
  message: string;
}

/** Checked in this order: the first match names the cause. */
const CAUSES: ReadonlyArray<[Exclude<RemoteFailureCause, 'timeout' | 'unknown'>, RegExp]> = [
  ['unreachable', /Could not resolve host|Connection refused|Connection timed out|Network is unreachable|No route to host|unable to connect|Failed to connect|Couldn't connect to server|early EOF|Connection reset/i],
  ['not-a-repository', /does not appear to be a git repository|not a git repository|repository .* not found|not exported|No such file or directory/i],
  // Word boundaries: a port such as 127.0.0.1:40137 is not an HTTP 401.
  ['auth', /Authentication failed|Permission denied|could not read Username|\b40[13]\b/i],
  ['push-rejected', /\[rejected\]|\[remote rejected\]|pre-receive hook declined|protected branch|non-fast-forward|cannot lock ref|failed to update ref/i],
  // ssh's closing line after its own failure: the network, unless something above said more.
  ['unreachable', /Could not read from remote/i],
];

/** git's closing boilerplate after the real reason: nothing a person can act on. */
const BOILERPLATE = /^fatal: Could not read from remote repository\.$|^Please make sure you have the correct access rights$|^and the repository exists\.$/;

/** The text git printed for a failure (its stderr), or the error's message. */
export function failureText(e: unknown): string {
  return e instanceof GitFailure ? e.stderr : (e as Error)?.message ?? String(e);
}

/** Classifies a failed remote call (a GitFailure, or any error). */
export function classifyRemoteFailure(e: unknown): RemoteFailure {
  const text = failureText(e);
  const message = reasonLine(text);
  if (e instanceof GitFailure && e.exitCode === null) return { cause: 'timeout', message };
  for (const [cause, pattern] of CAUSES) if (pattern.test(text)) return { cause, message };
  return { cause: 'unknown', message };
}

/**
 * git's error line, not its progress chatter ("Looking up host ... done."): the first line with
 * `fatal:`, `error:` or `[rejected]` (from the marker on, when it sits mid-line after progress),
 * joined with the next when git split it ("unable to connect to host:" / "errno=Connection
 * refused"), at most 300 characters.
 */
export function reasonLine(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '').trim()).filter((l) => l && !BOILERPLATE.test(l));
  const marker = /\b(fatal|error):|\[(remote )?rejected\]/i;
  const at = Math.max(0, lines.findIndex((l) => marker.test(l)));
  const found = lines[at]?.search(marker) ?? -1;
  const head = found > 0 ? lines[at]!.slice(found) : lines[at];
  const next = lines[at + 1];
  const line = (head?.endsWith(':') && next ? `${head} ${next.replace(/^fatal: /, '')}` : head) ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** The remote has no such branch yet (a new, empty shared repository): nothing to fetch is not a failure. */
export function isMissingRemoteBranch(e: unknown): boolean {
  return e instanceof GitFailure && /couldn't find remote ref/i.test(e.stderr);
}

/** A push refused because another host pushed first (or won the race at the remote): fetch, merge, retry. */
export function isLostPushRace(output: string): boolean {
  return /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref/.test(output);
}
