import { formatPerson, PersonSchema, whyNotNamedHuman, type Person } from './identity';
import { sessionStatesWhere, verifyLedgerRecords, type IntegrityProblem } from './ledger';
import type { SessionState } from './lifecycle';
import { findEnvironment, formatPolicyProblems, matchIncidentPattern } from './policy';
import type { Clock, HostInfo, LedgerView } from './ports';
import { parseRecordPath } from './records';
import type { PushStatus } from './views';


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
  }
}

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

/** What the preconditions read: the host, the clock, and main/'s probes of the remote and forwarding. */
export interface PreconditionDeps {
  host: HostInfo;
  clock: Clock;
  remote?: RemoteProbe | undefined;
  forwarding?: ForwardingProbe | undefined;
}

/** What is known of the declaration so far (the wizard asks before the form is complete). */
export interface PreconditionInput {
  environment?: string | undefined;
  incidentId?: string | undefined;
  operator?: Person | undefined;
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
  if (view.policy.rejected) {
    warnings.push(`The newest policy.yaml is invalid (${formatPolicyProblems(view.policy.rejected.problems).replace(/\n/g, '; ')}); the last valid policy (sha256 ${view.policy.sha256.slice(0, 12)}) stays in force until it is fixed.`);
  }
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
