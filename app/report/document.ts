import type { ReportDeclaration, ReportFollowUp, ReportModel, ReportSession, ReportSummary } from './model';
import { commandLine } from '../actionText';
import { OUTCOME_TEXT, REPORT_OUTPUT_LINES, utc } from './text';
import { describeSignatures, type SignatureSummary } from '../verifyResult';

/**
 * The report's document, written once for every format (issue 7): one walk over the model that
 * markdown.ts and html.ts run with their own Writer. Evidence text is escaped by each format's
 * writer, so a note or a command line can never become markup in the exported file.
 */

/** A fragment of trusted text: plain, a `code` span, or strong. */
export type Part = string | { code: string } | { strong: string };

/** The parts the two renderers fill in their own syntax. */
export interface Writer {
  h(level: 1 | 2 | 3 | 4, text: string, id?: string): void;
  p(text: string): void;
  /** A paragraph from trusted fragments: plain text plus `code` spans. */
  rich(parts: Part[]): void;
  list(items: string[]): void;
  richList(items: Part[][]): void;
  table(head: string[], rows: Array<Array<string | { code: string }>>, widths?: number[], className?: string): void;
  code(text: string): void;
  sessionStart(): void;
  sessionEnd(): void;
}

/** One word for a POSIX shell, quoted unless it is plainly safe. */
const shellWord = (word: string): string => commandLine([word]);

const FMT_COUNT = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Who signed each record of a session (issue 15; A.6.2, A.8.2, CC6.1–CC6.3): proven by a roster key, or only claimed. */
function writeSigners(s: ReportSession, sig: SignatureSummary, w: Writer): void {
  const byCommit = new Map(sig.records.map((r) => [r.commit, r]));
  w.h(3, 'Who signed what');
  w.table(['#', 'type', 'named', 'signature', 'key fingerprint'], s.timeline.map((r) => {
    const rs = byCommit.get(r.commit);
    const status = !rs ? 'not checked' : rs.status === 'proven' ? `proven: ${rs.signer?.name ?? ''}` : rs.status === 'claimed' ? 'unsigned (claimed, not proven)' : 'INVALID (see problems)';
    return [String(r.seq), r.type, r.actor.name, status, rs?.fingerprint ? { code: rs.fingerprint } : '-'];
  }), [4, 10, 14, 22, 30], 'signers');
}

/** Writes the whole report through `w`, in order: header, summary, sessions, host records, controls, policy, how to check it. */
export function writeReport(m: ReportModel, w: Writer): void {
  w.h(1, m.title);
  w.list([
    `Scope: ${m.scopeText}`,
    `Generated: ${utc(m.generatedAt)} UTC${m.generatedOn ? ` on ${m.generatedOn}` : ''}`,
    `Evidence repository: ${m.repository.path}${m.repository.remote ? ` (remote ${m.repository.remote})` : ' (no remote)'}, branch ${m.repository.branch}, head ${m.repository.head ?? '(empty)'}`,
    `Policy in force: sha256 ${m.policy.sha256}${m.policy.ok ? ` (${m.policy.source === 'repository' ? 'policy.yaml in the repository' : 'built-in default'})` : ' (INVALID)'}`,
    m.repositoryCheck
      ? `Repository verification (breakglass verify): ${m.repositoryCheck.ok ? 'OK' : `FAILED, ${FMT_COUNT(m.repositoryCheck.problems.length, 'problem')}`}: ${FMT_COUNT(m.repositoryCheck.records, 'record')} in ${FMT_COUNT(m.repositoryCheck.sessions, 'session')}, ${FMT_COUNT(m.repositoryCheck.commitsChecked, 'commit')} checked${m.repositoryCheck.comparedWithRemote ? `, history contains ${m.repositoryCheck.comparedWithRemote.replace('refs/remotes/', '')}` : ''}`
      : 'Repository verification: not run for this report (run breakglass verify, below)',
    ...(m.repositoryCheck?.signatures ? [describeSignatures(m.repositoryCheck.signatures)] : []),
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

/**
 * The session's clock (issue 16): the wall clock is checked against the host's boot clock at every
 * record that carries one, and each disagreement is a clock-skew record, said here plainly.
 */
function writeClock(s: ReportSession, w: Writer): void {
  const { skews, bootRecords, deadline } = s.clock;
  if (skews.length === 0 && bootRecords === 0) return;
  w.h(3, 'Clock');
  w.p(bootRecords === 0
    ? 'No record of this session carries the host\'s boot clock (written on a host without one, or before issue 16): only the order of the wall-clock times was checked.'
    : `${FMT_COUNT(bootRecords, 'record')} of ${s.timeline.length} carry the host's boot clock (boot id and time since boot, which setting the system time does not move); the wall clock was checked against it at each.${skews.length === 0 ? ' The two agreed within the policy\'s tolerance throughout.' : ''}`);
  if (skews.length > 0) w.list(skews.map((k) => `#${k.seq} clock-skew at ${utc(k.at)} UTC (commit ${k.commit.slice(0, 12)}): ${k.text}`));
  if (deadline) w.p(deadline);
}

/** The incident commander's acknowledgement (issue 16): each event's code and state, as verify found it. */
function writeAcknowledgements(s: ReportSession, w: Writer): void {
  if (!s.acknowledgements || s.acknowledgements.length === 0) return;
  w.h(3, 'Acknowledgement');
  w.list(s.acknowledgements.map((a) => `${a.event === 'declared' ? 'Declaration' : 'Closing'} code ${a.challenge.slice(0, 5)}-${a.challenge.slice(5)}: ${a.state}. ${a.detail}`));
}

/** Who else saw the session's host history (issue 16): a rewrite of what they saw is a verify finding. */
function writeWitnesses(s: ReportSession, w: Writer): void {
  if (!s.witnesses) return;
  w.h(3, 'Witnesses');
  if (s.witnesses.length === 0) w.p(`No witness has stated host ${s.host}'s history yet: only the commander's acknowledgement (above) and the pushes protect it from a rewrite by its own author.`);
  else w.list(s.witnesses);
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
  if (s.declaration) writeDeclaration(s.declaration, w);

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

  writeClock(s, w);
  writeAcknowledgements(s, w);
  writeWitnesses(s, w);
  if (repo?.signatures) writeSigners(s, repo.signatures, w);

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
    writeOutputs(s, w);
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

// Seed §2: the reasons come first. They are the operator's own words, shown as recorded.
function writeDeclaration(d: ReportDeclaration, w: Writer): void {
  w.h(3, 'Declaration');
  w.rich([{ strong: 'Justification: ' }, d.justification]);
  w.rich([{ strong: 'Material risk: ' }, d.materialRisk]);
  w.p('Governed paths tried first, and how each failed:');
  w.table(['governed path', 'how it failed'], d.governedPathsTried.map((g) => [g.path, g.failure]), [30, 70]);
  w.list(d.attestations.map((a) => `${a.given ? 'Attested' : 'NOT attested'}: ${a.text}`));
}

function writeOutputs(s: ReportSession, w: Writer): void {
  w.h(3, 'Recorded output');
  w.p(`Each action's output as recorded, redacted (procedure.md §7) and redacted again with the current ruleset; at most ${FMT_COUNT(REPORT_OUTPUT_LINES, 'line')} each, the rest is in the record its commit names.`);
  for (const a of s.actions) {
    const notes = [
      a.outputLinesOmitted > 0 ? `${FMT_COUNT(a.outputLinesOmitted, 'more line')} in the record` : '',
      a.outputTruncatedAtRecord ? 'the recorder kept only part of the output' : '',
      a.outputRedactedNow > 0 ? `${FMT_COUNT(a.outputRedactedNow, 'further redaction')} made for this report` : '',
    ].filter(Boolean);
    w.rich([{ strong: `#${a.seq} ` }, { code: a.commandLine }, ` (${a.outcome}, commit `, { code: a.commit.slice(0, 12) }, `)${notes.length ? `: ${notes.join('; ')}` : ''}`]);
    if (a.output === '') w.p('No output.');
    else w.code(a.output);
  }
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
    ['without the operator\'s roster key in the ssh-agent', pol.unsignedDeclarations === 'allow' ? 'recorded unsigned, a finding the review addresses' : 'refused'],
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
  // An auditor pastes these lines: every word that is not a commit id git printed is shell-quoted (issue 12 item 11).
  w.code(`git clone ${shellWord(target)} evidence\nbreakglass verify --repo evidence`);
  if (m.commitRange) {
    const { first, last } = m.commitRange;
    w.p('2. List the commits of this report\'s range:');
    w.code(`git -C evidence log --format='%H %an <%ae> %s' ${first.commit}^..${last.commit}`);
    w.p('3. Check one record: show the file the commit added and compare it with the timeline above (its path is in the commit):');
    w.code(`git -C evidence show --stat ${first.commit}\ngit -C evidence show ${shellWord(`${first.commit}:${first.path}`)}`);
  }
}
