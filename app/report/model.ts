import type { ControlId } from '../controls';
import type { ReportScope } from '../contract';
import type { Person } from '../identity';
import type { IntegrityProblem } from '../ledger';
import type { SessionPhase } from '../lifecycle';
import type { Policy, PolicyProblem } from '../policy';
import type { LedgerView } from '../ports';
import type { RecordType } from '../records';
import type { VerifyResult } from '../verifyResult';

/**
 * The auditor's report (procedure.md §10, issue 7) as data: what build.ts makes from the ledger,
 * the per-session chain checks and the policy, and what markdown.ts and html.ts render (through
 * the one walk in document.ts). Both renderings come from this one model, so they cannot disagree.
 */

/** What a report needs besides the ledger. */
export interface ReportInput {
  view: LedgerView;
  scope: ReportScope;
  nowMs: number;
  /** Where the evidence lives, for "Checking this report independently". */
  repository: { path: string; remote: string | null };
  /** The repository-wide `verify` result, when the caller ran it (it runs once per report). */
  repositoryCheck?: VerifyResult | null;
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
  /** The recorded output, redacted again with the current ruleset, at most REPORT_OUTPUT_LINES lines. */
  output: string;
  /** Lines of the recorded output the report leaves out (the record at `commit` has them). */
  outputLinesOmitted: number;
  /** The recorder itself kept only part of the output (`outputTruncated` in the record). */
  outputTruncatedAtRecord: boolean;
  /** Redactions the report made in output already recorded (records from before the current ruleset). */
  outputRedactedNow: number;
}

/** What the operator declared and attested (seed §2): what an auditor reads first. */
export interface ReportDeclaration {
  justification: string;
  materialRisk: string;
  governedPathsTried: Array<{ path: string; failure: string }>;
  attestations: Array<{ text: string; given: boolean }>;
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
  /** The declaration's reasons, null when the session has no readable declaration. */
  declaration: ReportDeclaration | null;
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
  /**
   * The session's clock (issues 5, 16): each clock-skew record and what it proves, how many records
   * carry the host's boot clock, and which deadline the session ends by (null without a boot check).
   */
  clock: { skews: Array<{ seq: number; at: string; commit: string; text: string }>; bootRecords: number; deadline: string | null };
  /** Issue 16: the incident commander's acknowledgement of the declaration (and closing), as verify found it; absent without a repository check. */
  acknowledgements?: Array<{ event: 'declared' | 'closed'; state: string; challenge: string; detail: string }>;
  /** Issue 16: the latest statement of each witness of the session's host history, in words; absent without a repository check. */
  witnesses?: string[];
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
  repositoryCheck: VerifyResult | null;
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
