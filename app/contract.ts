import { z } from 'zod';
import { PersonSchema, whyNotNamedHuman } from './identity';
import type { Policy } from './policy';
import type { PreconditionResult } from './service';
import type { BoardData, PushStatus, SessionDetail, SessionView, StatusSnapshot, SyncStatus } from './views';
import type { EvidenceRecord } from './records';
import type { CallName, EventName } from './contractNames';
import type { VerifyResult } from './verifyResult';
import type { RecordingPlayback } from './recording/playback';
import type { ForwardDestinationStatus, ForwardTestResult } from './forwarding/status';
import { GOVERNED_FILES, ProposalIdSchema } from './roster/governance';
import { RosterAccountSchema, RosterIdSchema } from './roster/schema';
import { SSH_KEY_TYPES } from './roster/sshKey';
import { AckEventSchema } from './acknowledgement/codes';
import { BoardOpenSchema, BoardRowsSchema, type BoardOpened, type BoardPage } from './boardWire';

/**
 * The one contract between the UI and the main process (issue 3, style.md "What we take" 1–3):
 * every call's name, its zod input schema and its output type, and every event main sends.
 * main/ registers exactly this table with ipcMain.handle, the preload exposes exactly this table
 * as `window.breakglass.<group>.<method>`, and the browser test host binds the same table.
 * Nothing else names a channel.
 */

const SessionId = z.string().regex(/^bg-\d{8}-\d{6}-[0-9a-f]{8}$/, 'Not a session id.');
const Empty = z.object({}).strict();
/** Inputs the service validates itself against the policy in force are passed through as JSON here. */
const Json = z.json();

/** The wizard's draft (issue 4): partial and possibly invalid while typed, so only bounded in size. */
export const DraftSchema = z.object({
  step: z.number().int().min(0).max(10),
  fields: z.record(z.string().max(64), Json),
  savedAt: z.string().max(40).optional(),
}).strict().refine((d) => JSON.stringify(d).length <= 256 * 1024, 'The draft is larger than 256 KiB.');

/** A saved wizard draft. */
export type Draft = z.infer<typeof DraftSchema>;

/** Console settings kept locally (not evidence): the governed-shell terminal, observer mode. */
export const SettingsSchema = z.object({
  /** The terminal that "Open governed shell" launches, as argv; empty means the platform default. */
  terminal: z.array(z.string().min(1).max(4096)).max(32),
  /** Start as a read-only observer (issue 6); takes effect at the next start. */
  observer: z.boolean(),
  /** How often other hosts' records are fetched while the board is open (issue 6: 30 s by default). */
  fetchIntervalSeconds: z.number().int().min(5, 'Fetch at most every 5 seconds.').max(3600, 'Fetch at least once an hour.'),
}).strict();

/** Console settings. */
export type Settings = z.infer<typeof SettingsSchema>;

const ShellId = z.string().regex(/^[0-9a-f]{16}$/, 'Not a terminal id.');
const TerminalSize = { cols: z.number().int().min(10).max(500), rows: z.number().int().min(2).max(300) };

/** A governed shell opened in the console's terminal tab (issue 17). */
export interface OpenedTerminal {
  shellId: string;
  sessionId: string;
  /** How it is contained; `reason` (when not contained) is shown beside the terminal. */
  containment: { contained: boolean; kind: 'pid-namespace' | 'process-group'; reason?: string };
}

/** A calendar date, YYYY-MM-DD (report periods are whole UTC days). */
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the date as YYYY-MM-DD.');

/** What a report covers (issue 7): one session, or a period of whole UTC days, optionally one environment. */
export const ReportScopeSchema = z.object({
  sessionId: SessionId.optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  environment: z.string().max(63).optional(),
}).strict().superRefine((r, ctx) => {
  if (r.sessionId !== undefined) {
    if (r.from !== undefined || r.to !== undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'Give either a session or a period, not both.' });
    return;
  }
  if (r.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'Give the first day of the period (YYYY-MM-DD), or a session.' });
  if (r.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Give the last day of the period (YYYY-MM-DD).' });
  if (r.from !== undefined && r.to !== undefined && r.from > r.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The period ends before it starts.' });
});

/** A report's scope. */
export type ReportScope = z.infer<typeof ReportScopeSchema>;

/** A report as exported (issue 7). */
export interface ExportedReport {
  fileName: string;
  mediaType: 'text/markdown' | 'text/html' | 'application/pdf';
  /** Where it was saved (the save dialog's choice in the app); null when the operator cancelled. */
  savedTo: string | null;
  bytes: number;
  /** The report's text for Markdown and HTML; absent for PDF. */
  text?: string;
}

/** The verification result the UI shows: the part of `breakglass verify`'s result (app/verifyResult.ts) it reads. */
export type VerifyView = Pick<VerifyResult, 'ok' | 'head' | 'sessions' | 'records' | 'problems' | 'comparedWith' | 'notices' | 'mode'> & {
  /** Which verify produced it, in words (issue 18): "incremental from <commit> (+N commits)", "full", "full+deep". */
  modeText?: string;
};

/** The result of a committed record. */
export interface Committed {
  sessionId: string;
  seq: number;
  commit: string;
  record: EvidenceRecord;
}

/** A "test connection" answer: what failed, without changing anything (issue 6). */
export interface RemoteTest {
  ok: boolean;
  stage: 'reachable' | 'unreachable' | 'auth' | 'not-a-repository' | 'no-write-access' | 'invalid-url';
  detail: string;
}

const CommitId = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, 'Not a commit id.');
/** OpenSSH's key fingerprint, `SHA256:` and 43 characters of unpadded base64. */
const KeyFingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'Choose one of the keys the ssh-agent holds.');

/** A key the ssh-agent holds, as the console lists it to choose from (issue 15): never the key itself. */
export const AgentKeyViewSchema = z.object({ fingerprint: KeyFingerprint, type: z.enum(SSH_KEY_TYPES), securityKey: z.boolean() }).strict();

/**
 * The roster's state for the header and the home screen (issue 15): whether the repository has a
 * roster (without one every record is unsigned: names are claimed, not proven), the trust anchor
 * (the commit that created it, trusted on first use), and the keys the ssh-agent holds — or why
 * the agent cannot be asked, as OpenSSH failure reasons the renderer puts in words.
 */
export const RosterStatusSchema = z.object({
  roster: z.boolean(),
  anchor: CommitId.nullable(),
  agent: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), keys: z.array(AgentKeyViewSchema).max(256) }).strict(),
    z.object({ ok: z.literal(false), reason: z.enum(['not-installed', 'agent-unreachable', 'failed']) }).strict(),
  ]),
  /**
   * Governed changes (issue 15): proposals waiting for approvals (nothing in them is in force), and
   * governed files on the organisation branch that are not the ones in force, with why.
   */
  governance: z.object({
    pending: z.array(z.object({ id: ProposalIdSchema, file: z.enum(GOVERNED_FILES), approvers: z.array(RosterIdSchema).max(64), required: z.number().int().min(1).max(64) }).strict()).max(256),
    notInForce: z.array(z.object({ file: z.enum(GOVERNED_FILES), reason: z.string().max(1000) }).strict()).max(2),
  }).strict(),
}).strict();

/** The roster's state for the console. */
export type RosterStatus = z.infer<typeof RosterStatusSchema>;

/** The first roster's first person (issue 15): they become its first roster admin and operator, with the agent key chosen. */
export const RosterInitSchema = z.object({
  id: RosterIdSchema,
  ...PersonSchema.shape,
  accounts: z.array(RosterAccountSchema).max(16).optional(),
  fingerprint: KeyFingerprint,
}).strict().superRefine((p, ctx) => {
  // The roster's own rule (app/roster/schema.ts), here so the form names the field before anything runs.
  const why = whyNotNamedHuman({ name: p.name, email: p.email });
  if (why) ctx.addIssue({ code: 'custom', path: ['name'], message: why });
});

/** What creating the roster answers: the trust anchor an auditor pins (`breakglass verify --anchor`). */
export const RosterCreatedSchema = z.object({ anchor: CommitId }).strict();

/** The created roster's anchor. */
export type RosterCreated = z.infer<typeof RosterCreatedSchema>;

/** What the commander's console answers an acknowledgement with (issue 16): the response code to read back, as `ABCDE-FGHJK`. */
export interface AcknowledgementGiven {
  event: 'declared' | 'closed';
  challenge: string;
  response: string;
  commit: string;
  commander: { name: string; email: string };
  at: string;
}

/** A code as typed (issue 16): the service parses it forgivingly (case, spaces, dashes); bounded here. */
const TypedCode = z.string().max(64, 'A code has 10 letters and digits, like ABCDE-FGHJK.');

interface Call<I extends z.ZodType, O> {
  input: I;
  /** Phantom: the output type, for the typed API; never read at run time. */
  output?: O;
  /** True for calls that change evidence or settings: refused in observer mode (issue 6). */
  writes: boolean;
}

const call = <O>() => <I extends z.ZodType>(input: I, writes: boolean): Call<I, O> => ({ input, writes });

/** Every call the UI may make. */
export const CALLS = {
  'status.get': call<StatusSnapshot>()(Empty, false),
  'policy.get': call<{ policy: Policy | null; source: 'repository' | 'built-in' | 'invalid'; problems: string[] }>()(Empty, false),
  'preconditions.check': call<PreconditionResult[]>()(z.object({
    environment: z.string().max(63).optional(),
    incidentId: z.string().max(500).optional(),
    operator: PersonSchema.optional(),
  }).strict(), false),
  'draft.get': call<Draft | null>()(Empty, false),
  'draft.save': call<{ savedAt: string }>()(DraftSchema, true),
  'draft.discard': call<{ discarded: boolean }>()(Empty, true),
  'session.declare': call<Committed>()(z.object({ declaration: Json }).strict(), true),
  'session.note': call<Committed>()(z.object({ sessionId: SessionId.optional(), text: z.string().max(20_000) }).strict(), true),
  'session.runCommand': call<{ runId: string }>()(z.object({
    sessionId: SessionId.optional(),
    commandLine: z.string().trim().min(1, 'Enter a command.').max(10_000),
    cwd: z.string().max(4096).optional(),
    shell: z.boolean(),
  }).strict(), true),
  'session.stopCommand': call<{ stopping: boolean }>()(z.object({ runId: z.string().uuid() }).strict(), true),
  'session.extend': call<Committed>()(z.object({ sessionId: SessionId.optional(), minutes: z.number(), reason: z.string().max(8000) }).strict(), true),
  'session.close': call<Committed>()(z.object({ sessionId: SessionId.optional(), closure: Json }).strict(), true),
  'session.review': call<Committed>()(z.object({ sessionId: SessionId, review: Json }).strict(), true),
  'sessions.list': call<SessionView[]>()(z.object({
    environment: z.string().max(63).optional(),
    phase: z.enum(['active', 'expired', 'closed', 'reviewed']).optional(),
    query: z.string().max(200).optional(),
    operator: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(20_000).optional(),
  }).strict(), false),
  'session.timeline': call<SessionDetail>()(z.object({ sessionId: SessionId }).strict(), false),
  'ledger.verify': call<VerifyView>()(Empty, false),
  'push.now': call<PushStatus>()(Empty, true),
  'remote.get': call<{ url: string | null; branch: string; remoteBranch: string }>()(Empty, false),
  'remote.set': call<{ url: string; remoteBranch: string }>()(z.object({
    url: z.string().trim().min(1, 'Enter the remote\'s URL (ssh, https or a path).').max(2048),
    remoteBranch: z.string().trim().regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/, 'A branch name: letters, digits, ".", "_", "-" and "/".').optional(),
  }).strict(), true),
  'remote.test': call<RemoteTest>()(z.object({ url: z.string().trim().min(1).max(2048) }).strict(), false),
  'session.copyEnvironment': call<{ copied: boolean }>()(z.object({ sessionId: SessionId.optional() }).strict(), false),
  'session.openShell': call<Committed>()(z.object({ sessionId: SessionId.optional() }).strict(), true),
  'settings.get': call<Settings>()(Empty, false),
  'settings.set': call<Settings>()(SettingsSchema.partial(), true),
  // Writes a file for the operator, never evidence: allowed to the observer (an auditor's machine).
  'report.export': call<ExportedReport>()(z.object({ scope: ReportScopeSchema, format: z.enum(['md', 'html', 'pdf']) }).strict(), false),
  'board.get': call<BoardData>()(Empty, false),
  /** The board as `board.get` reads it, its rows as compact pages (app/boardWire.ts): the first `limit`, most urgent first. */
  'board.open': call<BoardOpened>()(BoardOpenSchema, false),
  /** Further rows of a `board.open` read, from `offset`. */
  'board.rows': call<BoardPage>()(BoardRowsSchema, false),
  // Fetch + merge brings other hosts' records and writes none of this host's: allowed to the observer.
  'sync.fetch': call<SyncStatus>()(Empty, false),
  /** The board is open (fetch on the schedule) or closed (stop fetching). */
  'sync.watch': call<SyncStatus>()(z.object({ watching: z.boolean() }).strict(), false),
  // Issue 17: the console's terminal tab — a governed shell in main, its screen in the page.
  'terminal.open': call<OpenedTerminal>()(z.object({ sessionId: SessionId.optional(), ...TerminalSize }).strict(), true),
  'terminal.write': call<{ written: boolean }>()(z.object({ shellId: ShellId, data: z.string().min(1).max(64 * 1024) }).strict(), true),
  'terminal.resize': call<{ resized: boolean }>()(z.object({ shellId: ShellId, ...TerminalSize }).strict(), true),
  'terminal.close': call<{ closing: boolean }>()(z.object({ shellId: ShellId }).strict(), true),
  'session.recordings': call<RecordingPlayback[]>()(z.object({ sessionId: SessionId }).strict(), false),
  /** Each forwarding destination's state (issue 19). */
  'forward.status': call<ForwardDestinationStatus[]>()(Empty, false),
  // One test event to a receiver, and nothing else changes (issue 19): no evidence, no cursor.
  /** The roster's state and the ssh-agent's keys (issue 15), read afresh each time ("Check again"). */
  'roster.status': call<RosterStatus>()(Empty, false),
  /** Creates the first roster, signed by the chosen agent key; refused once a roster exists. */
  'roster.init': call<RosterCreated>()(RosterInitSchema, true),
  // Issue 16, "Acknowledge a declaration": the commander's own signed record on the commander's own
  // host's journal, never in the operator's session, so the observer (the commander's console) may make it.
  'ack.acknowledge': call<AcknowledgementGiven>()(z.object({ code: TypedCode, event: AckEventSchema.optional() }).strict(), false),
  /** The operator records the commander's response code in the session (issue 16). */
  'session.acknowledged': call<Committed>()(z.object({ sessionId: SessionId.optional(), code: TypedCode, event: AckEventSchema.optional() }).strict(), true),
  'forward.test': call<ForwardTestResult>()(z.object({ destination: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'Not a destination id.') }).strict(), false),
} as const satisfies { [K in CallName]: Call<z.ZodType, unknown> };

export { CALL_NAMES, EVENTS, channelOf, callGroups, type CallName, type EventName } from './contractNames';

/** The parsed input of a call. */
export type CallInput<K extends CallName> = z.output<(typeof CALLS)[K]['input']>;

/** The input a caller passes (before parsing). */
export type CallRequest<K extends CallName> = z.input<(typeof CALLS)[K]['input']>;

/** The output of a call. */
export type CallOutput<K extends CallName> = Exclude<(typeof CALLS)[K]['output'], undefined>;

/**
 * `T`, checked to hold exactly one entry per name in `Names`: a name without an entry, or an entry
 * whose key is not a name, fails to compile (issue 11: an event added to EVENTS without a payload
 * type must not silently become `unknown`).
 */
export type ExactlyOnePer<Names extends string, T extends { [K in Names]: unknown } & { [K in Exclude<keyof T, Names>]: never }> = T;

/** Every event main sends to the UI, with its payload: one payload type per name in EVENTS (app/contractNames.ts), checked. */
export type EventPayloads = ExactlyOnePer<EventName, {
  'state.changed': StatusSnapshot;
  'countdown.warning': { sessionId: string; minutesLeft: number; expiresAt: string };
  'push.changed': PushStatus;
  'command.output': { runId: string; chunk: string };
  'command.ended': { runId: string; committed: Committed | null; error: ErrorInfo | null };
  'sync.changed': SyncStatus;
  'terminal.output': { shellId: string; data: string };
  'terminal.ended': { shellId: string; how: 'exit' | 'expiry' | 'close'; recorded: boolean };
  'forward.changed': ForwardDestinationStatus[];
}>;

/** One event as main sends it, discriminated by `event`: checking the name narrows the payload. */
export type ContractEvent = { [E in EventName]: { event: E; payload: EventPayloads[E] } }[EventName];

/** A failure as it crosses IPC: a code, a message a person can act on, and the field it concerns. */
export interface ErrorInfo {
  code: 'invalid-input' | 'refused' | 'no-active-session' | 'evidence-not-committed' | 'forbidden' | 'internal';
  message: string;
  field?: string;
  problems?: Array<{ path: string; message: string }>;
}

/** The envelope every call's result crosses in (style.md "What we take" 2). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

type Group<N extends string> = N extends `${infer G}.${string}` ? G : never;
type Method<N extends string, G extends string> = N extends `${G}.${infer M}` ? M : never;

/** The typed API the preload exposes as `window.breakglass`. */
export type BreakGlassApi = {
  [G in Group<CallName>]: {
    [M in Method<CallName, G>]: `${G}.${M}` extends infer K extends CallName
      ? (input: CallRequest<K>) => Promise<Envelope<CallOutput<K>>>
      : never;
  };
} & {
  /** Subscribes to an event; returns the unsubscribe. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
};
