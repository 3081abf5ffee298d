import { BreakGlassError } from '../../app/errors';
import type { ErrorInfo } from '../../app/contract';

/** Maps any failure onto the envelope's error, keeping only what a person can act on. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof BreakGlassError) {
    return { code: e.code === 'internal' ? 'internal' : e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.problems.length ? { problems: e.problems } : {}) };
  }
  return { code: 'internal', message: 'Something went wrong inside the console; nothing was recorded. Retry, and if it persists run breakglass verify.' };
}

/** No paths of the user's home in messages (issue 3): `homeDir` becomes `~`. */
export function withoutHome(error: ErrorInfo, homeDir: string): ErrorInfo {
  const scrub = (s: string) => (homeDir.length > 1 ? s.split(homeDir).join('~') : s);
  return {
    ...error,
    message: scrub(error.message),
    ...(error.problems ? { problems: error.problems.map((p) => ({ ...p, message: scrub(p.message) })) } : {}),
  };
}

/** A path shown to the user, with their home as `~`. */
export function pathWithoutHome(p: string, homeDir: string): string {
  return homeDir.length > 1 && p.startsWith(homeDir) ? `~${p.slice(homeDir.length)}` : p;
}
