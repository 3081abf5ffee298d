import { z } from 'zod';
import { BreakGlassError, refused } from './errors';
import { declarationSchemaFor, type Declaration } from './declaration';
import { assertLegal, stateAt, foldSession, type SessionEvent, type SessionState } from './lifecycle';
import { newSessionId, sealRecord, verifyLedgerRecords, type IntegrityProblem } from './ledger';
import { formatPolicyProblems, type Policy } from './policy';
import { ChainWriter, type ChainRecordInput } from './chainWriter';
import { declarationStamp, hostLastRecords, type ClockReading } from './clock';
import { ClosureSchema, isChainRecord, RedactionKindsSchema, ReviewSchema, type EvidenceRecord, type RecordOf } from './records';
import { RECORDING_PAYLOADS } from './recording/recordPayloads';
import { FORWARDING_STATE_PAYLOAD } from './forwarding/statePayload';
import { redactArgv, redactDeep, redactionsOf, redactText } from './redaction';
import { renderEnvExport, envVariables, sessionEnv } from './envExport';
import type { BootClock, Clock, EvidenceStore, HostInfo, LedgerEntry, LedgerView, LockRecovery, OutputAuthenticator } from './ports';
import { parseOrThrow } from './zodIssues';
import { HostJournal } from './hostJournal';
import { AcknowledgedInputSchema, AcknowledgeInputSchema, findChallenge, responseOfArmored, sessionChallenge } from './acknowledgement';
import type { Person } from './identity';
import { tipsToWitness } from './witness';
import { SessionTime } from './sessionTime';
import { selectSession, type SelectionPurpose, type SessionSelector } from './sessionSelection';
import { checkPreconditions, overdueReviewsOf, preconditionRefusal, type ForwardingProbe, type PreconditionInput, type PreconditionResult, type RemoteProbe, type SigningProbe } from './preconditions';
import { ActionInputSchema, ActionStartSchema, capUtf8, ExtendInputSchema, OUTPUT_CAP_BYTES, type RecordingRecordInput, type StartedRef } from './actionInput';

/** Dependencies of the service; main/ wires the real ones. */
export interface ServiceDeps {
  store: EvidenceStore;
  clock: Clock;
  /**
   * The host's boot clock (issue 16), read beside the wall clock at every record. Absent (a host
   * without /proc, or a test clock that moves the wall clock alone): records carry no boot
   * reading and only the wall clock's order is checked.
   */
  boot?: BootClock;
  host: HostInfo;
  remote?: RemoteProbe;
  forwarding?: ForwardingProbe;
  signing?: SigningProbe;
  /** Authenticates command output under the host's key (issue 13); without it no action can be recorded. */
  outputAuth?: OutputAuthenticator;
}

/** The break-glass service: the one place that orders validation, lifecycle rules and evidence commits. */
export class BreakGlassService {
  private readonly journal: HostJournal;
  /** Both clocks, and the records time writes on its own: `expired`, `clock-skew` (app/sessionTime.ts). */
  readonly time: SessionTime;

  constructor(private readonly deps: ServiceDeps) {
    this.journal = new HostJournal(deps);
    this.time = new SessionTime(deps, this.journal);
  }

  /** The ledger as it is now. */
  read(): Promise<LedgerView> {
    return this.deps.store.read();
  }

  /** The policy in force, or a refusal naming every problem of the policy file (fail closed). */
  async policy(view?: LedgerView): Promise<Policy> {
    return policyOrThrow(view ?? (await this.read()));
  }

  /** Every session's state now, newest first. */
  async sessions(view?: LedgerView): Promise<SessionState[]> {
    const v = view ?? (await this.read());
    return this.time.statesAt(v, this.deps.clock.now());
  }

  /** Runs the host's preconditions for a (partial) declaration (procedure.md §3): app/preconditions.ts. */
  async preconditions(input: PreconditionInput, view?: LedgerView): Promise<PreconditionResult[]> {
    return checkPreconditions(this.deps, view ?? (await this.read()), input);
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
      const clock = this.time.reading(view);
      const now = clock.nowMs;
      const open = this.time.hostSessions(view, clock).find((s) => s.declaration.environment === declaration.environment && s.phase === 'active');
      if (open) {
        throw refused(`Session ${open.sessionId} (${open.declaration.incidentId}) is already active for ${declaration.environment} on this host until ${open.expiresAt}. Work in that session, or close it first.`, 'environment');
      }
      if (policy.overdueReviewBlocksDeclaration) {
        const overdue = overdueReviewsOf(view, now, declaration.operator)[0];
        if (overdue) throw refused(`The review of your session ${overdue.sessionId} (${overdue.declaration.incidentId}) was due ${overdue.closed?.reviewDueAt}; the policy blocks new declarations until it is reviewed.`);
      }
      // Issue 16: never dated before this host's last record, nor ahead of it beyond what the boot clock allows.
      const stamp = declarationStamp(hostLastRecords(view, this.deps.host.hostId, clock.boot?.id ?? null), clock);
      if (!stamp.ok) throw stamp.error;
      const checks = await this.preconditions({ environment: declaration.environment, incidentId: declaration.incidentId, operator: declaration.operator }, view);
      const refusal = preconditionRefusal(checks);
      if (refusal) throw refusal;
      await this.journal.first(view, append, recovered, clock);
      const sessionId = newSessionId(now);
      const at = new Date(now).toISOString();
      // Every free-text field: the declaration's and the precondition details (issue 13).
      const redacted = redactDeep({ declaration, preconditions: checks.map(({ id, status, detail }) => ({ id, status, detail })) });
      const record = sealRecord(undefined, {
        sessionId, type: 'declared', at, ...(stamp.boot ? { boot: stamp.boot } : {}), host: { id: this.deps.host.hostId, name: this.deps.host.hostName }, actor: declaration.operator, ...redactionsOf(redacted),
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
      { type: input.type, actor: state.operator, ...redactionsOf(redactions), payload } as ChainRecordInput
    ));
  }

  /** Checks that an action may start now (the exec wrapper asks before running anything). */
  async assertCanAct(selector: SessionSelector): Promise<SessionState> {
    const view = await this.read();
    const clock = this.time.reading(view);
    // A wall clock that reads before the session's last record says so first (issue 16), whether or not the session is still active by it.
    const open = (() => {
      try {
        return this.selectSession(view, selector, 'close', clock);
      } catch {
        return null;
      }
    })();
    if (open) this.time.sessionWriter(view, open, clock, null).stamp();
    const state = this.selectSession(view, selector, 'action', clock);
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
          // Extensions add to the wall-clock deadline; the boot clock's moves with it (issue 16).
          minutes: ext.minutes, reason: r.value.reason, previousExpiresAt: state.wallExpiresAt,
          newExpiresAt: new Date(Date.parse(state.wallExpiresAt) + ext.minutes * 60_000).toISOString(),
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
      const clock = this.time.reading(view);
      const state = this.selectSession(view, { sessionId }, 'review', clock);
      assertLegal(state, { kind: 'review', reviewer: review.reviewer, supersedes: review.supersedes }, policy);
      const hostId = this.deps.host.hostId;
      const mine = (view.sessions.get(state.sessionId) ?? []).filter((e) => !isChainRecord(e.record) && e.record.host.id === hostId).sort((a, b) => a.record.seq - b.record.seq);
      // This host's reviews of the session are a chain of their own: dated in order, no clock-skew record among them (issue 16).
      const reviews = new ChainWriter(mine, clock, { ...this.time.writerOptions(state.sessionId, append, state.declaration.incidentId, review.reviewer, `this host's reviews of session ${state.sessionId}`), skews: false });
      reviews.stamp();
      await this.journal.first(view, append, recovered, clock);
      const r = redactDeep(review);
      return reviews.add({ type: 'reviewed', actor: review.reviewer, ...redactionsOf(r), payload: { review: r.value, reviews: state.closed!.record.hash } });
    });
  }

  /**
   * Issue 16: the commander's signed acknowledgement of a code read aloud, on this (the commander's)
   * host's journal, never in the operator's session. `signature`: the armored SSHSIG of their key
   * over the challenge (main/ asks their ssh-agent), the response code is computed from it. Event:
   * as given, else as this repository knows the code, else the declaration.
   */
  async recordAcknowledgement(input: { code: unknown; event?: unknown; signature: string }, commander: Person): Promise<{ record: EvidenceRecord; commit: string }> {
    const typed = parseOrThrow(AcknowledgeInputSchema, { code: input.code, ...(input.event !== undefined ? { event: input.event } : {}) }, 'acknowledgement');
    const response = responseOfArmored(input.signature);
    if (!response) throw new BreakGlassError('internal', 'The acknowledgement signature is not an SSH signature: nothing was recorded.');
    return this.deps.store.write((view, append, recovered) => {
      const event = typed.event ?? findChallenge(view, typed.code)?.event ?? 'declared';
      return this.journal.commit(view, append, recovered, this.time.reading(view), { type: 'acknowledgement', actor: commander, payload: { event, challenge: typed.code, signature: input.signature, response } });
    });
  }

  /** Issue 16: the operator records the commander's response code in the session's chain (provisional until the histories meet); event as given, else the closing once closed. */
  async acknowledged(selector: SessionSelector, input: unknown): Promise<{ record: EvidenceRecord; commit: string }> {
    const typed = parseOrThrow(AcknowledgedInputSchema, input, 'acknowledgement');
    return this.appendToSession(selector, { kind: 'acknowledged', event: typed.event }, (state, _policy, _now, entries) => {
      const event = typed.event ?? (state.closed ? 'closed' : 'declared');
      const challenge = sessionChallenge(entries, event);
      if (!challenge) throw refused(`Session ${state.sessionId} has no ${event} record to acknowledge.`);
      return { type: 'acknowledged', actor: state.operator, redactions: 0, payload: { event, challenge, response: typed.code } };
    });
  }

  /** Issue 16: this host witnesses the other hosts' histories it holds (app/witness.ts), signed by `witness` or (null) this host; null when it saw nothing new. */
  async recordWitness(via: 'fetch' | 'command', witness: Person | null): Promise<{ record: EvidenceRecord; commit: string } | null> {
    return this.deps.store.write((view, append, recovered) => {
      const tips = tipsToWitness(view, this.deps.host.hostId);
      return tips.length === 0 ? Promise.resolve(null) : this.journal.commit(view, append, recovered, this.time.reading(view), { type: 'witnessed', ...(witness ? { actor: witness } : {}), payload: { tips, via } });
    });
  }

  /** The environment block while a session is active, or null (expired, closed, none): `eval "$(breakglass env)"` stays safe. */
  async environment(selector: SessionSelector = {}): Promise<{ text: string; variables: Record<string, string>; state: SessionState } | null> {
    const view = await this.read();
    const clock = this.time.reading(view);
    let state: SessionState;
    try {
      state = this.selectSession(view, selector, 'action', clock);
    } catch {
      return null;
    }
    // A wall clock that reads before the session's last record exports nothing (issue 16).
    if (state.phase !== 'active' || this.time.sessionWriter(view, state, clock, null).movedBack()) return null;
    const env = sessionEnv(state, view.sessions.get(state.sessionId)?.[0]?.commit ?? '');
    return { text: renderEnvExport(env), variables: envVariables(env), state };
  }

  /** Integrity of the records themselves (main/ adds history, authorship and fsck checks). */
  async verifyRecords(view?: LedgerView): Promise<IntegrityProblem[]> {
    return verifyLedgerRecords(view ?? (await this.read()));
  }

  /** Picks the session a call is about (app/sessionSelection.ts), its expiry as both clocks read now (issue 16). */
  selectSession(view: LedgerView, selector: SessionSelector, purpose: SelectionPurpose, clock: ClockReading = this.time.reading(view)): SessionState {
    return selectSession(view, selector, purpose, this.deps.host.hostId, clock.nowMs, clock);
  }

  private async appendToSession(
    selector: SessionSelector,
    event: SessionEvent,
    build: (state: SessionState, policy: Policy, now: number, entries: readonly LedgerEntry[]) => ChainRecordInput,
    options: { allowExpiredCommandEnd?: boolean } = {},
  ): Promise<{ record: EvidenceRecord; commit: string }> {
    return this.deps.store.write(async (view, append, recovered) => {
      const policy = policyOrThrow(view);
      const clock = this.time.reading(view);
      const now = clock.nowMs;
      let state = this.selectSession(view, selector, event.kind === 'action' ? 'action' : event.kind === 'review' ? 'review' : event.kind === 'acknowledged' ? 'acknowledge' : 'close', clock);
      const chain = this.time.sessionWriter(view, state, clock, append);
      // Issue 16: a wall clock that reads before the session's last record writes nothing.
      chain.stamp();
      // A command stopped by the expiry is recorded even though the session has just expired (issue 5).
      const effective: SessionEvent = options.allowExpiredCommandEnd && state.phase === 'expired' ? { kind: 'note' } : event;
      assertLegal(state, effective, policy);
      await this.journal.first(view, append, recovered, clock);
      if (state.phase === 'expired' && !state.expiredRecorded && event.kind !== 'expire') {
        // §6: the expiry is evidenced before anything that follows it.
        await this.time.writeExpired(chain, state, clock);
        state = stateAt(foldSession(chain.entries.map((e) => e.record)), now, clock);
      }
      return chain.add(build(state, policy, now, chain.entries));
    });
  }

  /**
   * Records that the organisation's policy replaced this host's when it joined a remote (issue 2):
   * the remote's policy wins, and the journal says so. `previous`/`adopted` are SHA-256 of the policy texts.
   */
  async recordPolicyAdopted(previous: string | null, adopted: string): Promise<EvidenceRecord> {
    const reason = "Joined a shared remote whose policy.yaml differs from this host's; the organisation's policy wins.";
    return this.deps.store.write((view, append, recovered) => this.journal.append(view, append, recovered, this.time.reading(view), { type: 'policy-adopted', payload: { previousPolicySha256: previous, policySha256: adopted, reason } }));
  }

  /** Records that this host's forwarding fell behind or caught up (issue 19; app/forwarding/lag.ts decides when). */
  async recordForwardingState(payload: unknown): Promise<EvidenceRecord> {
    const parsed = parseOrThrow(FORWARDING_STATE_PAYLOAD, payload, 'forwarding');
    return this.deps.store.write((view, append, recovered) => this.journal.append(view, append, recovered, this.time.reading(view), { type: 'forwarding-state', payload: parsed }));
  }

  /** Records a stale-lock recovery that happened outside a service write (the outbox's merge). */
  async recordLockRecovery(recovery: LockRecovery): Promise<void> {
    await this.deps.store.write(async (view, append) => {
      await this.journal.first(view, append, recovery, this.time.reading(view));
    });
  }

  /**
   * Moves this host to its own ref before its next push (issue 14 migration), when it wrote records
   * on the shared branch before: the `layout-migrated` journal note is its first record there.
   * Writes nothing when there is nothing to move. True when it wrote.
   */
  async recordLayoutMove(): Promise<boolean> {
    // The common case (a host that already moved, or never wrote on the shared branch) takes no lock.
    if (this.journal.layoutMove(await this.deps.store.read()) === null) return false;
    return this.deps.store.write(async (view, append, recovered) => {
      const before = view.sessions.get(this.journal.id)?.length ?? 0;
      return (await this.journal.first(view, append, recovered, this.time.reading(view))).length > before;
    });
  }

}

/** The policy of a view, or a refusal listing the policy file's problems (no state change under an invalid policy). */
export function policyOrThrow(view: LedgerView): Policy {
  if (view.policy.ok) return view.policy.policy;
  throw new BreakGlassError('refused', `The evidence repository's policy.yaml is invalid, so nothing can be recorded until it is fixed:\n${formatPolicyProblems(view.policy.problems)}`);
}

export type { RecordOf };
export type { SessionSelector } from './sessionSelection';
export type { DeclarationSigner, ForwardingProbe, PreconditionResult, RemoteProbe, SigningProbe } from './preconditions';
export { overdueReviewsOf } from './preconditions';
export { ActionInputSchema, ActionStartSchema, OUTPUT_CAP_BYTES, capUtf8, type ActionInput, type RecordingRecordInput, type StartedRef } from './actionInput';
