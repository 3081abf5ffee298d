import type { Envelope, ErrorInfo } from '../../app/contract';

/** A transport failure (not an envelope) as an error the screen can show. */
export function bridgeFailure(e: unknown): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code: 'internal', message: `The console could not reach its service: ${e instanceof Error ? e.message : String(e)}` } };
}

/** A call of the preload API whose transport failure comes back as an envelope too: callers handle one shape. */
export function settle<T>(call: Promise<Envelope<T>>): Promise<Envelope<T>> {
  return call.catch((e: unknown) => bridgeFailure(e));
}
