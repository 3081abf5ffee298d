import { z } from 'zod';
import { CONTROLS, CONTROLS_BY_RECORD_TYPE, type ControlId } from './controls';
import { AttestationsSchema, GovernedPathSchema } from './declaration';
import { PersonSchema } from './identity';
import { TRIGGER_IDS } from './policy';
import { lineSchema, textSchema } from './text';
import { RECORDING_PAYLOADS } from './recording/recordPayloads';
import { FORWARDING_STATE_PAYLOAD } from './forwarding/statePayload';
import { AckEventSchema, StoredCodeSchema } from './acknowledgement/codes';
import { WITNESSED_PAYLOAD } from './witnessPayload';

/** Schema version of evidence records; bumped only with a migration note in the README. */
export const RECORD_SCHEMA_VERSION = 1 as const;

/** ISO-8601 UTC instant with milliseconds, as `Date.prototype.toISOString` writes it. */
export const UtcInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, 'Not a UTC instant (YYYY-MM-DDTHH:MM:SS.mmmZ).');

/** Break-glass session ids: `bg-YYYYMMDD-HHMMSS-<8 hex>` (sortable by declaration time, unique per host). Journal ids: `journal-<host id>`. */
export const SessionIdSchema = z.string().regex(/^(bg-\d{8}-\d{6}-[0-9a-f]{8}|journal-[a-z0-9-]{1,64})$/, 'Not a session id.');

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Proof that a raw output matches a record, without letting anyone test a guessed secret against
 * it (issue 13): only the holder of the host's output key (keyId = SHA-256 of the key) can compute it.
 */
export const OutputHmacSchema = z.object({
  alg: z.literal('hmac-sha256'),
  keyId: Hex64,
  value: Hex64,
}).strict();

/** An action's output authenticator. */
export type OutputHmac = z.infer<typeof OutputHmacSchema>;

/** How many redactions of each kind a record's text had (never the values or their lengths). */
export const RedactionKindsSchema = z.record(z.string().regex(/^[a-z0-9-]{1,80}$/), z.number().int().min(1));

const HostSchema = z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/), name: z.string().min(1).max(255) }).strict();

/**
 * The host's boot clock when the record was written (issue 16), beside its wall time `at`: which
 * boot (`/proc/sys/kernel/random/boot_id`) and how long since it (CLOCK_BOOTTIME, counting
 * suspend, read from `/proc/uptime`: a file a preloaded clock shim does not change). `changed`:
 * the previous record this one is compared with was written in another boot. Absent where the
 * host has no /proc (macOS, Windows) and in records written before issue 16.
 */
export const RecordBootSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  sinceBootMs: z.number().int().min(0),
  changed: z.literal(true).optional(),
}).strict();

/** A record's boot-clock reading. */
export type RecordBoot = z.infer<typeof RecordBootSchema>;

/** Closing answers for each control the seed asks to restore (procedure.md §8). */
export const RestoredSchema = z.enum(['yes', 'no', 'not-applicable'], { error: 'Answer yes, no or not-applicable.' });

const FollowUpSchema = z.object({
  action: textSchema('The follow-up action', 2000, { minMessage: 'Describe the follow-up action.' }),
  owner: lineSchema('The follow-up owner', 200).pipe(z.string().min(1, 'Name the owner of the follow-up.')),
  due: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the due date as YYYY-MM-DD.').optional(),
}).strict();

/** The closure file (`breakglass close --file`), procedure.md §8. */
export const ClosureSchema = z.object({
  summary: textSchema('The summary', 20_000, { minMessage: 'Summarise what was changed.' }),
  reversalSteps: z.array(textSchema('A reversal step', 4000)).min(1, 'List the reversal steps taken (at least one).').max(200),
  controlsRestored: z.object({
    signingKeys: RestoredSchema,
    backendLocks: RestoredSchema,
    breakGlassCredentialsRotated: RestoredSchema,
  }).strict(),
  controlsNote: textSchema('The controls note', 4000, { min: 0 }).optional(),
  followUps: z.array(FollowUpSchema).max(200).default([]),
}).strict().superRefine((c, ctx) => {
  const anyNo = Object.values(c.controlsRestored).includes('no');
  if (anyNo && !c.controlsNote) {
    ctx.addIssue({ code: 'custom', path: ['controlsNote'], message: 'A control was not restored: say why and what will restore it.' });
  }
});

/** A closure as submitted. */
export type Closure = z.infer<typeof ClosureSchema>;

/** The review file (`breakglass review --file`), procedure.md §9. */
export const ReviewSchema = z.object({
  reviewer: PersonSchema,
  outcome: z.enum(['justified', 'justified-with-findings', 'not-justified'], { error: 'Outcome: justified, justified-with-findings or not-justified.' }),
  drill: z.boolean({ error: 'Say whether this was a drill (true) or a real emergency (false).' }),
  findings: textSchema('The findings', 20_000, { min: 0 }).default(''),
  followUps: z.array(FollowUpSchema).max(200).default([]),
  supersedes: Hex64.optional(),
}).strict().superRefine((r, ctx) => {
  if (r.outcome !== 'justified' && r.findings.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['findings'], message: 'Describe the findings behind this outcome.' });
  }
});

/** A review as submitted. */
export type Review = z.infer<typeof ReviewSchema>;

const StoredDeclarationSchema = z.object({
  trigger: z.enum(TRIGGER_IDS),
  governedPathsTried: z.array(GovernedPathSchema).min(1),
  materialRisk: z.string(),
  attestations: AttestationsSchema,
  incidentId: z.string().min(1),
  justification: z.string(),
  environment: z.string().min(1),
  scopes: z.array(z.string()).min(1),
  durationMinutes: z.number().int().min(1),
  operator: PersonSchema,
}).strict();

const PreconditionResultSchema = z.object({
  id: z.string(),
  status: z.enum(['pass', 'fail', 'warn']),
  detail: z.string(),
}).strict();

/** Payloads, one per record type. */
export const PAYLOADS = {
  declared: z.object({
    declaration: StoredDeclarationSchema,
    expiresAt: UtcInstant,
    policySha256: Hex64,
    preconditions: z.array(PreconditionResultSchema),
  }).strict(),
  action: z.object({
    kind: z.enum(['command', 'shell-opened']),
    argv: z.array(z.string()),
    shell: z.boolean(),
    cwd: z.string(),
    startedAt: UtcInstant,
    endedAt: UtcInstant,
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    stoppedBy: z.enum(['operator', 'expiry']).nullable(),
    via: z.enum(['cli-exec', 'console']),
    /** Records written before issue 13: a plain SHA-256 of the raw output (anyone could test a guess against it). */
    outputSha256: Hex64.optional(),
    /** Issue 13: HMAC-SHA-256, under this host's output key, of the raw output's SHA-256 digest. */
    outputHmac: OutputHmacSchema.optional(),
    outputBytes: z.number().int().min(0),
    output: z.string(),
    outputTruncated: z.boolean(),
    /** The `action-started` record this action finishes (issue 12 item 7); absent for shells and older records. */
    started: z.object({ seq: z.number().int().min(1), hash: Hex64 }).strict().optional(),
  }).strict().refine((p) => (p.outputSha256 === undefined) !== (p.outputHmac === undefined), {
    message: 'An action carries exactly one of outputHmac (current) or outputSha256 (before issue 13).',
    path: ['outputHmac'],
  }),
  /** Committed before a command runs (issue 12 item 7): if it cannot be, nothing runs. */
  'action-started': z.object({
    kind: z.literal('command'),
    argv: z.array(z.string()),
    shell: z.boolean(),
    cwd: z.string(),
    startedAt: UtcInstant,
    via: z.enum(['cli-exec', 'console']),
  }).strict(),
  note: z.object({ text: z.string().min(1) }).strict(),
  extended: z.object({
    minutes: z.number().int().min(1),
    reason: z.string().min(1),
    previousExpiresAt: UtcInstant,
    newExpiresAt: UtcInstant,
  }).strict(),
  expired: z.object({ expiresAt: UtcInstant, recordedAt: UtcInstant }).strict(),
  closed: z.object({ closure: ClosureSchema, reviewDueAt: UtcInstant }).strict(),
  // `reviews`: the hash of the closing record reviewed. A review carrying it sits outside the
  // operator's chain, on the reviewer host's own ref (issue 14); without it, a review from before
  // that change, sealed into the chain as `<seq>-reviewed.json`.
  reviewed: z.object({ review: ReviewSchema, reviews: Hex64.optional() }).strict(),
  'lock-recovered': z.object({
    previousOwner: z.object({ pid: z.number().int(), host: z.string(), since: z.string() }).strict().nullable(),
    reason: z.string(),
    gitLockFilesRemoved: z.array(z.string()),
  }).strict(),
  // `wallClockAt` is what the wall clock read, `expectedAt` what the monotonic clock says it should
  // have read, `skewMs` the difference. With `elapsed` (issue 16) the monotonic clock is the boot
  // clock: both elapsed times since record `sinceSeq` of the same chain and boot, skewMs = wallMs −
  // bootMs, and the session's expiry follows the earlier of the two deadlines. Without it (a host
  // with no boot clock; records before issue 16), what the running console saw between two ticks.
  'clock-skew': z.object({
    wallClockAt: UtcInstant,
    expectedAt: UtcInstant,
    skewMs: z.number().int(),
    elapsed: z.object({
      sinceSeq: z.number().int().min(1),
      wallMs: z.number().int(),
      bootMs: z.number().int().min(0),
    }).strict().optional(),
  }).strict(),
  'policy-adopted': z.object({
    previousPolicySha256: Hex64.nullable(),
    policySha256: Hex64,
    reason: z.string(),
  }).strict(),
  // Issue 19: this host's forwarding fell behind or caught up (app/forwarding/statePayload.ts).
  'forwarding-state': FORWARDING_STATE_PAYLOAD,
  // Issue 17: the governed shell's recording (app/recording/recordPayloads.ts).
  ...RECORDING_PAYLOADS,
  // Issue 16 (app/acknowledgement/): the commander's signed acknowledgement of a challenge, on the
  // commander host's journal (never in the operator's chain). `signature`: the armored SSHSIG by
  // the commander's key over `breakglass-ack-v1:<challenge>`, namespace `breakglass-ack`;
  // `response`: the code read back to the operator (from the signature's bytes).
  acknowledgement: z.object({
    event: AckEventSchema,
    challenge: StoredCodeSchema,
    signature: z.string().min(1).max(8000),
    response: StoredCodeSchema,
  }).strict(),
  // Issue 16: the operator typed the commander's response code into the session's chain;
  // provisional until the commander's record is in the same history.
  acknowledged: z.object({
    event: AckEventSchema,
    challenge: StoredCodeSchema,
    response: StoredCodeSchema,
  }).strict(),
  // Issue 16: a witness's signed statement, on the witness host's journal, of each host's history
  // tip it saw (app/witness.ts): the commit of that host's ref and how many records it held.
  // `via`: seen by the console's fetch, or stated by `breakglass witness`.
  witnessed: WITNESSED_PAYLOAD,
} as const;

/** Every record type. */
export type RecordType = keyof typeof PAYLOADS;

/** The record types in a stable order. */
export const RECORD_TYPES = Object.keys(PAYLOADS) as [RecordType, ...RecordType[]];

const ControlIdSchema = z.enum(Object.keys(CONTROLS) as [ControlId, ...ControlId[]]);

const envelope = {
  v: z.literal(RECORD_SCHEMA_VERSION),
  sessionId: SessionIdSchema,
  seq: z.number().int().min(1),
  at: UtcInstant,
  /** Issue 16; absent where the host has no boot clock and in records written before it, which stay valid. */
  boot: RecordBootSchema.optional(),
  host: HostSchema,
  actor: PersonSchema,
  controls: z.array(ControlIdSchema),
  redactions: z.number().int().min(0),
  /** Issue 13; absent from records written before it, which stay valid. */
  redactionKinds: RedactionKindsSchema.optional(),
  prev: Hex64.nullable(),
  hash: Hex64,
};

function recordVariant<T extends RecordType>(type: T) {
  return z.object({ ...envelope, type: z.literal(type), payload: PAYLOADS[type] }).strict();
}

/** An evidence record as committed: envelope + typed payload, hash-chained per session (procedure.md §7). */
export const EvidenceRecordSchema = z.discriminatedUnion('type', [
  recordVariant('declared'),
  recordVariant('action'),
  recordVariant('action-started'),
  recordVariant('note'),
  recordVariant('extended'),
  recordVariant('expired'),
  recordVariant('closed'),
  recordVariant('reviewed'),
  recordVariant('lock-recovered'),
  recordVariant('clock-skew'),
  recordVariant('policy-adopted'),
  recordVariant('forwarding-state'),
  recordVariant('recording-started'),
  recordVariant('recording-chunk'),
  recordVariant('recording-degraded'),
  recordVariant('recording-ended'),
  recordVariant('acknowledgement'),
  recordVariant('acknowledged'),
  recordVariant('witnessed'),
]);

/** A parsed evidence record. */
export type EvidenceRecord = z.infer<typeof EvidenceRecordSchema>;

/** A record of one type. */
export type RecordOf<T extends RecordType> = Extract<EvidenceRecord, { type: T }>;

/** A record before it is sealed (hash and prev are computed by the chain). */
export type UnsealedRecord = { [T in RecordType]: Omit<RecordOf<T>, 'hash' | 'prev' | 'seq' | 'controls' | 'v'> }[RecordType];

/** The control tags a record of this type carries. */
export function controlsFor(type: RecordType): ControlId[] {
  return [...CONTROLS_BY_RECORD_TYPE[type]];
}

/**
 * True for a record of its session's hash chain: every record but a review filed on the reviewer's
 * host (issue 14), which names the closing record it reviews instead of extending the chain, so two
 * reviewers on two hosts never write the same path or sequence number.
 */
export function isChainRecord(record: Pick<EvidenceRecord, 'type' | 'payload'>): boolean {
  return !(record.type === 'reviewed' && (record.payload as { reviews?: string }).reviews !== undefined);
}

/**
 * Repository path of a record: `sessions/<YYYY>/<MM>/<session>/<seq>-<type>.json` (architecture.md),
 * journals under `journal/`; a review outside the chain is `review-<reviewer host>-<n>.json` in its
 * session's folder (n: that host's count of reviews of the session), unique per reviewer host.
 */
export function recordPath(record: Pick<EvidenceRecord, 'sessionId' | 'seq' | 'type'> & { host?: { id: string }; payload?: unknown }, sessionStartedAt: string): string {
  const seq = String(record.seq).padStart(6, '0');
  const outOfChain = record.host !== undefined && record.payload !== undefined && !isChainRecord(record as Pick<EvidenceRecord, 'type' | 'payload'>);
  const file = outOfChain ? `review-${record.host!.id}-${seq}.json` : `${seq}-${record.type}.json`;
  if (record.sessionId.startsWith('journal-')) return `journal/${record.sessionId.slice('journal-'.length)}/${file}`;
  const yyyy = sessionStartedAt.slice(0, 4);
  const mm = sessionStartedAt.slice(5, 7);
  return `sessions/${yyyy}/${mm}/${record.sessionId}/${file}`;
}

/** Parses a record path back into its parts (with the reviewer's host for a review outside the chain), or null when the path is not a record. */
export function parseRecordPath(path: string): { sessionId: string; seq: number; type: string; reviewerHost?: string } | null {
  const review = /^sessions\/\d{4}\/\d{2}\/(bg-[0-9a-f-]+)\/review-([a-z0-9-]{1,64})-(\d{6})\.json$/.exec(path);
  if (review) return { sessionId: review[1]!, seq: Number(review[3]), type: 'reviewed', reviewerHost: review[2]! };
  const m = /^(?:sessions\/\d{4}\/\d{2}\/(bg-[0-9a-f-]+)|journal\/([a-z0-9-]+))\/(\d{6})-([a-z-]+)\.json$/.exec(path);
  if (!m) return null;
  const sessionId = m[1] ?? `journal-${m[2]}`;
  return { sessionId, seq: Number(m[3]), type: m[4]! };
}

/** The commit message of a record: `breakglass(<session>): <type> <incident>` with trailers (architecture.md). */
export function commitMessageFor(record: EvidenceRecord, incidentId: string | null): string {
  const subject = `breakglass(${record.sessionId}): ${record.type}${incidentId ? ` ${incidentId}` : ''}`;
  const trailers = [
    `Breakglass-Session: ${record.sessionId}`,
    ...(incidentId ? [`Breakglass-Incident: ${incidentId}`] : []),
    `Breakglass-Type: ${record.type}`,
    `Breakglass-Record-Sha256: ${record.hash}`,
  ];
  return `${subject}\n\n${trailers.join('\n')}\n`;
}
