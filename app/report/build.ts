import { CONTROLS, type ControlId } from '../controls';
import type { ReportScope } from '../contract';
import { foldSession, stateAt, type SessionState } from '../lifecycle';
import { verifySessionEntries, type IntegrityProblem } from '../ledger';
import { findEnvironment, policyToYaml, TRIGGERS, type Policy } from '../policy';
import type { LedgerEntry } from '../ports';
import type { RecordOf } from '../records';
import { actionOutcome, commandLine } from '../actionText';
import { ATTESTATION_TEXT, type Declaration } from '../declaration';
import { redactText } from '../redact';
import { compareScopes } from '../scopes';
import { summarise } from '../summary';
import { describeClockSkew, describeDeadline } from '../clock';
import type { ReportAction, ReportControl, ReportDeclaration, ReportFollowUp, ReportInput, ReportModel, ReportReview, ReportSession, ReportSummary, ReportTimelineRow } from './model';
import { dayOf, OUTCOME_TEXT, REPORT_OUTPUT_LINES, utc } from './text';

/**
 * Builds the report model (app/report/model.ts) from the ledger, the per-session chain checks and
 * the policy (procedure.md §10, issue 7). Pure: main/report.ts reads the repository and runs
 * `verify`; markdown.ts and html.ts render what this returns.
 */

/**
 * The output as the report shows it. Output is redacted when recorded; it is redacted again here
 * with the ruleset of today, so records written under an older, weaker ruleset (issue 13) do not
 * carry a secret into a report that is mailed around.
 */
function reportOutput(r: RecordOf<'action'>): Pick<ReportAction, 'output' | 'outputLinesOmitted' | 'outputTruncatedAtRecord' | 'outputRedactedNow'> {
  const again = redactText(r.payload.output);
  const lines = again.text.replace(/\n$/, '').split('\n');
  const shown = again.text === '' ? [] : lines.slice(0, REPORT_OUTPUT_LINES);
  return {
    output: shown.join('\n'),
    outputLinesOmitted: again.text === '' ? 0 : Math.max(0, lines.length - REPORT_OUTPUT_LINES),
    outputTruncatedAtRecord: r.payload.outputTruncated,
    outputRedactedNow: again.count,
  };
}

function declarationOf(d: Declaration): ReportDeclaration {
  return {
    justification: d.justification,
    materialRisk: d.materialRisk,
    governedPathsTried: d.governedPathsTried.map((g) => ({ path: g.path, failure: g.failure })),
    attestations: (Object.keys(ATTESTATION_TEXT) as Array<keyof typeof ATTESTATION_TEXT>).map((k) => ({ text: ATTESTATION_TEXT[k], given: d.attestations[k] === true })),
  };
}

function stateText(s: SessionState): string {
  switch (s.phase) {
    case 'active':
      return `active until ${utc(s.expiresAt)} UTC`;
    case 'expired':
      return `expired at ${utc(s.expiresAt)} UTC, awaiting closure`;
    case 'closed':
      return s.reviewOverdue ? `closed, review OVERDUE (was due ${utc(s.closed!.reviewDueAt)} UTC)` : `closed, awaiting review (due ${utc(s.closed!.reviewDueAt)} UTC)`;
    case 'reviewed':
      return `reviewed: ${OUTCOME_TEXT[s.review!.review.outcome] ?? s.review!.review.outcome}`;
  }
}

function row(entry: LedgerEntry): ReportTimelineRow {
  const r = entry.record;
  return { sessionId: r.sessionId, seq: r.seq, at: r.at, type: r.type, actor: r.actor, host: r.host.name, summary: summarise(r), commit: entry.commit, path: entry.path, controls: r.controls };
}

/** Is a session of this declaration in scope? */
function inScope(scope: ReportScope, sessionId: string, declaredAt: string, environment: string | null): boolean {
  if (scope.sessionId) return sessionId === scope.sessionId;
  const day = dayOf(declaredAt);
  if (day < scope.from! || day > scope.to!) return false;
  return !scope.environment || environment === scope.environment;
}

function sessionSection(sessionId: string, entries: readonly LedgerEntry[], input: ReportInput, policy: Policy | null, repoProblems: IntegrityProblem[]): ReportSession {
  const first = entries[0]!.record;
  const declared = first.type === 'declared' ? first : null;
  const timeline = entries.map(row);
  const problems = verifySessionEntries(sessionId, entries);
  const seen = new Set(problems.map((p) => `${p.seq}:${p.message}`));
  const repositoryProblems = repoProblems.filter((p) => p.sessionId === sessionId && !seen.has(`${p.seq}:${p.message}`));
  const today = dayOf(new Date(input.nowMs).toISOString());
  let state: SessionState | null = null;
  let lifecycleError: string | null = null;
  try {
    state = stateAt(foldSession(entries.map((e) => e.record)), input.nowMs);
  } catch (e) {
    lifecycleError = (e as Error).message;
  }
  const environment = declared?.payload.declaration.environment ?? null;
  const env = policy && environment ? findEnvironment(policy, environment) : undefined;
  const commitOf = new Map(entries.map((e) => [e.record.seq, e.commit]));
  const actions: ReportAction[] = [];
  const actionTexts: Array<{ seq: number; argv: readonly string[]; cwd: string; output: string }> = [];
  const reviews: ReportReview[] = [];
  const finished = new Set(entries.flatMap((e) => (e.record.type === 'action' && e.record.payload.started ? [e.record.payload.started.hash] : [])));
  for (const e of entries) {
    const r = e.record;
    if (r.type === 'action-started' && !finished.has(r.hash)) {
      // Evidenced before it ran (issue 12 item 7), with no ending recorded: the auditor must see it ran.
      actions.push({ seq: r.seq, at: r.at, commandLine: commandLine(r.payload.argv), outcome: 'started; no result recorded', commit: e.commit, namesDeclared: [], namesUndeclared: [], output: '', outputLinesOmitted: 0, outputTruncatedAtRecord: false, outputRedactedNow: 0 });
      actionTexts.push({ seq: r.seq, argv: r.payload.argv, cwd: r.payload.cwd, output: '' });
    }
    if (r.type === 'action') {
      actions.push({ seq: r.seq, at: r.at, commandLine: commandLine(r.payload.argv), outcome: actionOutcome(r.payload, 'summary'), commit: e.commit, namesDeclared: [], namesUndeclared: [], ...reportOutput(r) });
      actionTexts.push({ seq: r.seq, argv: r.payload.argv, cwd: r.payload.cwd, output: r.payload.output });
    }
    if (r.type === 'reviewed') {
      const v = r.payload.review;
      reviews.push({ seq: r.seq, at: r.at, reviewer: v.reviewer, outcome: v.outcome, drill: v.drill, findings: v.findings, hash: r.hash, supersedes: v.supersedes ?? null, current: false, commit: commitOf.get(r.seq)! });
    }
  }
  const declaredScopes = declared?.payload.declaration.scopes ?? [];
  const comparison = compareScopes({ declared: declaredScopes, known: env?.scopes.map((x) => x.id) ?? [], actions: actionTexts });
  comparison.actions.forEach((c, i) => {
    actions[i]!.namesDeclared = c.declared.map((h) => h.scope);
    actions[i]!.namesUndeclared = c.undeclared.map((h) => h.scope);
  });
  const currentHash = state?.review?.hash ?? null;
  for (const r of reviews) r.current = r.hash === currentHash;
  const incidentId = declared?.payload.declaration.incidentId ?? '';
  const followUp = (source: 'closure' | 'review', f: { action: string; owner: string; due?: string | undefined }): ReportFollowUp => ({
    sessionId, incidentId, source, action: f.action, owner: f.owner, due: f.due ?? null, overdue: f.due !== undefined && f.due < today,
  });
  const closedRecord = state?.closed?.record ?? null;
  // Only the review in force carries open follow-ups: a superseded review's list was corrected by its successor.
  const followUps = [
    ...(closedRecord?.payload.closure.followUps ?? []).map((f) => followUp('closure', f)),
    ...(state?.review?.review.followUps ?? []).map((f) => followUp('review', f)),
  ];
  return {
    sessionId,
    incidentId: declared ? incidentId : null,
    environment,
    trigger: declared ? `${TRIGGERS[declared.payload.declaration.trigger]} (${declared.payload.declaration.trigger})` : null,
    operator: declared?.payload.declaration.operator ?? null,
    host: first.host.name,
    declaredAt: first.at,
    expiresAt: state?.expiresAt ?? null,
    closedAt: state?.closed?.at ?? null,
    reviewDueAt: state?.closed?.reviewDueAt ?? null,
    phase: state?.phase ?? null,
    stateText: state ? stateText(state) : 'unreadable lifecycle',
    reviewOverdue: state?.phase === 'closed' && state.reviewOverdue,
    declaredUnderPolicy: declared?.payload.policySha256 ?? null,
    declaration: declared ? declarationOf(declared.payload.declaration) : null,
    scopes: declaredScopes.map((id) => ({ id, description: env?.scopes.find((s) => s.id === id)?.description ?? null })),
    scopesNotNamed: actions.length > 0 ? comparison.untouched : [],
    timeline,
    chain: { ok: problems.length === 0, problems },
    repositoryProblems,
    actions,
    closure: closedRecord
      ? { summary: closedRecord.payload.closure.summary, reversalSteps: closedRecord.payload.closure.reversalSteps, controlsRestored: { ...closedRecord.payload.closure.controlsRestored }, controlsNote: closedRecord.payload.closure.controlsNote ?? null }
      : null,
    reviews,
    followUps,
    lifecycleError,
    clock: {
      skews: entries.flatMap((e) => (e.record.type === 'clock-skew' ? [{ seq: e.record.seq, at: e.record.at, commit: e.commit, text: describeClockSkew(e.record.payload) }] : [])),
      bootRecords: entries.filter((e) => e.record.boot !== undefined).length,
      deadline: state && entries.some((e) => e.record.type === 'clock-skew' && e.record.payload.elapsed) ? describeDeadline(state) : null,
    },
    ...(input.repositoryCheck?.witnesses ? { witnesses: (input.repositoryCheck.witnesses.find((h) => h.host === first.host.id)?.witnesses ?? []).map((x) => `${x.witness} (host ${x.witnessHost}) saw commit ${x.commit.slice(0, 12)} with ${x.records} record(s) of this host at ${x.at}`) } : {}),
    ...(input.repositoryCheck?.acknowledgements ? { acknowledgements: input.repositoryCheck.acknowledgements.filter((a) => a.sessionId === sessionId).map(({ event, state: ack, challenge, detail }) => ({ event, state: ack, challenge, detail })) } : {}),
  };
}

/** Builds the report model for a session or a period (whole UTC days `from`..`to`, inclusive, on declaration time). */
export function buildReport(input: ReportInput): ReportModel {
  const { view, scope } = input;
  const policy = view.policy.ok ? view.policy.policy : null;
  const repoProblems = input.repositoryCheck?.problems ?? [];
  const sessions: ReportSession[] = [];
  const hostRecords: ReportTimelineRow[] = [];
  for (const [sessionId, entries] of view.sessions) {
    const first = entries[0]?.record;
    if (!first) continue;
    if (sessionId.startsWith('journal-')) {
      // Host records have no environment; a period report shows those of its days.
      if (!scope.sessionId) for (const e of entries) if (dayOf(e.record.at) >= scope.from! && dayOf(e.record.at) <= scope.to!) hostRecords.push(row(e));
      continue;
    }
    const environment = first.type === 'declared' ? first.payload.declaration.environment : null;
    if (!inScope(scope, sessionId, first.at, environment)) continue;
    sessions.push(sessionSection(sessionId, entries, input, policy, repoProblems));
  }
  sessions.sort((a, b) => (a.declaredAt < b.declaredAt ? -1 : a.declaredAt > b.declaredAt ? 1 : a.sessionId < b.sessionId ? -1 : 1));
  hostRecords.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  const sessionIds = new Set(sessions.map((s) => s.sessionId));
  const unreadable = view.unreadable
    .filter((u) => {
      const m = /(bg-\d{8}-\d{6}-[0-9a-f]{8})/.exec(u.path);
      if (scope.sessionId) return m?.[1] === scope.sessionId;
      // An unreadable file cannot say its environment or time reliably: a period report shows those whose session is in range, or whose id's date is.
      if (!m) return false;
      const day = `${m[1]!.slice(3, 7)}-${m[1]!.slice(7, 9)}-${m[1]!.slice(9, 11)}`;
      return sessionIds.has(m[1]!) || (!scope.environment && day >= scope.from! && day <= scope.to!);
    })
    .map((u) => ({ path: u.path, message: u.message }));

  const controls: ReportControl[] = (Object.keys(CONTROLS) as ControlId[]).map((id) => ({ id, description: CONTROLS[id], evidence: [] }));
  const byId = new Map(controls.map((c) => [c.id, c]));
  const allRows = [...sessions.flatMap((s) => s.timeline), ...hostRecords];
  for (const r of allRows) for (const c of r.controls) byId.get(c)?.evidence.push({ sessionId: r.sessionId, seq: r.seq, type: r.type, commit: r.commit });

  let firstRow: ReportTimelineRow | null = null;
  let lastRow: ReportTimelineRow | null = null;
  for (const r of allRows) {
    if (!firstRow || r.at < firstRow.at) firstRow = r;
    if (!lastRow || r.at > lastRow.at) lastRow = r;
  }
  const followUps = sessions.flatMap((s) => s.followUps);

  let summary: ReportSummary | null = null;
  if (!scope.sessionId) {
    const byPhase = { active: 0, expired: 0, closed: 0, reviewed: 0, unreadable: 0 };
    const byEnv = new Map<string, number>();
    const outcomes = { justified: 0, 'justified-with-findings': 0, 'not-justified': 0 };
    let drills = 0;
    for (const s of sessions) {
      byPhase[s.phase ?? 'unreadable'] += 1;
      const env = s.environment ?? '(unknown)';
      byEnv.set(env, (byEnv.get(env) ?? 0) + 1);
      const current = s.reviews.find((r) => r.current);
      if (current) {
        outcomes[current.outcome as keyof typeof outcomes] += 1;
        if (current.drill) drills += 1;
      }
    }
    summary = {
      sessions: sessions.length,
      byPhase,
      byEnvironment: [...byEnv].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      outcomes,
      drills,
      awaitingReview: byPhase.closed,
      overdueReviews: sessions.filter((s) => s.reviewOverdue).map((s) => s.sessionId),
      openFollowUps: followUps.length,
      overdueFollowUps: followUps.filter((f) => f.overdue).length,
      chainsFailing: sessions.filter((s) => !s.chain.ok || s.repositoryProblems.length > 0).length,
    };
  }

  const scopeText = scope.sessionId
    ? `session ${scope.sessionId}`
    : `sessions declared ${scope.from} to ${scope.to} (whole UTC days, inclusive)${scope.environment ? ` in ${scope.environment}` : ', all environments'}`;
  const only = sessions[0];
  return {
    kind: scope.sessionId ? 'session' : 'period',
    title: scope.sessionId
      ? `Break-glass audit report: ${only?.incidentId ? `${only.incidentId}, ` : ''}session ${scope.sessionId}`
      : `Break-glass audit report: ${scope.from} to ${scope.to}${scope.environment ? `, ${scope.environment}` : ''}`,
    scopeText,
    scope,
    generatedAt: new Date(input.nowMs).toISOString(),
    generatedOn: input.generatedOn ?? null,
    // A remote URL may carry a token (https://user:token@host): it is redacted like any evidence.
    repository: { path: input.repository.path, remote: input.repository.remote === null ? null : redactText(input.repository.remote).text, branch: view.branch, head: view.head },
    repositoryCheck: input.repositoryCheck ?? null,
    policy: view.policy.ok
      ? { ok: true, sha256: view.policy.sha256, source: view.policy.source, policy: view.policy.policy, yaml: policyToYaml(view.policy.policy) }
      : { ok: false, sha256: view.policy.sha256, problems: view.policy.problems },
    summary,
    sessions,
    hostRecords,
    controls,
    followUps,
    commitRange: firstRow && lastRow ? { first: firstRow, last: lastRow } : null,
    unreadable,
  };
}
