import { z } from 'zod';

// The evidence records of a governed shell's recording (issue 17, "The recording is evidence"):
// `recording-started` (committed before the shell starts: fail closed), one `recording-chunk` per
// chunk of the asciicast file (its redacted text, offsets and hash), `recording-degraded` (best-effort
// mode: chunks could not be committed for a while) and `recording-ended` (how it ended). Each is
// a record of the session's hash chain, so `verify` checks the chunks as well as the chain.

const RecordingId = z.string().regex(/^[0-9a-f]{16}$/);
const Instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const Seconds = z.number().min(0);

/** How a recording ended (app/recording/model.ts RecordingEnd). */
export const RecordingEndSchema = z.enum(['exit', 'expiry', 'close', 'crash-recovered']);

/** Payloads of the four recording record types, keyed by type (spread into app/records.ts PAYLOADS). */
export const RECORDING_PAYLOADS = {
  'recording-started': z.object({
    recordingId: RecordingId,
    /** Where the shell runs: `breakglass shell` (also inside the external terminal) or the console's tab. */
    via: z.enum(['cli-shell', 'console']),
    shell: z.string().min(1),
    /** The shell integration injected for the command index, or null (no index). */
    integration: z.enum(['bash', 'zsh']).nullable(),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
    /** The policy's choice when a chunk cannot be committed: pause the shell, or go on degraded. */
    mode: z.enum(['strict', 'best-effort']),
    /** How the shell and everything it starts are contained; `reason` says what can escape. */
    containment: z.object({ kind: z.enum(['pid-namespace', 'process-group']), contained: z.boolean(), reason: z.string().max(500).optional() }).strict(),
    /** The recording process (this host): a later start closes the recording as crash-recovered once it is gone. */
    ownerPid: z.number().int().min(1),
  }).strict(),
  'recording-chunk': z.object({
    recordingId: RecordingId,
    seq: z.number().int().min(0),
    startOffset: z.number().int().min(0),
    endOffset: z.number().int().min(0),
    startTime: Seconds,
    endTime: Seconds,
    /** asciicast v2 lines, redacted (chunk 0 is the header). */
    text: z.string(),
    sha256: Hex64,
    ended: RecordingEndSchema.nullable(),
  }).strict(),
  'recording-degraded': z.object({
    recordingId: RecordingId,
    since: Instant,
    /** When commits worked again (null: still failing when the recording ended). */
    until: Instant.nullable(),
    failures: z.number().int().min(1),
  }).strict(),
  'recording-ended': z.object({
    recordingId: RecordingId,
    how: RecordingEndSchema,
    exitCode: z.number().int().nullable(),
    chunks: z.number().int().min(0),
    /**
     * The nonce the shell's command marks carried (app/recording/commandIndex.ts), published only
     * now that the shell is gone (while it ran, nothing inside could read it from the evidence).
     * Null for a crash-recovered recording: its command index cannot be checked.
     */
    markNonce: z.string().regex(/^[0-9a-f]{16}$/).nullable(),
  }).strict(),
} as const;

/** The recording record types. */
export const RECORDING_RECORD_TYPES = ['recording-started', 'recording-chunk', 'recording-degraded', 'recording-ended'] as const;
