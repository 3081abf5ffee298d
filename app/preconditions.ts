import { policyNotices } from './policyNotices';
import { BreakGlassError } from './errors';
import { formatPerson, PersonSchema, whyNotNamedHuman, type Person } from './identity';
import { sessionStatesWhere, verifyLedgerRecords, type IntegrityProblem } from './ledger';
import type { SessionState } from './lifecycle';
import { findEnvironment, formatPolicyProblems, matchIncidentPattern } from './policy';
import type { Clock, HostInfo, LedgerView } from './ports';
import { parseRecordPath } from './records';
import { authorizeRecordSigner, findPerson } from './roster/lookup';
import type { Roster, RosterPerson } from './roster/schema';
import { checkOsAccount, chooseSignerKey, TOUCH_PROMPT, type HeldKey } from './roster/signerChoice';
import type { PushStatus } from './views';
import { behindSentence } from './pushText';


/**
 * The "Shared remote" precondition (procedure.md §3.4, issue 12 item 2): the remote is optional
 * (offline recovery), so it is a pass or a warning, never a blocker; it names the remote and
 * where its push stands, so the wizard no longer says "No remote configured" on a host that has one.
 */
export function remotePrecondition(push: PushStatus): { status: 'pass' | 'warn'; detail: string } {
  switch (push.state) {
    case 'local-only':
      return { status: 'warn', detail: 'No remote configured: evidence stays on this host until one is set (breakglass remote set URL).' };
    case 'synced':
      return { status: 'pass', detail: `${push.remote}: synced${push.lastPushAt ? ` (last push ${push.lastPushAt})` : ''}.` };
    case 'pending':
      return { status: 'pass', detail: `${push.remote}: ${push.pending} record(s) pending push; they go out in the background.` };
    case 'offline':
      return { status: 'warn', detail: `${push.remote}: offline since ${push.since} (${push.reason}); ${push.pending} record(s) pending. Evidence is committed here and pushed when the remote is back.` };
    case 'rejected':
      return { status: 'warn', detail: `${push.remote}: the remote refuses our pushes since ${push.since} (${push.reason}); ${push.pending} record(s) pending. Evidence is committed here; fix the remote's access.` };
    case 'behind':
      return { status: 'warn', detail: `${push.remote}: ${behindSentence(push)}` };
  }
}

/** Result of one precondition check (procedure.md §3): pass, fail (blocks), or warn (shown, never blocks). */
export interface PreconditionResult {
  id: 'os-account' | 'roster-account' | 'signing-key' | 'credentials' | 'incident-id' | 'evidence-repository' | 'overdue-review' | 'remote' | 'forwarding';
  label: string;
  status: 'pass' | 'fail' | 'warn';
  detail: string;
  /** The 'signing-key' row when it passes: the key that will sign the declaration (issue 15), for the wizard's review step. */
  signer?: DeclarationSigner;
  /**
   * A failure that is the evidence's, not the operator's standing (no ssh-agent to sign with):
   * `declare` refuses it as evidence-not-committed, as the commit path would.
   */
  blocksAs?: 'evidence-not-committed';
}

/** The roster person and agent key that will sign a declaration (issue 15, "Identity is checked where it is claimed"). */
export interface DeclarationSigner {
  personId: string;
  name: string;
  fingerprint: string;
  keyType: HeldKey['type'];
  securityKey: boolean;
}

/** What main/ knows about signing: the roster in force (null: none) and the keys the ssh-agent holds, or why it cannot be asked. */
export type SigningState =
  | { roster: null }
  | { roster: Roster; agent: { ok: true; keys: readonly HeldKey[] } | { ok: false; message: string; reason?: string } };

/** main/'s view of signing (the store's roster and RecordSigning's agent), read for each check. */
export interface SigningProbe {
  state(): Promise<SigningState>;
}

/** What the console needs to know about the remote, supplied by main/ (the outbox owns it). */
export interface RemoteProbe {
  describe(): Promise<{ status: 'pass' | 'warn'; detail: string }>;
}

/** What the console knows about forwarding to the SIEM (issue 19), supplied by main/ (the forwarder owns it); null when the policy forwards nothing. */
export interface ForwardingProbe {
  describe(view: LedgerView): Promise<{ status: 'pass' | 'warn'; detail: string } | null>;
}

/** What the preconditions read: the host, the clock, and main/'s probes of the remote and forwarding. */
export interface PreconditionDeps {
  host: HostInfo;
  clock: Clock;
  remote?: RemoteProbe | undefined;
  forwarding?: ForwardingProbe | undefined;
  signing?: SigningProbe | undefined;
}

/** What is known of the declaration so far (the wizard asks before the form is complete). */
export interface PreconditionInput {
  environment?: string | undefined;
  incidentId?: string | undefined;
  operator?: Person | undefined;
}

/**
 * The refusal of a declaration whose checks failed, naming each (null: none failed). No agent to
 * sign with is the evidence's failure, as the commit path reports it; anything else is a refusal.
 */
export function preconditionRefusal(checks: readonly PreconditionResult[]): BreakGlassError | null {
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length === 0) return null;
  const code = failed.every((f) => f.blocksAs === 'evidence-not-committed') ? 'evidence-not-committed' : 'refused';
  return new BreakGlassError(code, `Precondition failed: ${failed.map((f) => `${f.label}: ${f.detail}`).join(' ')}`, { field: 'preconditions' });
}

/** Runs the host's preconditions for a (partial) declaration (procedure.md §3), in the order the wizard shows them. */
export async function checkPreconditions(deps: PreconditionDeps, v: LedgerView, input: PreconditionInput): Promise<PreconditionResult[]> {
  const results: PreconditionResult[] = [];
  const policyOk = v.policy.ok ? v.policy.policy : null;
  const { username, uid } = deps.host.osAccount();
  const refusedNames = policyOk?.refusedIdentities ?? [];
  const osWhy = whyNotNamedHuman({ name: username, email: `${username}@localhost` }, refusedNames);
  if (uid === 0 && !policyOk?.allowRootOperator) {
    results.push({ id: 'os-account', label: 'Named OS account', status: 'fail', detail: 'You are logged in as root (uid 0). Log in with your own named account; the policy does not allow root to declare.' });
  } else if (osWhy && !(uid === 0 && policyOk?.allowRootOperator)) {
    results.push({ id: 'os-account', label: 'Named OS account', status: 'fail', detail: `The OS account "${username}" is shared or anonymous. Log in with your own named account.` });
  } else {
    results.push({ id: 'os-account', label: 'Named OS account', status: 'pass', detail: `Logged in as ${username}${uid === null ? '' : ` (uid ${uid})`}${uid === 0 ? ', allowed by policy' : ''}.` });
  }
  if (deps.signing) results.push(...signingChecks(await deps.signing.state(), input.operator, username, deps.host.hostId, deps.clock.now(), policyOk?.unsignedDeclarations ?? 'refuse'));
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
        const value = deps.host.env(check.name);
        const label = check.description ?? `$${check.name}${check.pattern ? ` matches ${check.pattern}` : ' is set'}`;
        // Only which check passed is reported; the value itself never leaves this function.
        if (value === undefined || value === '') failures.push(`$${check.name} is not set (${label}).`);
        else if (check.pattern && !new RegExp(check.pattern, 'u').test(value)) failures.push(`$${check.name} does not match ${check.pattern} (${label}).`);
        else passes.push(label);
      } else {
        const label = check.description ?? `${check.path} exists`;
        if (deps.host.fileExists(check.path)) passes.push(label);
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
  results.push(repositoryCheck(deps.host.hostId, v, input.operator));
  if (policyOk?.overdueReviewBlocksDeclaration) results.push(overdueReviewCheck(v, deps.clock.now(), input.operator));
  if (deps.remote) {
    const r = await deps.remote.describe();
    results.push({ id: 'remote', label: 'Shared remote', status: r.status, detail: r.detail });
  } else {
    results.push({ id: 'remote', label: 'Shared remote', status: 'warn', detail: 'No remote configured: evidence stays on this host until one is set (breakglass remote set URL).' });
  }
  // Issue 19: a destination this host cannot reach is a warning, never a blocker.
  const forwarding = await deps.forwarding?.describe(v);
  if (forwarding) results.push({ id: 'forwarding', label: 'Forwarding to the SIEM', status: forwarding.status, detail: forwarding.detail });
  return results;
}

/**
 * Who will sign the declaration and whether the OS account is the person's (issue 15): the same
 * choice the commit path makes (app/roster/signerChoice.ts), shown before anything is written and
 * recorded in the declaration. Without a roster the records are unsigned: a warning, never a
 * blocker (break-glass must work on the worst day). An OS account the roster does not list for
 * the person is refused (fail closed): the roster is where an organisation binds people to logins.
 */
function signingChecks(state: SigningState, operator: Person | undefined, username: string, hostId: string, now: number, unsigned: 'allow' | 'refuse'): PreconditionResult[] {
  const label = 'Signing key';
  if (state.roster === null) {
    return [{ id: 'signing-key', label, status: 'warn', detail: 'Unsigned: this repository has no roster, so the operator\'s name is claimed, not proven. Create one from the home screen or with breakglass roster init.' }];
  }
  if (!operator) {
    return [{ id: 'signing-key', label, status: 'warn', detail: 'Records in this repository are signed with the operator\'s roster key; the key is checked once your name and e-mail are given.' }];
  }
  const roster = state.roster;
  // Without an agent the roster is still asked who the person is: an unlisted person is refused
  // whatever the policy says about unsigned declarations.
  const choice = chooseSignerKey(roster, operator, 'operator', state.agent.ok ? state.agent.keys : [], (fingerprint) => {
    const check = authorizeRecordSigner(roster, { record: { type: 'declared', sessionId: '', actor: operator, host: { id: hostId } }, fingerprint, atMs: now });
    return check.ok ? null : check.finding.message;
  });
  if (!choice.ok && choice.code === 'no-key-held') {
    // The person is listed with the role, but none of their keys can sign here.
    const why = state.agent.ok ? choice.message : state.agent.message;
    if (unsigned === 'allow') {
      const said = state.agent.ok ? why : state.agent.reason ?? why;
      const person = findPerson(roster, operator)!;
      return [{ id: 'signing-key', label, status: 'warn', detail: `${said} ${UNSIGNED_ALLOWED}` }, accountRow(person, username)];
    }
    return [{ id: 'signing-key', label, status: 'fail', detail: why, ...(state.agent.ok ? {} : { blocksAs: 'evidence-not-committed' as const }) }];
  }
  if (!choice.ok) return [{ id: 'signing-key', label, status: 'fail', detail: choice.message }];
  const { person, key } = choice;
  const signer: DeclarationSigner = { personId: person.id, name: person.name, fingerprint: key.fingerprint, keyType: key.type, securityKey: key.securityKey };
  // The fingerprint in parentheses: "key SHA256:…" reads as an API key to the redaction (issue 13), which would hide it in the record.
  const rows: PreconditionResult[] = [{
    id: 'signing-key', label, status: 'pass', signer,
    detail: `Signed by ${person.name} (${person.id}) with the ${key.type} key (${key.fingerprint}) in the ssh-agent.${key.securityKey ? ` ${TOUCH_PROMPT} when the declaration is committed.` : ''}`,
  }];
  rows.push(accountRow(person, username));
  return rows;
}

/** Said when the policy lets the operator's records go unsigned (issue 15): what it costs, and why it is allowed. */
export const UNSIGNED_ALLOWED = 'The policy allows it (break-glass must work on the worst day): the declaration and your records are committed unsigned, verify names each as a finding, and the review must address it.';

/** Whether the OS account is one of the person's accounts in the roster (procedure.md §1). */
function accountRow(person: RosterPerson, username: string): PreconditionResult {
  const account = checkOsAccount(person, username);
  const label = 'OS account in the roster';
  if (account.listed === null) return { id: 'roster-account', label, status: 'pass', detail: `Not checked: the roster lists no OS accounts for ${person.name}.` };
  if (account.ok) return { id: 'roster-account', label, status: 'pass', detail: `Logged in as ${username}, one of ${person.name}'s accounts in the roster (${account.listed.join(', ')}).` };
  return {
    id: 'roster-account', label, status: 'fail',
    detail: `The OS account "${username}" is not one of ${person.name}'s accounts in the roster (${account.listed.join(', ')}). Log in as one of them, or have a roster admin add this account (breakglass roster propose) and a second admin approve.`,
  };
}

/**
 * The evidence repository's check (procedure.md §3 item 4). Issue 12 item 5: only a problem in
 * this host's own records (its sessions, its reviews, its journal) blocks it; a problem in another
 * host's records, and an invalid newest policy.yaml (the last valid one stays in force), are shown
 * as a warning and recorded in the declaration's precondition results, never blocking.
 */
function repositoryCheck(hostId: string, view: LedgerView, operator: Person | undefined): PreconditionResult {
  const label = 'Evidence repository';
  if (!view.policy.ok) {
    return { id: 'evidence-repository', label, status: 'fail', detail: `policy.yaml is invalid: ${formatPolicyProblems(view.policy.problems)}` };
  }
  const problems = verifyLedgerRecords(view);
  const own = problems.filter((p) => isOwnProblem(hostId, view, p));
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
  warnings.push(...policyNotices(view.policy));
  const others = problems.length - own.length;
  if (others > 0) {
    const first = problems.find((p) => !isOwnProblem(hostId, view, p))!;
    warnings.push(`Other hosts' records have ${others} problem(s) (first: ${first.path ?? first.sessionId ?? ''}: ${first.message}); they do not block this host. Run breakglass verify for the list.`);
  }
  const ok = `${count} record(s) read; this host's verify; commits will be authored by ${operator ? formatPerson(operator) : 'the operator'}.`;
  return warnings.length > 0
    ? { id: 'evidence-repository', label, status: 'warn', detail: `${warnings.join(' ')} ${ok}` }
    : { id: 'evidence-repository', label, status: 'pass', detail: `Writable; ${ok}` };
}

/** True when a problem concerns this host's own records (a session it declared, its review, its journal). */
function isOwnProblem(hostId: string, view: LedgerView, p: IntegrityProblem): boolean {
  if (p.sessionId === `journal-${hostId}`) return true;
  if (p.path && parseRecordPath(p.path)?.reviewerHost === hostId) return true;
  return p.sessionId !== null && view.sessions.get(p.sessionId)?.[0]?.record.host.id === hostId;
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
