import { CONTROLS, type ControlId } from './controls';
import type { ReportScope } from './contract';
import type { Person } from './identity';
import { foldSession, stateAt, type SessionPhase, type SessionState } from './lifecycle';
import { verifySessionEntries, type IntegrityProblem } from './ledger';
import { findEnvironment, policyToYaml, TRIGGERS, type Policy, type PolicyProblem } from './policy';
import type { LedgerEntry, LedgerView } from './ports';
import type { EvidenceRecord, RecordType } from './records';
import { redactText } from './redact';
import { compareScopes } from './scopes';
import { summarise } from './summary';

/**
 * The auditor's report (procedure.md §10, issue 7), pure: a model built from the ledger, the
 * per-session chain checks and the policy, then rendered as Markdown or as self-contained HTML
 * (which main prints to PDF). Both renderings come from the one model, so they cannot disagree.
 */

/** The repository-wide `verify` result, when the caller ran it (main/verify.ts `VerifyReport` has this shape). */
export interface RepositoryCheck {
  ok: boolean;
  head: string | null;
  sessions: number;
  records: number;
  commitsChecked: number;
  comparedWithRemote: string | null;
  problems: IntegrityProblem[];
}

/** What a report needs besides the ledger. */
export interface ReportInput {
  view: LedgerView;
  scope: ReportScope;
  nowMs: number;
  /** Where the evidence lives, for "Checking this report independently". */
  repository: { path: string; remote: string | null };
  repositoryCheck?: RepositoryCheck | null;
  /** The host the report was produced on. */
  generatedOn?: string;
}

/** One record of a timeline. */
export interface ReportTimelineRow {
  sessionId: string;
  seq: number;
  at: string;
  type: RecordType;
  actor: Person;
  host: string;
  summary: string;
  commit: string;
  path: string;
  controls: readonly ControlId[];
}

/** One recorded action, for "declared scopes against recorded actions". */
export interface ReportAction {
  seq: number;
  at: string;
  commandLine: string;
  outcome: string;
  commit: string;
  /** Declared scopes the command line, folder or output names (app/scopes.ts: a pointer for the reader, not proof). */
  namesDeclared: string[];
  /** Scopes the policy knows for the environment, not declared, that the action names. */
  namesUndeclared: string[];
}

/** One review, the current one and the ones it superseded. */
export interface ReportReview {
  seq: number;
  at: string;
  reviewer: Person;
  outcome: string;
  drill: boolean;
  findings: string;
  hash: string;
  supersedes: string | null;
  current: boolean;
  commit: string;
}

/** A follow-up that the evidence records no completion of. */
export interface ReportFollowUp {
  sessionId: string;
  incidentId: string;
  source: 'closure' | 'review';
  action: string;
  owner: string;
  due: string | null;
  overdue: boolean;
}

/** Everything a report says about one session. */
export interface ReportSession {
  sessionId: string;
  incidentId: string | null;
  environment: string | null;
  trigger: string | null;
  operator: Person | null;
  host: string;
  declaredAt: string;
  expiresAt: string | null;
  closedAt: string | null;
  reviewDueAt: string | null;
  phase: SessionPhase | null;
  stateText: string;
  reviewOverdue: boolean;
  /** The policy the declaration was made under, and whether that is the one in force now. */
  declaredUnderPolicy: string | null;
  scopes: Array<{ id: string; description: string | null }>;
  /** Declared scopes no action names (asked for, apparently not used). */
  scopesNotNamed: string[];
  timeline: ReportTimelineRow[];
  chain: { ok: boolean; problems: IntegrityProblem[] };
  /** Problems the repository-wide verify found for this session beyond its chain (authorship, rewrites). */
  repositoryProblems: IntegrityProblem[];
  actions: ReportAction[];
  closure: { summary: string; reversalSteps: string[]; controlsRestored: Record<string, string>; controlsNote: string | null } | null;
  reviews: ReportReview[];
  followUps: ReportFollowUp[];
  /** Set when the records do not fold into a lifecycle: the timeline and chain still show. */
  lifecycleError: string | null;
}

/** The period's summary table. */
export interface ReportSummary {
  sessions: number;
  byPhase: Record<'active' | 'expired' | 'closed' | 'reviewed' | 'unreadable', number>;
  byEnvironment: Array<[string, number]>;
  outcomes: Record<'justified' | 'justified-with-findings' | 'not-justified', number>;
  drills: number;
  awaitingReview: number;
  overdueReviews: string[];
  openFollowUps: number;
  overdueFollowUps: number;
  chainsFailing: number;
}

/** One control reference and the records that evidence it. */
export interface ReportControl {
  id: ControlId;
  description: string;
  evidence: Array<{ sessionId: string; seq: number; type: RecordType; commit: string }>;
}

/** The report, ready to render. */
export interface ReportModel {
  kind: 'session' | 'period';
  title: string;
  scopeText: string;
  scope: ReportScope;
  generatedAt: string;
  generatedOn: string | null;
  repository: { path: string; remote: string | null; branch: string; head: string | null };
  repositoryCheck: RepositoryCheck | null;
  policy:
    | { ok: true; sha256: string; source: 'repository' | 'built-in'; policy: Policy; yaml: string }
    | { ok: false; sha256: string; problems: PolicyProblem[] };
  summary: ReportSummary | null;
  sessions: ReportSession[];
  /** Host-level records (writer-lock recovery, policy adoption) in the period: they evidence the store itself. */
  hostRecords: ReportTimelineRow[];
  controls: ReportControl[];
  followUps: ReportFollowUp[];
  /** The first and last evidence commits in scope, by record time. */
  commitRange: { first: ReportTimelineRow; last: ReportTimelineRow } | null;
  /** Record files in scope that could not be read (never skipped silently). */
  unreadable: Array<{ path: string; message: string }>;
}

const OUTCOME_TEXT: Record<string, string> = {
  justified: 'justified',
  'justified-with-findings': 'justified with findings',
  'not-justified': 'not justified',
};

/** A UTC instant as `YYYY-MM-DD HH:MM:SS` (reports state UTC in their headers). */
export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** The report's file name: `breakglass-report-<session>` or `breakglass-report-<from>_<to>[-<env>]`. */
export function reportFileName(scope: ReportScope, format: 'md' | 'html' | 'pdf'): string {
  const stem = scope.sessionId ? scope.sessionId : `${scope.from}_${scope.to}${scope.environment ? `-${scope.environment.replace(/[^A-Za-z0-9-]/g, '_')}` : ''}`;
  return `breakglass-report-${stem}.${format}`;
}

/** The media type of each format. */
export const REPORT_MEDIA_TYPES = { md: 'text/markdown', html: 'text/html', pdf: 'application/pdf' } as const;

/** A command line as typed: arguments with spaces or quotes are quoted. */
function commandLineOf(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function actionOutcome(r: Extract<EvidenceRecord, { type: 'action' }>): string {
  if (r.payload.kind === 'shell-opened') return 'governed shell opened';
  if (r.payload.stoppedBy) return `stopped by ${r.payload.stoppedBy}`;
  return r.payload.exitCode === null ? `ended by ${r.payload.signal ?? 'a signal'}` : `exit ${r.payload.exitCode}`;
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
  for (const e of entries) {
    const r = e.record;
    if (r.type === 'action') {
      actions.push({ seq: r.seq, at: r.at, commandLine: commandLineOf(r.payload.argv), outcome: actionOutcome(r), commit: e.commit, namesDeclared: [], namesUndeclared: [] });
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

// ---------------------------------------------------------------------------------------------
// Rendering. One walk over the model per format; evidence text is escaped for each format, so a
// note or a command line can never become markup in the exported file.

/** The parts the two renderers fill in their own syntax. */
interface Writer {
  h(level: 1 | 2 | 3 | 4, text: string, id?: string): void;
  p(text: string): void;
  /** A paragraph from trusted fragments: plain text plus `code` spans. */
  rich(parts: Array<string | { code: string } | { strong: string }>): void;
  list(items: string[]): void;
  richList(items: Array<Array<string | { code: string } | { strong: string }>>): void;
  table(head: string[], rows: Array<Array<string | { code: string }>>, widths?: number[], className?: string): void;
  code(text: string): void;
  sessionStart(): void;
  sessionEnd(): void;
}

const FMT_COUNT = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function writeReport(m: ReportModel, w: Writer): void {
  w.h(1, m.title);
  w.list([
    `Scope: ${m.scopeText}`,
    `Generated: ${utc(m.generatedAt)} UTC${m.generatedOn ? ` on ${m.generatedOn}` : ''}`,
    `Evidence repository: ${m.repository.path}${m.repository.remote ? ` (remote ${m.repository.remote})` : ' (no remote)'}, branch ${m.repository.branch}, head ${m.repository.head ?? '(empty)'}`,
    `Policy in force: sha256 ${m.policy.sha256}${m.policy.ok ? ` (${m.policy.source === 'repository' ? 'policy.yaml in the repository' : 'built-in default'})` : ' (INVALID)'}`,
    m.repositoryCheck
      ? `Repository verification (breakglass verify): ${m.repositoryCheck.ok ? 'OK' : `FAILED, ${FMT_COUNT(m.repositoryCheck.problems.length, 'problem')}`}: ${FMT_COUNT(m.repositoryCheck.records, 'record')} in ${FMT_COUNT(m.repositoryCheck.sessions, 'session')}, ${FMT_COUNT(m.repositoryCheck.commitsChecked, 'commit')} checked${m.repositoryCheck.comparedWithRemote ? `, history contains ${m.repositoryCheck.comparedWithRemote.replace('refs/remotes/', '')}` : ''}`
      : 'Repository verification: not run for this report (run breakglass verify, below)',
  ]);

  if (m.summary) writeSummary(m, m.summary, w);
  if (m.kind === 'period' && m.sessions.length === 0) w.p(`No break-glass session was declared in this period${m.scope.environment ? ` in ${m.scope.environment}` : ''}.`);
  if (m.kind === 'session' && m.sessions.length === 0) w.p(`No session ${m.scope.sessionId} in this evidence repository.`);

  if (m.followUps.length > 0 && m.kind === 'period') {
    w.h(2, 'Open follow-ups', 'follow-ups');
    w.p('Follow-ups from closures and from the review in force; the evidence records no completion of them. Overdue ones are marked.');
    followUpTable(m.followUps, w, true);
  }

  for (const s of m.sessions) writeSession(m, s, w);

  if (m.hostRecords.length > 0) {
    w.h(2, 'Host records in this period', 'host-records');
    w.p('Records about the evidence store itself (writer-lock recovery, policy adoption), not about one session.');
    w.table(['time (UTC)', 'host journal', '#', 'type', 'summary', 'evidence commit'], m.hostRecords.map((r) => [utc(r.at), r.sessionId, String(r.seq), r.type, r.summary, { code: r.commit }]), [13, 16, 4, 11, 30, 26]);
  }

  writeControls(m, w);
  writePolicy(m, w);
  writeIndependentCheck(m, w);
}

function writeSummary(m: ReportModel, s: ReportSummary, w: Writer): void {
  w.h(2, 'Summary', 'summary');
  w.table(['measure', 'count'], [
    ['Sessions declared in the period', String(s.sessions)],
    ['Active now', String(s.byPhase.active)],
    ['Expired, awaiting closure', String(s.byPhase.expired)],
    ['Closed, awaiting review', String(s.byPhase.closed)],
    ['Reviewed', String(s.byPhase.reviewed)],
    ...(s.byPhase.unreadable ? [['Records that do not form a lifecycle', String(s.byPhase.unreadable)]] : []),
    ...s.byEnvironment.map(([env, n]) => [`Environment ${env}`, String(n)]),
    ['Reviews: justified', String(s.outcomes.justified)],
    ['Reviews: justified with findings', String(s.outcomes['justified-with-findings'])],
    ['Reviews: not justified', String(s.outcomes['not-justified'])],
    ['Reviewed sessions that were drills', String(s.drills)],
    ['Reviews overdue', String(s.overdueReviews.length)],
    ['Open follow-ups (overdue)', `${s.openFollowUps} (${s.overdueFollowUps})`],
    ['Sessions whose verification found problems', String(s.chainsFailing)],
    ['Record files that could not be read', String(m.unreadable.length)],
  ], [70, 30], 'summary');
  if (s.overdueReviews.length > 0) w.rich(['Overdue reviews: ', ...s.overdueReviews.flatMap((id, i) => [i ? ', ' : '', { code: id }])]);
}

function followUpTable(rows: ReportFollowUp[], w: Writer, withSession: boolean): void {
  w.table(
    [...(withSession ? ['session'] : []), 'from', 'action', 'owner', 'due', 'status'],
    rows.map((f) => [...(withSession ? [`${f.incidentId} ${f.sessionId}`] : []), f.source, f.action, f.owner, f.due ?? 'no date', f.overdue ? 'OVERDUE' : 'open']),
    withSession ? [22, 9, 35, 14, 10, 10] : [10, 50, 18, 11, 11],
  );
}

function writeSession(m: ReportModel, s: ReportSession, w: Writer): void {
  w.sessionStart();
  w.h(2, `Session ${s.sessionId}${s.incidentId ? ` (${s.incidentId})` : ''}`, s.sessionId);
  const policyNote = s.declaredUnderPolicy === null ? 'unknown' : s.declaredUnderPolicy === m.policy.sha256 ? `sha256 ${s.declaredUnderPolicy} (the policy in force now)` : `sha256 ${s.declaredUnderPolicy} (differs from the policy in force now)`;
  w.list([
    `Incident: ${s.incidentId ?? '(no declaration)'}`,
    `Trigger: ${s.trigger ?? '(no declaration)'}`,
    `Environment: ${s.environment ?? '(unknown)'}`,
    `Operator: ${s.operator ? `${s.operator.name} <${s.operator.email}>` : '(unknown)'} on ${s.host}`,
    `Declared: ${utc(s.declaredAt)} UTC; expiry ${s.expiresAt ? `${utc(s.expiresAt)} UTC` : '(unknown)'}${s.closedAt ? `; closed ${utc(s.closedAt)} UTC` : ''}`,
    `State now: ${s.stateText}`,
    `Declared under policy: ${policyNote}`,
  ]);
  if (s.lifecycleError) w.rich([{ strong: 'These records do not form a valid lifecycle: ' }, s.lifecycleError]);

  w.h(3, 'Chain verification');
  const repo = m.repositoryCheck;
  if (s.chain.ok) w.rich([{ strong: 'Chain verified: ' }, `${FMT_COUNT(s.timeline.length, 'record')}, every hash and link checks, sequence 1..${s.timeline.length} without gaps.`]);
  else w.rich([{ strong: `Chain FAILED: ${FMT_COUNT(s.chain.problems.length, 'problem')}.` }]);
  if (repo) {
    if (s.repositoryProblems.length === 0) w.p(`Repository verification for this session: ${repo.ok ? 'OK' : 'no problem names this session'} (commit authors match the named actors, no record changed or removed after its commit${repo.comparedWithRemote ? ', pushed history intact' : ''}).`);
    else w.rich([{ strong: `Repository verification for this session: ${FMT_COUNT(s.repositoryProblems.length, 'problem')}.` }]);
  }
  const problems = [...s.chain.problems, ...s.repositoryProblems];
  if (problems.length > 0) w.list(problems.map((p) => `${p.seq === null ? '' : `#${p.seq} `}${p.commit ? `(commit ${p.commit.slice(0, 12)}) ` : ''}${p.message}`));

  w.h(3, 'Timeline');
  w.table(['#', 'time (UTC)', 'type', 'actor', 'host', 'summary', 'evidence commit'], s.timeline.map((r) => [String(r.seq), utc(r.at), r.type, r.actor.name, r.host, r.summary, { code: r.commit }]), [4, 13, 9, 11, 9, 30, 24], 'timeline');

  w.h(3, 'Declared scopes against recorded actions');
  w.rich(['Declared scopes: ', ...s.scopes.flatMap((sc, i) => [i ? ', ' : '', { code: sc.id }, sc.description ? ` (${sc.description})` : ''])]);
  if (s.actions.length === 0) w.p('No action was recorded in this session.');
  else {
    w.p('"Scopes named" lists the scopes each action\'s command line, folder or output names: a pointer for the reader, not proof of what was touched. An undeclared scope named is marked.');
    w.table(['#', 'time (UTC)', 'command line', 'result', 'scopes named', 'evidence commit'], s.actions.map((a) => [
      String(a.seq), utc(a.at), { code: a.commandLine }, a.outcome,
      [...a.namesDeclared, ...a.namesUndeclared.map((x) => `UNDECLARED ${x}`)].join(', ') || '—',
      { code: a.commit.slice(0, 12) },
    ]), [4, 13, 39, 11, 17, 16]);
    if (s.scopesNotNamed.length > 0) w.p(`Declared scopes no action names: ${s.scopesNotNamed.join(', ')}.`);
  }

  w.h(3, 'Closure');
  if (!s.closure) w.p('Not closed.');
  else {
    w.list([
      `Summary: ${s.closure.summary}`,
      `Reversal steps: ${s.closure.reversalSteps.join('; ')}`,
      `Controls restored: signing keys ${s.closure.controlsRestored.signingKeys}, backend locks ${s.closure.controlsRestored.backendLocks}, break-glass credentials rotated ${s.closure.controlsRestored.breakGlassCredentialsRotated}${s.closure.controlsNote ? ` (${s.closure.controlsNote})` : ''}`,
    ]);
  }

  w.h(3, 'Review');
  if (s.reviews.length === 0) w.p(s.reviewDueAt ? `No review recorded; due ${utc(s.reviewDueAt)} UTC${s.reviewOverdue ? ' (OVERDUE)' : ''}.` : 'No review recorded.');
  else {
    w.table(['#', 'time (UTC)', 'reviewer', 'outcome', 'drill', 'findings', 'status'], s.reviews.map((r) => [
      String(r.seq), utc(r.at), `${r.reviewer.name} <${r.reviewer.email}>`, OUTCOME_TEXT[r.outcome] ?? r.outcome, r.drill ? 'drill' : 'real emergency', r.findings || '—',
      r.current ? 'in force' : 'superseded',
    ]), [4, 12, 18, 12, 14, 28, 12]);
  }

  w.h(3, 'Open follow-ups');
  if (s.followUps.length === 0) w.p('None recorded.');
  else followUpTable(s.followUps, w, false);
  w.sessionEnd();
}

function writeControls(m: ReportModel, w: Writer): void {
  w.sessionStart();
  w.h(2, 'Control mapping', 'controls');
  const where = m.kind === 'period' ? 'this period' : 'this session';
  w.p(`Each ISO 27001 / SOC 2 reference of the procedure, with the records in ${where} that evidence it (session, record number and type, abbreviated evidence commit; the full ids are in the timelines).`);
  w.table(['control', 'what it covers', 'records'], m.controls.map((c) => [c.id, c.description, c.evidence.length === 0 ? `no evidence in ${where}` : String(c.evidence.length)]), [22, 58, 20], 'controls');
  for (const c of m.controls) {
    // Controls without evidence are already named in the table above.
    if (c.evidence.length === 0) continue;
    w.h(3, `${c.id}: ${c.description}`);
    const bySession = new Map<string, typeof c.evidence>();
    for (const e of c.evidence) bySession.set(e.sessionId, [...(bySession.get(e.sessionId) ?? []), e]);
    w.richList([...bySession].map(([sessionId, ev]) => [{ code: sessionId }, ': ', ...ev.flatMap((e, i) => [i ? ', ' : '', `#${e.seq} ${e.type} `, { code: e.commit.slice(0, 12) }])]));
  }
  w.sessionEnd();
}

function writePolicy(m: ReportModel, w: Writer): void {
  w.h(2, 'Policy in force', 'policy');
  const p = m.policy;
  if (!p.ok) {
    w.rich([{ strong: `The repository's policy.yaml is invalid` }, ` (sha256 ${p.sha256}); nothing can be recorded under it until it is fixed:`]);
    w.list(p.problems.map((x) => `${x.file}${x.line ? `:${x.line}` : ''}: ${x.field ? `${x.field}: ` : ''}${x.message}`));
    return;
  }
  const pol = p.policy;
  w.rich(['sha256 ', { code: p.sha256 }, `, ${p.source === 'repository' ? 'from policy.yaml at the root of the evidence repository' : 'the built-in default (the repository has no policy.yaml)'}.`]);
  w.table(['setting', 'value'], [
    ['environments and scopes', pol.environments.map((e) => `${e.id}: ${e.scopes.map((s) => s.id).join(', ')}`).join('; ')],
    ['credential checks', pol.environments.map((e) => `${e.id}: ${e.credentialChecks.length}`).join('; ')],
    ['incident ID patterns', pol.incidentIdPatterns.map((x) => `${x.name} (e.g. ${x.example})`).join(', ')],
    ['justification minimum', `${pol.justificationMinLength} characters`],
    ['duration', `default ${pol.duration.defaultMinutes} min, maximum ${pol.duration.maxMinutes} min`],
    ['extension', `step ${pol.extension.stepMinutes} min, at most ${pol.extension.maxCount}, session at most ${pol.extension.maxTotalMinutes} min`],
    ['warnings', `${pol.warningMinutes.join(', ')} minutes before expiry`],
    ['review window', `${pol.reviewWindowDays} days after closing`],
    ['uid 0 may declare', pol.allowRootOperator ? 'yes' : 'no'],
    ['overdue review blocks the operator\'s next declaration', pol.overdueReviewBlocksDeclaration ? 'yes' : 'no'],
    ['extra refused identities', pol.refusedIdentities.length ? pol.refusedIdentities.join(', ') : 'none'],
  ], [35, 65]);
  w.p('The policy as YAML:');
  w.code(p.yaml);
}

function writeIndependentCheck(m: ReportModel, w: Writer): void {
  w.h(2, 'Checking this report independently', 'checking');
  const repo = m.repository;
  const target = repo.remote ?? repo.path;
  w.rich([
    'The evidence is the Git repository ', { code: repo.path }, repo.remote ? ' (shared remote ' : '', ...(repo.remote ? [{ code: repo.remote }, ')'] : []),
    ', branch ', { code: repo.branch }, ', whose head was ', { code: repo.head ?? '(empty)' }, ' when this report was made. Every record is one JSON file added by one commit authored by the person it names; the records of a session form a hash chain.',
  ]);
  if (m.commitRange) {
    const { first, last } = m.commitRange;
    w.rich(['Records in this report were committed from ', { code: first.commit }, ` (${first.sessionId} #${first.seq}, ${utc(first.at)} UTC) to `, { code: last.commit }, ` (${last.sessionId} #${last.seq}, ${utc(last.at)} UTC).`]);
  } else w.p('This report contains no record, so no commit range.');
  w.p('1. Clone the repository (or use a copy you already trust) and verify every record, chain, commit author and the history against the remote, offline:');
  w.code(`git clone ${target} evidence\nbreakglass verify --repo evidence`);
  if (m.commitRange) {
    const { first, last } = m.commitRange;
    w.p('2. List the commits of this report\'s range:');
    w.code(`git -C evidence log --format='%H %an <%ae> %s' ${first.commit}^..${last.commit}`);
    w.p('3. Check one record: show the file the commit added and compare it with the timeline above (its path is in the commit):');
    w.code(`git -C evidence show --stat ${first.commit}\ngit -C evidence show ${first.commit}:${first.path}`);
  }
}

// ---- Markdown ----

function mdEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/[|*_[\]`]/g, (c) => `\\${c}`).replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

function mdCode(s: string): string {
  // A code span's fence is longer than any run of backticks inside it; pipes still end a table cell.
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const body = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  return `${fence}${body.startsWith('`') || body.endsWith('`') ? ` ${body} ` : body}${fence}`;
}

function mdPart(p: string | { code: string } | { strong: string }): string {
  if (typeof p === 'string') return mdEscape(p);
  if ('code' in p) return mdCode(p.code);
  return `**${mdEscape(p.strong)}**`;
}

/** Renders the model as Markdown. */
export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [];
  const w: Writer = {
    h: (level, text) => out.push(`${'#'.repeat(level)} ${mdEscape(text)}`, ''),
    p: (text) => out.push(mdEscape(text), ''),
    rich: (parts) => out.push(parts.map(mdPart).join(''), ''),
    list: (items) => out.push(...items.map((i) => `- ${mdEscape(i)}`), ''),
    richList: (items) => out.push(...items.map((parts) => `- ${parts.map(mdPart).join('')}`), ''),
    table: (head, rows) => {
      out.push(`| ${head.map(mdEscape).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
      for (const r of rows) out.push(`| ${r.map(mdPart).join(' | ')} |`);
      out.push('');
    },
    code: (text) => {
      const fence = '`'.repeat(Math.max(3, ...(text.match(/`{3,}/g) ?? []).map((r) => r.length + 1)));
      out.push(fence, text.replace(/\n$/, ''), fence, '');
    },
    sessionStart: () => {},
    sessionEnd: () => {},
  };
  writeReport(m, w);
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

// ---- HTML ----

function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function htmlPart(p: string | { code: string } | { strong: string }): string {
  if (typeof p === 'string') return htmlEscape(p);
  if ('code' in p) return `<code>${htmlEscape(p.code)}</code>`;
  return `<strong>${htmlEscape(p.strong)}</strong>`;
}

// Print first (A4, page breaks between sessions, fixed table layout so wide ids wrap instead of
// overflowing the page); the same file reads well on screen. Inline <style> is fine here: this
// file is exported and printed, never loaded under the app's CSP.
const REPORT_CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #111; margin: 0 auto; max-width: 200mm; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 8pt; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; border-bottom: 1.5pt solid #222; padding-bottom: 2pt; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; }
h4 { font-size: 10pt; margin: 8pt 0 2pt; }
h2, h3, h4 { break-after: avoid; }
p, ul { margin: 0 0 6pt; }
ul { padding-left: 14pt; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8pt; }
code { overflow-wrap: anywhere; word-break: break-all; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; border: 0.5pt solid #ccc; padding: 4pt 6pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0 0 8pt; font-size: 8.5pt; }
th, td { border: 0.5pt solid #999; padding: 2pt 3pt; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e8e8e8; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
table.summary { width: 60%; }
section.session { break-before: page; }
strong { font-weight: 700; }
@media screen { body { padding: 16px; } }
`;

/** Renders the model as one self-contained HTML document (no script, no external resource). */
export function renderHtml(m: ReportModel): string {
  const out: string[] = [];
  const w: Writer = {
    h: (level, text, id) => out.push(`<h${level}${id ? ` id="${htmlEscape(id)}"` : ''}>${htmlEscape(text)}</h${level}>`),
    p: (text) => out.push(`<p>${htmlEscape(text)}</p>`),
    rich: (parts) => out.push(`<p>${parts.map(htmlPart).join('')}</p>`),
    list: (items) => out.push(`<ul>${items.map((i) => `<li>${htmlEscape(i)}</li>`).join('')}</ul>`),
    richList: (items) => out.push(`<ul>${items.map((parts) => `<li>${parts.map(htmlPart).join('')}</li>`).join('')}</ul>`),
    table: (head, rows, widths, className) => {
      const cols = widths ? `<colgroup>${widths.map((x) => `<col style="width:${x}%">`).join('')}</colgroup>` : '';
      out.push(`<table${className ? ` class="${className}"` : ''}>${cols}<thead><tr>${head.map((h) => `<th scope="col">${htmlEscape(h)}</th>`).join('')}</tr></thead><tbody>`);
      for (const r of rows) out.push(`<tr>${r.map((c) => `<td>${htmlPart(c)}</td>`).join('')}</tr>`);
      out.push('</tbody></table>');
    },
    code: (text) => out.push(`<pre>${htmlEscape(text.replace(/\n$/, ''))}</pre>`),
    sessionStart: () => out.push('<section class="session">'),
    sessionEnd: () => out.push('</section>'),
  };
  writeReport(m, w);
  // The CSP keeps the exported file inert wherever it is opened: no script, no request, only its own styles.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(m.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${out.join('\n')}
</body>
</html>
`;
}
