import { z } from 'zod';
import { DestinationIdSchema } from './policy';

// The `forwarding-state` record of a host's journal (issue 19, "the board shows a host whose
// forwarding is behind"). Forwarding's own state (cursors, failures) lives in each host's git
// dir and is never pushed, so the commander's console cannot read another host's; what crosses
// hosts is the evidence. A host therefore records, in its own journal, when its forwarding falls
// behind and when it has caught up again: a claim by that host, as of the record's time, which the
// board shows as such. No reason text: the failure's kind says enough and cannot carry a secret.

const Instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);

/** Why a destination did not take an event (app/forwarding/status.ts ForwardFailureKind). */
const FailureKindSchema = z.enum(['unreachable', 'tls', 'wrong-ca', 'certificate', 'auth', 'http-status', 'protocol', 'config', 'ledger']);

/** One destination as a `forwarding-state` record states it. */
export const RecordedDestinationSchema = z.object({
  id: DestinationIdSchema,
  /** This host's records the destination had not acknowledged when the record was written. */
  pending: z.number().int().min(0),
  /** Null when the destination was not failing. */
  failure: FailureKindSchema.nullable(),
  failingSince: Instant.nullable(),
  /** When the destination last acknowledged a record (null: never). */
  lastDeliveredAt: Instant.nullable(),
}).strict();

/** The payload of a `forwarding-state` record: behind (with the destinations behind) or caught up (every destination). */
export const FORWARDING_STATE_PAYLOAD = z.object({
  state: z.enum(['behind', 'caught-up']),
  destinations: z.array(RecordedDestinationSchema).max(8),
}).strict();

/** A `forwarding-state` record's payload. */
export type ForwardingStatePayload = z.infer<typeof FORWARDING_STATE_PAYLOAD>;
