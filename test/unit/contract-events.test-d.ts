import { describe, expectTypeOf, it } from 'vitest';
import type { BreakGlassApi, ContractEvent, EventPayloads, ExactlyOnePer } from '../../app/contract';
import type { EventName } from '../../app/contractNames';
import type { StatusSnapshot } from '../../app/views';

/**
 * The contract's events are locked to their payloads (issue 11, item 4). These are type tests:
 * `npm run typecheck` checks them (tsconfig.json includes test/), and a failure is a compile
 * error; vitest's typecheck mode (`--typecheck.enabled`, with this file in `--typecheck.include`) runs them
 * as tests too. Every `@ts-expect-error` line fails the check if the line below it compiles,
 * so these prove that a missing or an extra payload type is refused, not only that today's table
 * happens to be complete.
 */

/** An event a future change might add to EVENTS (app/contractNames.ts). */
type Archived = 'session.archived';

describe('contract events', () => {
  it('has exactly one payload type per event name, none of them unknown', () => {
    expectTypeOf<keyof EventPayloads>().toEqualTypeOf<EventName>();
    // What issue 11 found: with `extends Record<EventName, unknown>`, a name without its own payload type read as `unknown`.
    type Unknowns = { [E in EventName]: unknown extends EventPayloads[E] ? E : never }[EventName];
    expectTypeOf<Unknowns>().toBeNever();
  });

  it('refuses an event name added without a payload type', () => {
    // @ts-expect-error an event name ('session.archived') without a payload type does not compile
    type _NameWithoutPayload = ExactlyOnePer<EventName | Archived, EventPayloads>;
    // @ts-expect-error the same with no payload at all: every name needs one
    type _NoPayloads = ExactlyOnePer<Archived, object>;
    // With its payload type it compiles (the check refuses what is missing, not every table).
    type WithPayload = ExactlyOnePer<EventName | Archived, EventPayloads & { 'session.archived': { sessionId: string } }>;
    expectTypeOf<WithPayload[Archived]>().toEqualTypeOf<{ sessionId: string }>();
  });

  it('refuses a payload type whose event name is not in EVENTS', () => {
    // @ts-expect-error a payload type without an event name does not compile
    type _PayloadWithoutName = ExactlyOnePer<EventName, EventPayloads & { 'session.archived': { sessionId: string } }>;
    // @ts-expect-error a misspelt name is a payload without a name (and leaves its event without one)
    type _Misspelt = ExactlyOnePer<'state.changed', { 'state.change': StatusSnapshot }>;
  });

  it('is a union discriminated by the event name', () => {
    expectTypeOf<ContractEvent['event']>().toEqualTypeOf<EventName>();
    expectTypeOf<Extract<ContractEvent, { event: 'state.changed' }>['payload']>().toEqualTypeOf<StatusSnapshot>();
    expectTypeOf<Extract<ContractEvent, { event: 'countdown.warning' }>['payload']>().toEqualTypeOf<{ sessionId: string; minutesLeft: number; expiresAt: string }>();
    const read = (e: ContractEvent): number | null => (e.event === 'countdown.warning' ? e.payload.minutesLeft : null);
    expectTypeOf(read).returns.toEqualTypeOf<number | null>();
    // @ts-expect-error a payload that is not the event's own does not compile
    const _wrong: ContractEvent = { event: 'command.output', payload: { runId: 'r' } };
  });

  it('types the preload API\u2019s subscriptions from the same table', () => {
    // Never called: only its types are checked.
    const subscribe = (api: BreakGlassApi) => {
      api.on('command.output', (p) => expectTypeOf(p).toEqualTypeOf<{ runId: string; chunk: string }>());
      api.on('sync.changed', (p) => expectTypeOf(p).toEqualTypeOf<EventPayloads['sync.changed']>());
      // @ts-expect-error an event that is not in EVENTS cannot be subscribed to
      api.on('session.archived', () => {});
    };
    expectTypeOf(subscribe).toBeFunction();
  });
});
