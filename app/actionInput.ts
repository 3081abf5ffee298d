import { z } from 'zod';
import type { RECORDING_PAYLOADS } from './recording/recordPayloads';

/** Input of an action record, as the exec wrapper or the console's runner measured it. */
export const ActionInputSchema = z.object({
  kind: z.enum(['command', 'shell-opened']),
  argv: z.array(z.string()).min(1),
  shell: z.boolean(),
  cwd: z.string().min(1),
  startedAt: z.number(),
  endedAt: z.number(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stoppedBy: z.enum(['operator', 'expiry']).nullable(),
  via: z.enum(['cli-exec', 'console']),
  /** SHA-256 of the whole raw output, as the runner measured it: turned into an HMAC here, never stored (issue 13). */
  outputSha256: z.string().regex(/^[0-9a-f]{64}$/),
  outputBytes: z.number().int().min(0),
  /** The raw output as text; redacted and capped here, before anything is written. */
  output: z.string(),
}).strict();

/** An action as measured by a runner. */
export type ActionInput = z.infer<typeof ActionInputSchema>;

/** One recording record to commit: its type, payload and (chunks) the redactions its text had. */
export type RecordingRecordInput = {
  [T in keyof typeof RECORDING_PAYLOADS]: { type: T; payload: z.input<(typeof RECORDING_PAYLOADS)[T]>; redactions?: { count: number; kinds: Record<string, number> } };
}[keyof typeof RECORDING_PAYLOADS];

/** A command about to run (issue 12 item 7): what its `action-started` record says. */
export const ActionStartSchema = z.object({
  argv: z.array(z.string()).min(1),
  shell: z.boolean(),
  cwd: z.string().min(1),
  startedAt: z.number(),
  via: z.enum(['cli-exec', 'console']),
}).strict();

/** The `action-started` record an action finishes. */
export interface StartedRef {
  seq: number;
  hash: string;
}

/** The redacted output kept in a record is capped (issue 2: 64 KiB, the cap noted in the record). */
export const OUTPUT_CAP_BYTES = 64 * 1024;

/** Caps UTF-8 text at `maxBytes` without splitting a character. */
export function capUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let cut = maxBytes;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut -= 1;
  return { text: new TextDecoder().decode(bytes.subarray(0, cut)), truncated: true };
}

/** `breakglass extend` / the console's extension form. */
export const ExtendInputSchema = z.object({
  minutes: z.number({ error: 'Give the minutes to add as a whole number.' }).int('Give whole minutes.').min(1, 'Add at least 1 minute.'),
  reason: z.string().trim().min(1, 'An extension needs a new justification: say why more time is needed.').max(8000),
}).strict();
