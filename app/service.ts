import { z } from 'zod';
import { BreakGlassError, refused } from './errors';
import { declarationSchemaFor, type Declaration } from './declaration';
import { formatPerson, PersonSchema, whyNotNamedHuman, type Person } from './identity';
import { assertLegal, stateAt, foldSession, type SessionEvent, type SessionState } from './lifecycle';
import { LAYOUT_MIGRATED, newSessionId, sealRecord, sessionStateOf, sessionStatesAt, sessionStatesWhere, verifyLedgerRecords, type IntegrityProblem } from './ledger';
import { findEnvironment, formatPolicyProblems, matchIncidentPattern, type Policy } from './policy';
import { ClosureSchema, isChainRecord, parseRecordPath, RedactionKindsSchema, ReviewSchema, type EvidenceRecord, type RecordOf, type UnsealedRecord } from './records';
import { RECORDING_PAYLOADS } from './recording/recordPayloads';
import { redactArgv, redactDeep, redactText, type RedactionKinds } from './redaction';
import { renderEnvExport, envVariables, type BreakGlassEnv } from './envExport';
import type { Clock, EvidenceStore, HostInfo, LedgerEntry, LedgerView, LockRecovery, AppendRecord, OutputAuthenticator } from './ports';
import { parseOrThrow } from './zodIssues';

/** Result of one precondition check (procedure.md §3): pass, fail (blocks), or warn (shown, never blocks). */
export interface PreconditionResult {
  id: 'os-account' | 'credentials' | 'incident-id' | 'evidence-repository' | 'overdue-review' | 'remote' | 'forwarding';
  label: string;
  status: 'pass' | 'fail' | 'warn';
  detail: string;
}

/** What the console needs to know about the remote, supplied by main/ (the outbox owns it). */
export interface RemoteProbe {
  describe(): Promise<{ status: 'pass' | 'warn'; detail: string }>;
}

/** What the console knows about forwarding to the SIEM (issue 19), supplied by main/ (the forwarder owns it); null when the policy forwards nothing. */
export interface ForwardingProbe {
  describe(view: LedgerView): Promise<{ status: 'pass' | 'warn'; detail: string } | null>;
}

/** Dependencies of the service; main/ wires the real ones. */
export interface ServiceDeps {
  store: EvidenceStore;
  clock: Clock;
  host: HostInfo;
  remote?: RemoteProbe;
  forwarding?: ForwardingProbe;
  /** Authenticates command output under the host's key (issue 13); without it no action can be recorded. */
  outputAuth?: OutputAuthenticator;
}

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

const ExtendInputSchema = z.object({
  minutes: z.number({ error: 'Give the minutes to add as a whole number.' }).int('Give whole minutes.').min(1, 'Add at least 1 minute.'),
  reason: z.string().trim().min(1, 'An extension needs a new justification: say why more time is needed.').max(8000),
}).strict();

/** Which session a call is about: an id, or the one open session of this host (optionally in an environment). */
export interface SessionSelector {
  sessionId?: string | undefined;
  environment?: string | undefined;
}

/** A record's redaction fields from one or more redaction results: the total and the count per kind (issue 13). */
function redactionsOf(...results: ReadonlyArray<{ count: number; kinds: RedactionKinds }>): { redactions: number; redactionKinds: RedactionKinds } {
  const kinds: Record<string, number> = {};
  let count = 0;
  for (const r of results) {
    count += r.count;
    for (const [k, n] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
  }
  return { redactions: count, redactionKinds: kinds };
}

/** The break-glass service: the one place that orders validation, lifecycle rules and evidence commits. */
export class BreakGlassService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The ledger as it is now. */
  read(): Promise<LedgerView> {
    return this.deps.store.read();
  }

  /** The policy in force, or a refusal naming every problem of the policy file (fail closed). */
  async policy(view?: LedgerView): Promise<Policy> {
    const v = view ?? (await this.read());
    return policyOrThrow(v);
  }

  /** Every session's state now, newest first. */
  async sessions(view?: LedgerView): Promise<SessionState[]> {
    return sessionStatesAt(view ?? (await this.read()), this.deps.clock.now());
  }

  /** Runs the host's preconditions for a (partial) declaration (procedure.md §3). */
  async preconditions(input: { environment?: string | undefined; incidentId?: string | undefined; operator?: Person | undefined }, view?: LedgerView): Promise<PreconditionResult[]> {
    const v = view ?? (await this.read());
    const results: PreconditionResult[] = [];
    const policyOk = v.policy.ok ? v.policy.policy : null;
    const { username, uid } = this.deps.host.osAccount();
    const refusedNames = policyOk?.refusedIdentities ?? [];
    const osWhy = whyNotNamedHuman({ name: username, email: `${username}@localhost` }, refusedNames);
    if (uid === 0 && !policyOk?.allowRootOperator) {
      results.push({ id: 'os-account', label: 'Named OS account', status: 'fail', detail: 'You are logged in as root (uid 0). Log in with your own named account; the policy does not allow root to declare.' });
    } else if (osWhy && !(uid === 0 && policyOk?.allowRootOperator)) {
      results.push({ id: 'os-account', label: 'Named OS account', status: 'fail', detail: `The OS account "${username}" is shared or anonymous. Log in with your own named account.` });
    } else {
      results.push({ id: 'os-account', label: 'Named OS account', status: 'pass', detail: `Logged in as ${username}${uid === null ? '' : ` (uid ${uid})`}${uid === 0 ? ', allowed by policy' : ''}.` });
    }
    const env = policyOk && input.environment ? findEnvironment(policyOk, input.environment) : undefined;
    if (!input.environment) {
      results.push({ id: 'credentials', label: 'Provider credentials', status: 'fail', detail: 'Pick the environment first: credentials are checked for that environment.' });
    } else if (!env) {
      results.push({ id: 'credentials', label: 'Provider credentials', status: 'fail', detail: `Unknown environment "${input.environment}".` });
    } else if (env.credentialChecks.length === 0) {
      results.push({ id: 'credentials', label: 'Provider credentials', status: 'pass', detail: `The policy names no credential checks for ${env.id}.` });
    } else {
      const failures: string[] = [];
      const passes: string[] = [];
      for (const check of env.credentialChecks) {
        if (check.kind === 'env') {
          const value = this.deps.host.env(check.name);
          const label = check.description ?? `$${check.name}${check.pattern ? ` matches ${check.pattern}` : ' is set'}`;
          // Only which check passed is reported; the value itself never leaves this function.
          if (value === undefined || value === '') failures.push(`$${check.name} is not set (${label}).`);
          else if (check.pattern && !new RegExp(check.pattern, 'u').test(value)) failures.push(`$${check.name} does not match ${check.pattern} (${label}).`);
          else passes.push(label);
        } else {
          const label = check.description ?? `${check.path} exists`;
          if (this.deps.host.fileExists(check.path)) passes.push(label);
          else failures.push(`${check.path} does not exist (${label}).`);
        }
      }
      results.push(failures.length
        ? { id: 'credentials', label: 'Provider credentials', status: 'fail', detail: `${failures.join(' ')} Load the break-glass credentials for ${env.id}, then check again.` }
        : { id: 'credentials', label: 'Provider credentials', status: 'pass', detail: `Passed: ${passes.join('; ')}.` });
    }
    if (!input.incidentId) {
      results.push({ id: 'incident-id', label: 'Incident reference', status: 'fail', detail: 'Enter the incident ID (ticket, pager or alert).' });
    } else if (policyOk) {
      const match = matchIncidentPattern(policyOk, input.incidentId);
      results.push(match
        ? { id: 'incident-id', label: 'Incident reference', status: 'pass', detail: `${input.incidentId} is a ${match.name}.` }
        : { id: 'incident-id', label: 'Incident reference', status: 'fail', detail: `"${input.incidentId}" matches none of the policy's formats: use ${policyOk.incidentIdPatterns.map((p) => p.example).join(', ')}.` });
    }
    results.push(this.repositoryCheck(v, input.operator));
    if (policyOk?.overdueReviewBlocksDeclaration) results.push(overdueReviewCheck(v, this.deps.clock.now(), input.operator));
    if (this.deps.remote) {
      const r = await this.deps.remote.describe();
      results.push({ id: 'remote', label: 'Shared remote', status: r.status, detail: r.detail });
    } else {
      results.push({ id: 'remote', label: 'Shared remote', status: 'warn', detail: 'No remote configured: evidence stays on this host until one is set (breakglass remote set URL).' });
    }
    // Issue 19: a destination this host cannot reach is a warning, never a blocker.
    const forwarding = await this.deps.forwarding?.describe(v);
    if (forwarding) results.push({ id: 'forwarding', label: 'Forwarding to the SIEM', status: forwarding.status, detail: forwarding.detail });
    return results;
  }

  /**
   * The evidence repository's check (procedure.md §3 item 4). Issue 12 item 5: only a problem in
   * this host's own records (its sessions, its reviews, its journal) blocks it; a problem in another
   * host's records, and an invalid newest policy.yaml (the last valid one stays in force), are shown
   * as a warning and recorded in the declaration's precondition results, never blocking.
   */
  private repositoryCheck(view: LedgerView, operator: Person | undefined): PreconditionResult {
    const label = 'Evidence repository';
    if (!view.policy.ok) {
      return { id: 'evidence-repository', label, status: 'fail', detail: `policy.yaml is invalid: ${formatPolicyProblems(view.policy.problems)}` };
    }
    const problems = verifyLedgerRecords(view);
    const own = problems.filter((p) => this.isOwnProblem(view, p));
    if (own.length > 0) {
      const p = own[0]!;
      return { id: 'evidence-repository', label, status: 'fail', detail: `This host's records do not verify (${own.length} problem(s); first: ${p.sessionId ?? ''} ${p.message}). Run breakglass verify and resolve it before declaring.` };
    }
    if (operator) {
      const parsed = PersonSchema.safeParse(operator);
      if (!parsed.success) return { id: 'evidence-repository', label, status: 'fail', detail: 'No valid author identity: give the operator a name and e-mail.' };
    }
    const count = [...view.sessions.values()].reduce((n, e) => n + e.length, 0);
    const warnings: string[] = [];
    if (view.policy.rejected) {
      warnings.push(`The newest policy.yaml is invalid (${formatPolicyProblems(view.policy.rejected.problems).replace(/\n/g, '; ')}); the last valid policy (sha256 ${view.policy.sha256.slice(0, 12)}) stays in force until it is fixed.`);
    }
    const others = problems.length - own.length;
    if (others > 0) {
      const first = problems.find((p) => !this.isOwnProblem(view, p))!;
      warnings.push(`Other hosts' records have ${others} problem(s) (first: ${first.path ?? first.sessionId ?? ''}: ${first.message}); they do not block this host. Run breakglass verify for the list.`);
    }
    const ok = `${count} record(s) read; this host's verify; commits will be authored by ${operator ? formatPerson(operator) : 'the operator'}.`;
    return warnings.length > 0
      ? { id: 'evidence-repository', label, status: 'warn', detail: `${warnings.join(' ')} ${ok}` }
      : { id: 'evidence-repository', label, status: 'pass', detail: `Writable; ${ok}` };
  }

  /** True when a problem concerns this host's own records (a session it declared, its review, its journal). */
  private isOwnProblem(view: LedgerView, p: IntegrityProblem): boolean {
    const hostId = this.deps.host.hostId;
    if (p.sessionId === `journal-${hostId}`) return true;
    if (p.path && parseRecordPath(p.path)?.reviewerHost === hostId) return true;
    return p.sessionId !== null && view.sessions.get(p.sessionId)?.[0]?.record.host.id === hostId;
  }

  /**
   * Declares a session (procedure.md §4): validates, runs the preconditions, refuses a second
   * active session for the environment on this host, then commits `declared`. The session exists
   * only once that commit has moved the branch.
   */
  async declare(input: unknown): Promise<{ state: SessionState; record: EvidenceRecord; commit: string }> {
    return this.deps.store.write(async (view, append, recovered) => {
      const policy = policyOrThrow(view);
      const declaration: Declaration = parseOrThrow(declarationSchemaFor(policy), input, 'declaration');
      const now = this.deps.clock.now();
      const open = this.hostSessions(view, now).find((s) => s.declaration.environment === declaration.environment && s.phase === 'active');
      if (open) {
        throw refused(`Session ${open.sessionId} (${open.declaration.incidentId}) is already active for ${declaration.environment} on this host until ${open.expiresAt}. Work in that session, or close it first.`, 'environment');
      }
      if (policy.overdueReviewBlocksDeclaration) {
        const overdue = overdueReviewsOf(view, now, declaration.operator)[0];
        if (overdue) throw refused(`The review of your session ${overdue.sessionId} (${overdue.declaration.incidentId}) was due ${overdue.closed?.reviewDueAt}; the policy blocks new declarations until it is reviewed.`);
      }
      const checks = await this.preconditions({ environment: declaration.environment, incidentId: declaration.incidentId, operator: declaration.operator }, view);
      const failed = checks.filter((c) => c.status === 'fail');
      if (failed.length > 0) {
        throw new BreakGlassError('refused', `Precondition failed: ${failed.map((f) => `${f.label}: ${f.detail}`).join(' ')}`, { field: 'preconditions' });
      }
      await this.journalFirst(view, append, recovered);
      const sessionId = newSessionId(now);
      const at = new Date(now).toISOString();
      // Every free-text field: the declaration's and the precondition details (issue 13).
      const redacted = redactDeep({ declaration, preconditions: checks.map(({ id, status, detail }) => ({ id, status, detail })) });
      const record = sealRecord(undefined, {
        sessionId, type: 'declared', at, host: this.hostRef(), actor: declaration.operator, ...redactionsOf(redacted),
        payload: {
          declaration: redacted.value.declaration,
          expiresAt: new Date(now + declaration.durationMinutes * 60_000).toISOString(),
          policySha256: view.policy.sha256,
          preconditions: redacted.value.preconditions,
        },
      });
      const commit = await append(record, declaration.incidentId);
      const facts = foldSession([record]);
      return { state: stateAt(facts, now), record, commit };
    });
  }

  /** Adds a free-text note (allowed while active and after expiry until closing). */
  async note(selector: SessionSelector, text: unknown): Promise<{ record: EvidenceRecord; commit: string }> {
    const parsed = parseOrThrow(z.string().trim().min(1, 'The note is empty: write what happened.').max(20_000, 'The note is longer than 20,000 characters.'), text, 'note');
    return this.appendToSession(selector, { kind: 'note' }, (state) => {
      const r = redactDeep({ text: parsed });
      return { type: 'note', actor: state.operator, ...redactionsOf(r), payload: r.value };
    });
  }

  /**
   * Records that a command is about to run (issue 12 item 7): only while the session may act, and
   * before the command starts, so a command that runs always has evidence, even if its ending
   * cannot be recorded.
   */
  async recordActionStarted(selector: SessionSelector, input: unknown): Promise<{ record: EvidenceRecord; commit: string }> {
    const start = parseOrThrow(ActionStartSchema, input, 'action');
    return this.appendToSession(selector, { kind: 'action' }, (state) => {
      const argv = redactArgv(start.argv);
      const cwd = redactText(start.cwd);
      return {
        type: 'action-started', actor: state.operator, ...redactionsOf(argv, cwd),
        payload: { kind: 'command', argv: argv.value, shell: start.shell, cwd: cwd.text, startedAt: new Date(start.startedAt).toISOString(), via: start.via },
      };
    });
  }

  /**
   * Records a command (or an opened governed shell). One that finishes an `action-started` record
   * (`started`) is recorded in any phase: it ran while the session could act. Without one it is
   * refused after expiry even if a caller is late (§6).
   */
  async recordAction(selector: SessionSelector, input: unknown, started?: StartedRef): Promise<{ record: EvidenceRecord; commit: string }> {
    const action = parseOrThrow(ActionInputSchema, input, 'action');
    // Fail closed: without the host key the output could only be stored with a plain hash, which
    // lets anyone test a guessed secret against it (issue 13).
    const auth = this.deps.outputAuth;
    if (auth === undefined) throw new BreakGlassError('evidence-not-committed', 'No output key is available on this host, so the action cannot be recorded; nothing was written.');
    const outputHmac = { alg: 'hmac-sha256' as const, keyId: auth.keyId(), value: auth.macOfDigest(action.outputSha256) };
    const event: SessionEvent = started ? { kind: 'action-finish', started: started.hash } : { kind: 'action' };
    return this.appendToSession(selector, event, (state) => {
      // The command line is redacted as one line (a `-p` and its value are two words).
      const argv = redactArgv(action.argv);
      const cwd = redactText(action.cwd);
      const output = redactText(action.output);
      const capped = capUtf8(output.text, OUTPUT_CAP_BYTES);
      return {
        type: 'action', actor: state.operator, ...redactionsOf(argv, cwd, output),
        payload: {
          kind: action.kind, argv: argv.value, shell: action.shell, cwd: cwd.text,
          startedAt: new Date(action.startedAt).toISOString(), endedAt: new Date(action.endedAt).toISOString(),
          exitCode: action.exitCode, signal: action.signal, stoppedBy: action.stoppedBy, via: action.via,
          outputHmac, outputBytes: action.outputBytes,
          output: capped.text, outputTruncated: capped.truncated,
          ...(started ? { started: { seq: started.seq, hash: started.hash } } : {}),
        },
      };
    }, { allowExpiredCommandEnd: !started && action.stoppedBy === 'expiry' });
  }

  /**
   * Records one step of a governed shell's recording (issue 17). `recording-started` needs a session
   * that may act (a shell cannot be opened after expiry); chunks, degradations and the end follow
   * it into the expiry (the shell is ended by it), never past closing. Chunk text arrives redacted
   * by the recorder's stream redactor, with its counts; it is stored as given, so its hash holds.
   */
  async recordRecording(selector: SessionSelector, input: RecordingRecordInput): Promise<{ record: EvidenceRecord; commit: string }> {
    const payload = parseOrThrow(RECORDING_PAYLOADS[input.type] as z.ZodType<RecordingRecordInput['payload']>, input.payload, 'recording');
    const redactions = parseOrThrow(z.object({ count: z.number().int().min(0), kinds: RedactionKindsSchema }).strict(), input.redactions ?? { count: 0, kinds: {} }, 'recording');
    const event: SessionEvent = input.type === 'recording-started' ? { kind: 'action' } : { kind: 'note' };
    return this.appendToSession(selector, event, (state) => (
      { type: input.type, actor: state.operator, ...redactionsOf(redactions), payload } as Omit<UnsealedRecord, 'sessionId' | 'at' | 'host'>
    ));
  }

  /** Checks that an action may start now (the exec wrapper asks before running anything). */
  async assertCanAct(selector: SessionSelector): Promise<SessionState> {
    const view = await this.read();
    const state = this.selectSession(view, selector, 'action');
    assertLegal(state, { kind: 'action' }, policyOrThrow(view));
    return state;
  }

  /** Extends an active session within the policy's caps; the expiry moves only once `extended` is committed. */
  async extend(selector: SessionSelector, input: unknown): Promise<{ record: EvidenceRecord; commit: string }> {
    const ext = parseOrThrow(ExtendInputSchema, input, 'extension');
    return this.appendToSession(selector, { kind: 'extend', minutes: ext.minutes }, (state) => {
      const r = redactDeep({ reason: ext.reason });
      return {
        type: 'extended', actor: state.operator, ...redactionsOf(r),
        payload: {
          minutes: ext.minutes, reason: r.value.reason, previousExpiresAt: state.expiresAt,
          newExpiresAt: new Date(Date.parse(state.expiresAt) + ext.minutes * 60_000).toISOString(),
        },
      };
    });
  }

  /** Closes a session with its reversal record (§8); writes `expired` first when expiry passed unrecorded. */
  async close(selector: SessionSelector, input: unknown): Promise<{ record: EvidenceRecord; commit: string }> {
    const closure = parseOrThrow(ClosureSchema, input, 'closure');
    return this.appendToSession(selector, { kind: 'close' }, (state, policy, now) => {
      const r = redactDeep(closure);
      return {
        type: 'closed', actor: state.operator, ...redactionsOf(r),
        payload: { closure: r.value, reviewDueAt: new Date(now + policy.reviewWindowDays * 86_400_000).toISOString() },
      };
    });
  }

  /**
   * Records a post-incident review by a named human who is not the operator (§9). The review is
   * filed on this (the reviewer's) host, outside the operator's chain (issue 14): numbered among
   * this host's reviews of the session and naming the closing record it reviews, so two reviewers
   * on two hosts at once never write the same path.
   */
  async review(sessionId: string, input: unknown): Promise<{ record: EvidenceRecord; commit: string }> {
    const review = parseOrThrow(ReviewSchema, input, 'review');
    return this.deps.store.write(async (view, append, recovered) => {
      const policy = policyOrThrow(view);
      const state = this.selectSession(view, { sessionId }, 'review');
      assertLegal(state, { kind: 'review', reviewer: review.reviewer, supersedes: review.supersedes }, policy);
      await this.journalFirst(view, append, recovered);
      const hostId = this.deps.host.hostId;
      const mine = (view.sessions.get(state.sessionId) ?? []).filter((e) => !isChainRecord(e.record) && e.record.host.id === hostId).sort((a, b) => a.record.seq - b.record.seq);
      const r = redactDeep(review);
      const record = sealRecord(mine, {
        sessionId: state.sessionId, type: 'reviewed', at: new Date(this.deps.clock.now()).toISOString(), host: this.hostRef(),
        actor: review.reviewer, ...redactionsOf(r), payload: { review: r.value, reviews: state.closed!.record.hash },
      });
      const commit = await append(record, state.declaration.incidentId);
      return { record, commit };
    });
  }

  /**
   * Writes `expired` for every session of this host whose expiry has passed unrecorded, with the
   * declared expiry as the event time (§6). Called on start and on the countdown tick.
   */
  async expireDue(): Promise<EvidenceRecord[]> {
    const due = this.hostSessions(await this.read(), this.deps.clock.now()).filter((s) => s.phase === 'expired' && !s.expiredRecorded);
    if (due.length === 0) return [];
    return this.deps.store.write(async (view, append, recovered) => {
      await this.journalFirst(view, append, recovered);
      const now = this.deps.clock.now();
      const written: EvidenceRecord[] = [];
      for (const s of this.hostSessions(view, now)) {
        if (s.phase !== 'expired' || s.expiredRecorded) continue;
        const record = sealRecord(view.sessions.get(s.sessionId), {
          sessionId: s.sessionId, type: 'expired', at: s.expiresAt, host: this.hostRef(), actor: s.operator, redactions: 0,
          payload: { expiresAt: s.expiresAt, recordedAt: new Date(now).toISOString() },
        });
        await append(record, s.declaration.incidentId);
        written.push(record);
      }
      return written;
    });
  }

  /** Records a wall-clock jump seen against the monotonic clock (issue 5), in every active session of this host. */
  async recordClockSkew(wallClockAt: number, expectedAt: number): Promise<EvidenceRecord[]> {
    return this.deps.store.write(async (view, append, recovered) => {
      await this.journalFirst(view, append, recovered);
      const written: EvidenceRecord[] = [];
      for (const s of this.hostSessions(view, this.deps.clock.now())) {
        if (s.phase !== 'active' && s.phase !== 'expired') continue;
        const record = sealRecord(view.sessions.get(s.sessionId), {
          sessionId: s.sessionId, type: 'clock-skew', at: new Date(wallClockAt).toISOString(), host: this.hostRef(), actor: s.operator, redactions: 0,
          payload: { wallClockAt: new Date(wallClockAt).toISOString(), expectedAt: new Date(expectedAt).toISOString(), skewMs: Math.round(wallClockAt - expectedAt) },
        });
        await append(record, s.declaration.incidentId);
        written.push(record);
      }
      return written;
    });
  }

  /** The environment block while a session is active, or null (expired, closed, none): `eval "$(breakglass env)"` stays safe. */
  async environment(selector: SessionSelector = {}): Promise<{ text: string; variables: Record<string, string>; state: SessionState } | null> {
    const view = await this.read();
    let state: SessionState;
    try {
      state = this.selectSession(view, selector, 'action');
    } catch {
      return null;
    }
    if (state.phase !== 'active') return null;
    const commit = view.sessions.get(state.sessionId)?.[0]?.commit ?? '';
    const env: BreakGlassEnv = {
      reason: state.declaration.justification,
      timestamp: new Date(state.declaredAt),
      incidentId: state.declaration.incidentId,
      operator: formatPerson(state.operator),
      environment: state.declaration.environment,
      trigger: state.declaration.trigger,
      expiresAt: new Date(state.expiresAt),
      sessionId: state.sessionId,
      evidenceCommit: commit,
    };
    return { text: renderEnvExport(env), variables: envVariables(env), state };
  }

  /** Integrity of the records themselves (main/ adds history, authorship and fsck checks). */
  async verifyRecords(view?: LedgerView): Promise<IntegrityProblem[]> {
    return verifyLedgerRecords(view ?? (await this.read()));
  }

  /**
   * Picks the session a call is about. With no id: this host's one open session (active, or
   * expired awaiting closure for notes and closing), narrowed by environment when several are open.
   */
  selectSession(view: LedgerView, selector: SessionSelector, purpose: 'action' | 'close' | 'review'): SessionState {
    const now = this.deps.clock.now();
    if (selector.sessionId) {
      const s = sessionStateOf(view, selector.sessionId, now);
      if (!s) throw new BreakGlassError('no-active-session', `No session ${selector.sessionId} in this evidence repository. List sessions with: breakglass log`);
      // Only the host that declared a session acts in it (issue 12 item 6): its chain has one
      // writer, so two hosts can never write the same sequence number. A review is the one record
      // written elsewhere, by design (the reviewer's own host).
      if (purpose !== 'review' && s.host.id !== this.deps.host.hostId) {
        throw refused(`Session ${s.sessionId} was declared on host ${s.host.name} (${s.host.id}); only that host can add to it. Work on that host, or declare a session here.`, 'sessionId');
      }
      return s;
    }
    const mine = this.hostSessions(view, now).filter((s) => !selector.environment || s.declaration.environment === selector.environment);
    const active = mine.filter((s) => s.phase === 'active');
    const candidates = active.length > 0 || purpose === 'action' ? active : mine.filter((s) => s.phase === 'expired');
    if (candidates.length === 1) return candidates[0]!;
    if (candidates.length === 0) {
      const expired = mine.find((s) => s.phase === 'expired');
      if (purpose === 'action' && expired) {
        throw new BreakGlassError('no-active-session', `Session ${expired.sessionId} expired at ${expired.expiresAt}. Close it (breakglass close --file closure.json); declare a new session if the emergency continues.`);
      }
      throw new BreakGlassError('no-active-session', 'No active break-glass session on this host. Declare one first (breakglass declare).');
    }
    throw new BreakGlassError('invalid-input', `Several sessions are open on this host (${candidates.map((c) => `${c.sessionId} in ${c.declaration.environment}`).join(', ')}): name one with --session ID.`, { field: 'session' });
  }

  private async appendToSession(
    selector: SessionSelector,
    event: SessionEvent,
    build: (state: SessionState, policy: Policy, now: number) => Omit<UnsealedRecord, 'sessionId' | 'at' | 'host'>,
    options: { allowExpiredCommandEnd?: boolean } = {},
  ): Promise<{ record: EvidenceRecord; commit: string }> {
    return this.deps.store.write(async (view, append, recovered) => {
      const policy = policyOrThrow(view);
      const now = this.deps.clock.now();
      let state = this.selectSession(view, selector, event.kind === 'action' ? 'action' : event.kind === 'review' ? 'review' : 'close');
      // A command stopped by the expiry is recorded even though the session has just expired (issue 5).
      const effective: SessionEvent = options.allowExpiredCommandEnd && state.phase === 'expired' ? { kind: 'note' } : event;
      assertLegal(state, effective, policy);
      await this.journalFirst(view, append, recovered);
      let entries = view.sessions.get(state.sessionId);
      if (state.phase === 'expired' && !state.expiredRecorded && event.kind !== 'expire') {
        // §6: the expiry is evidenced before anything that follows it.
        const expired = sealRecord(entries, {
          sessionId: state.sessionId, type: 'expired', at: state.expiresAt, host: this.hostRef(), actor: state.operator, redactions: 0,
          payload: { expiresAt: state.expiresAt, recordedAt: new Date(now).toISOString() },
        });
        const commit = await append(expired, state.declaration.incidentId);
        entries = [...(entries ?? []), { record: expired, commit, path: '' }];
        state = stateAt(foldSession(entries.map((e) => e.record)), now);
      }
      const record = sealRecord(entries, {
        ...build(state, policy, now), sessionId: state.sessionId, at: new Date(now).toISOString(), host: this.hostRef(),
      } as UnsealedRecord);
      const commit = await append(record, state.declaration.incidentId);
      return { record, commit };
    });
  }

  /**
   * Records that the organisation's policy replaced this host's when it joined a remote (issue 2):
   * the remote's policy wins, and the journal says so. `previous`/`adopted` are SHA-256 of the policy texts.
   */
  async recordPolicyAdopted(previous: string | null, adopted: string): Promise<EvidenceRecord> {
    return this.deps.store.write(async (view, append, recovered) => {
      const journalId = `journal-${this.deps.host.hostId}`;
      const journal = await this.journalFirst(view, append, recovered);
      const record = sealRecord(journal, {
        sessionId: journalId, type: 'policy-adopted', at: new Date(this.deps.clock.now()).toISOString(), host: this.hostRef(),
        actor: this.systemActor(), redactions: 0,
        payload: {
          previousPolicySha256: previous,
          policySha256: adopted,
          reason: "Joined a shared remote whose policy.yaml differs from this host's; the organisation's policy wins.",
        },
      } as UnsealedRecord);
      await append(record, null);
      return record;
    });
  }

  /** Records a stale-lock recovery that happened outside a service write (the outbox's merge). */
  async recordLockRecovery(recovery: LockRecovery): Promise<void> {
    await this.deps.store.write(async (view, append) => {
      await this.journalFirst(view, append, recovery);
    });
  }

  /**
   * Moves this host to its own ref before its next push (issue 14 migration), when it wrote records
   * on the shared branch before: the `layout-migrated` journal note is its first record there.
   * Writes nothing when there is nothing to move. True when it wrote.
   */
  async recordLayoutMove(): Promise<boolean> {
    // The common case (a host that already moved, or never wrote on the shared branch) takes no lock.
    if (this.layoutMove(await this.deps.store.read()) === null) return false;
    return this.deps.store.write(async (view, append, recovered) => {
      const before = view.sessions.get(`journal-${this.deps.host.hostId}`)?.length ?? 0;
      return (await this.journalFirst(view, append, recovered)).length > before;
    });
  }

  /**
   * The identity of host-level records (lock recovery, policy adoption): the OS account on this
   * host. The address uses the reserved `.invalid` domain so it is a valid e-mail that can never
   * be mistaken for a person's mailbox.
   */
  private systemActor(): Person {
    const { username } = this.deps.host.osAccount();
    const local = username.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'account';
    const host = this.deps.host.hostName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'host';
    return { name: `${username} on ${this.deps.host.hostName}`, email: `${local}@${host}.invalid` };
  }

  /**
   * The journal records that come before anything else a write commits, in this order: the layout
   * move (issue 14: this host's first record on its own ref, when it wrote on the shared branch
   * before) and a stale-lock recovery (`lock-recovered`). Returns the journal's entries after them.
   */
  private async journalFirst(view: LedgerView, append: AppendRecord, recovered: LockRecovery | null): Promise<readonly LedgerEntry[]> {
    const journalId = `journal-${this.deps.host.hostId}`;
    let journal: readonly LedgerEntry[] = view.sessions.get(journalId) ?? [];
    const add = async (unsealed: Pick<UnsealedRecord, 'type' | 'payload'> & Partial<Pick<UnsealedRecord, 'redactions' | 'redactionKinds'>>) => {
      const record = sealRecord(journal, {
        sessionId: journalId, at: new Date(this.deps.clock.now()).toISOString(), host: this.hostRef(), actor: this.systemActor(), ...unsealed, redactions: unsealed.redactions ?? 0,
      } as UnsealedRecord);
      const commit = await append(record, null);
      journal = [...journal, { record, commit, path: '' }];
    };
    const move = this.layoutMove(view);
    if (move) await add({ type: 'note', payload: { text: move } });
    if (recovered) {
      // The reason and paths are the store's text, redacted like any other (issue 13).
      const r = redactDeep({ previousOwner: recovered.previousOwner, reason: recovered.reason, gitLockFilesRemoved: recovered.gitLockFilesRemoved });
      await add({ type: 'lock-recovered', ...redactionsOf(r), payload: r.value });
    }
    return journal;
  }

  /**
   * The text of the `layout-migrated` journal note, when this host has no own ref yet but wrote
   * records on the organisation branch before (issue 14); null otherwise. It names the commit its
   * own ref starts at, so an auditor (and verify) knows where its records before the move are.
   */
  private layoutMove(view: LedgerView): string | null {
    const hostId = this.deps.host.hostId;
    const own = `refs/heads/hosts/${hostId}`;
    const org = view.tips?.find((t) => t.organisation);
    if (!org || view.tips!.some((t) => t.ref === own)) return null;
    let wroteBefore = view.sessions.has(`journal-${hostId}`);
    for (const entries of view.sessions.values()) {
      if (wroteBefore) break;
      wroteBefore = entries.some((e) => e.record.host.id === hostId);
    }
    if (!wroteBefore) return null;
    return `${LAYOUT_MIGRATED} from this record on, host ${hostId} writes its records only on ${own}; the records it wrote before are in the history of commit ${org.commit} (${org.ref.replace(/^refs\/(heads|remotes)\//, '')}).`;
  }

  /** This host's sessions that are not yet closed or reviewed are the only ones a host acts on. */
  private hostSessions(view: LedgerView, now: number): SessionState[] {
    return sessionStatesWhere(view, now, (d) => d.host.id === this.deps.host.hostId);
  }

  private hostRef(): { id: string; name: string } {
    return { id: this.deps.host.hostId, name: this.deps.host.hostName };
  }
}

/** The operator's closed sessions whose review is overdue, the longest overdue first (procedure.md §9). */
export function overdueReviewsOf(view: LedgerView, now: number, operator: Person): Array<Extract<SessionState, { phase: 'closed' }>> {
  const email = operator.email.trim().toLowerCase();
  return sessionStatesWhere(view, now, (d) => d.actor.email.toLowerCase() === email)
    .filter((s): s is Extract<SessionState, { phase: 'closed' }> => s.phase === 'closed' && s.reviewOverdue)
    .sort((a, b) => Date.parse(a.closed!.reviewDueAt) - Date.parse(b.closed!.reviewDueAt));
}

/**
 * The precondition row of `overdueReviewBlocksDeclaration` (issue 7): the wizard shows why
 * declaring is blocked before the form is filled, with the session, incident and due date. The
 * operator's identity may not be known yet (typed on a later step): then it is a warning, and
 * `declare` checks again.
 */
function overdueReviewCheck(view: LedgerView, now: number, operator: Person | undefined): PreconditionResult {
  const label = 'Reviews of your sessions';
  if (!operator) {
    return { id: 'overdue-review', label, status: 'warn', detail: 'The policy blocks declaring while one of your sessions is overdue for review; this is checked once your name and e-mail are given.' };
  }
  const overdue = overdueReviewsOf(view, now, operator);
  const first = overdue[0];
  if (!first) return { id: 'overdue-review', label, status: 'pass', detail: `No session of ${operator.name} is overdue for review.` };
  const others = overdue.length > 1 ? ` ${overdue.length - 1} other session(s) of yours are overdue too.` : '';
  return {
    id: 'overdue-review', label, status: 'fail',
    detail: `The review of your session ${first.sessionId} (${first.declaration.incidentId}) was due ${first.closed!.reviewDueAt}; the policy blocks new declarations by its operator until it is reviewed.${others} Ask a named person other than you to review it (Reviews).`,
  };
}

/** The policy of a view, or a refusal listing the policy file's problems (no state change under an invalid policy). */
export function policyOrThrow(view: LedgerView): Policy {
  if (view.policy.ok) return view.policy.policy;
  throw new BreakGlassError('refused', `The evidence repository's policy.yaml is invalid, so nothing can be recorded until it is fixed:\n${formatPolicyProblems(view.policy.problems)}`);
}

/** Caps UTF-8 text at `maxBytes` without splitting a character. */
export function capUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let cut = maxBytes;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut -= 1;
  return { text: new TextDecoder().decode(bytes.subarray(0, cut)), truncated: true };
}

export type { RecordOf };
