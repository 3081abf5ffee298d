import type { BreakGlassApi, Envelope, EventPayloads } from './contract';
import { callGroups, EVENTS, type EventName } from './contractNames';

/** Sends one call over a transport (Electron IPC in the preload, a Playwright binding in the test host). */
export type Invoke = (name: string, input: unknown) => Promise<Envelope<unknown>>;

/** Subscribes to one event over a transport; returns the unsubscribe. */
export type Listen = (event: EventName, listener: (payload: unknown) => void) => () => void;

/**
 * Builds `window.breakglass` from the contract: one named method per call, grouped
 * (`session.declare`), and `on(event, listener)` returning the unsubscribe. Nothing generic is
 * exposed: no channel names, no invoke, no ipcRenderer (style.md "What we take" 3).
 */
export function buildApi(invoke: Invoke, listen: Listen): BreakGlassApi {
  const api: Record<string, unknown> = {};
  for (const [group, methods] of Object.entries(callGroups())) {
    const g: Record<string, (input?: unknown) => Promise<Envelope<unknown>>> = {};
    for (const m of methods) g[m] = (input?: unknown) => invoke(`${group}.${m}`, input ?? {});
    api[group] = Object.freeze(g);
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => {
    if (!EVENTS.includes(event)) throw new TypeError(`Unknown event "${String(event)}".`);
    return listen(event, listener as (p: unknown) => void);
  };
  return Object.freeze(api) as unknown as BreakGlassApi;
}
