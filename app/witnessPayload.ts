import { z } from 'zod';

/**
 * The `witnessed` record's payload (issue 16): each host history tip a witness saw — the host's id,
 * the commit of its ref (a full object id, SHA-1 or SHA-256) and how many records that history held.
 * `via`: 'fetch' when the console wrote it after fetching, 'command' for `breakglass witness`.
 */
export const WITNESSED_PAYLOAD = z.object({
  tips: z.array(z.object({
    host: z.string().regex(/^[a-z0-9-]{1,64}$/),
    commit: z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/),
    records: z.number().int().min(0),
  }).strict()).min(1).max(10_000),
  via: z.enum(['fetch', 'command']),
}).strict();

/** What a witness saw of one host's history. */
export type WitnessedTip = z.infer<typeof WITNESSED_PAYLOAD>['tips'][number];
