import { BreakGlassError } from '../../app/errors';
import { declarationTemplate } from '../../app/declaration';
import { policyNotices } from '../../app/policyNotices';
import { sessionAcknowledgementsNow } from '../application/acknowledge';
import { CommandRanUnrecorded } from '../application/commands';
import { challengeWords, describeAcknowledgements } from './acknowledgementActions';
import { askDeclaration, CLOSURE_TEMPLATE, printTemplate, readJsonFile, REVIEW_TEMPLATE, templateOrFile } from './inputs';
import { openApplication } from './openApplication';
import { describePush, describeState, EXIT, fail, out, sessionJson, type GlobalOptions } from './output';

/** What the session's commands do (registered in sessionCommands.ts, imported when one runs). */

/** `declare`: commits the `declared` record. */
export async function declare(opts: GlobalOptions, o: { file?: string; template?: boolean }): Promise<void> {
  const app = await openApplication(opts);
  if (o.template) {
    printTemplate(declarationTemplate(await app.service.policy()));
    return;
  }
  let input: unknown;
  if (o.file) input = await readJsonFile(o.file, 'declaration');
  else if (process.stdin.isTTY) input = await askDeclaration(await app.service.policy());
  else throw new BreakGlassError('invalid-input', 'Give the declaration with --file FILE (print an example with --template), or run on a terminal to be asked each field.');
  const result = await app.declare(input);
  // Which key signed (issue 15), as the declaration's own precondition row recorded it.
  const signing = result.record.type === 'declared' ? result.record.payload.preconditions.find((p) => p.id === 'signing-key') ?? null : null;
  const ack = challengeWords(result.commit, 'declared');
  out(opts, `Declared ${result.state.sessionId} (${result.state.declaration.incidentId}) in ${result.state.declaration.environment} until ${result.state.expiresAt}.\nEvidence commit ${result.commit}.\n${signing ? `${signing.detail}\n` : ''}${ack.human}\nLoad the environment with: eval "$(breakglass env)"`, { ...sessionJson(result.state), commit: result.commit, signing, acknowledgement: ack.json });
}

/** `status`: the active session, remaining time, push state. */
export async function status(opts: GlobalOptions): Promise<number> {
  const app = await openApplication(opts, { openOnly: true });
  const { ctx } = app;
  const states = await ctx.service.sessions();
  const acks = await sessionAcknowledgementsNow(app);
  const mine = states.filter((s) => s.host.id === ctx.host.hostId && (s.phase === 'active' || s.phase === 'expired'));
  const push = await ctx.outbox.status();
  const policy = (await ctx.service.read()).policy;
  // Issue 12 item 5, issue 15: an invalid newest policy.yaml, or one governance did not adopt, is said everywhere, with the one in force.
  const rejected = policy.ok && policy.rejected ? { problems: policy.rejected.problems, inForce: policy.sha256 } : null;
  const notInForce = policy.ok && policy.notInForce ? { ...policy.notInForce, inForce: policy.sha256 } : null;
  const human = [
    `Evidence repository: ${ctx.repoDir}`,
    `Push: ${describePush(push)}`,
    ...policyNotices(policy).map((n) => `Policy: ${n}`),
    mine.length === 0 ? 'No open session on this host.' : mine.map((s) => [describeState(s), ...describeAcknowledgements(acks.get(s.sessionId) ?? [])].join('\n')).join('\n'),
  ].join('\n');
  out(opts, human, { repo: ctx.repoDir, host: { id: ctx.host.hostId, name: ctx.host.hostName }, push, sessions: mine.map((s) => ({ ...sessionJson(s), acknowledgements: acks.get(s.sessionId) ?? [] })), ...(rejected ? { policyRejected: rejected } : {}), ...(notInForce ? { policyNotInForce: notInForce } : {}) });
  return mine.some((s) => s.phase === 'active') ? EXIT.ok : EXIT.noSession;
}

/** `exec -- CMD…`: the command's exit status; 125 when nothing ran (issue 12 item 7), 4 when it ran but its ending could not be committed. */
export async function exec(opts: GlobalOptions, argv: string[], sessionId: string | undefined): Promise<number> {
  try {
    return await execCommand(opts, argv, sessionId);
  } catch (e) {
    return fail(opts, e, e instanceof CommandRanUnrecorded ? EXIT.notCommitted : EXIT.execRefused);
  }
}

/** `note`: adds a note to the session. */
export async function note(opts: GlobalOptions, text: string[], o: { session?: string }): Promise<void> {
  const app = await openApplication(opts, openOnlyUnless(o.session));
  const r = await app.note({ sessionId: o.session }, text.join(' '));
  out(opts, `Noted in ${r.record.sessionId} (commit ${r.commit}).`, { sessionId: r.record.sessionId, seq: r.record.seq, commit: r.commit });
}

/** `extend`: more time, with a new justification. */
export async function extend(opts: GlobalOptions, o: { minutes: string; reason: string; session?: string }): Promise<void> {
  const minutes = Number(o.minutes);
  const app = await openApplication(opts, openOnlyUnless(o.session));
  const r = await app.extend({ sessionId: o.session }, { minutes: Number.isFinite(minutes) ? minutes : o.minutes, reason: o.reason });
  // The expiry as the service now counts it: the earlier of the wall clock's and the boot clock's deadlines (issue 16).
  const expiresAt = (await app.service.sessions()).find((s) => s.sessionId === r.record.sessionId)?.expiresAt ?? (r.record.type === 'extended' ? r.record.payload.newExpiresAt : null);
  out(opts, `Extended ${r.record.sessionId} by ${minutes} min: now expires ${expiresAt}. Commit ${r.commit}.`, { sessionId: r.record.sessionId, expiresAt, commit: r.commit });
}

/** `close`: the reversal record. */
export async function close(opts: GlobalOptions, o: { file?: string; template?: boolean; session?: string }): Promise<void> {
  const input = await templateOrFile(o, CLOSURE_TEMPLATE, 'closure');
  if (input === undefined) return;
  const app = await openApplication(opts, openOnlyUnless(o.session));
  const r = await app.close({ sessionId: o.session }, input);
  const due = r.record.type === 'closed' ? r.record.payload.reviewDueAt : '';
  const ack = challengeWords(r.commit, 'closed');
  out(opts, `Closed ${r.record.sessionId}. Review due by ${due}. Commit ${r.commit}.\n${ack.human}`, { sessionId: r.record.sessionId, reviewDueAt: due, commit: r.commit, acknowledgement: ack.json });
}

/** `review`: the post-incident review. */
export async function review(opts: GlobalOptions, o: { file?: string; template?: boolean; session?: string }): Promise<void> {
  if (!o.template && !o.session) throw new BreakGlassError('invalid-input', 'Name the session to review with --session ID (list sessions with: breakglass log).', { field: 'session' });
  const input = await templateOrFile(o, REVIEW_TEMPLATE, 'review');
  if (input === undefined || !o.session) return;
  const app = await openApplication(opts);
  const r = await app.review(o.session, input);
  out(opts, `Review recorded for ${r.record.sessionId}. Commit ${r.commit}.`, { sessionId: r.record.sessionId, commit: r.commit });
}

/**
 * Issue 18: a command about this host's open session reads only the open sessions and journals;
 * one that names a session (which may be closed, or another host's, with its own refusal) reads everything.
 */
function openOnlyUnless(sessionId: string | undefined): { openOnly: boolean } {
  return { openOnly: !sessionId };
}

/** Conventional exit statuses of a command killed by a signal (128 + the signal's number). */
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/**
 * `breakglass exec -- CMD…`: refuses before running anything (exit 125) when the session may not
 * act or its `action-started` record cannot be committed; otherwise exits with the command's status.
 */
async function execCommand(opts: GlobalOptions, argv: string[], sessionId: string | undefined): Promise<number> {
  const app = await openApplication(opts, openOnlyUnless(sessionId));
  const started = await app.commands.start({
    sessionId, argv, shell: false, cwd: process.cwd(), via: 'cli-exec', stdin: 'inherit',
    onOutput: (chunk, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(chunk),
  });
  const { action, record, commit } = await started.done;
  if (!opts.json) process.stderr.write(`breakglass: recorded as ${record.sessionId} #${record.seq} (commit ${commit.slice(0, 12)})${action.stoppedBy === 'expiry' ? '; stopped at the session expiry' : ''}\n`);
  if (action.exitCode !== null) return action.exitCode;
  return 128 + (SIGNAL_NUMBERS[action.signal ?? ''] ?? 1);
}
