import { BreakGlassError } from '../../app/errors';
import { declarationTemplate } from '../../app/declaration';
import { policyNotices } from '../../app/policyNotices';
import { openApplication, type CommandGroup } from './commandGroup';
import { challengeWords, describeAcknowledgements } from './acknowledgementCommands';
import { sessionAcknowledgementsNow } from '../application/acknowledge';
import { CommandRanUnrecorded } from '../application/commands';
import { askDeclaration, CLOSURE_TEMPLATE, printTemplate, readJsonFile, REVIEW_TEMPLATE, templateOrFile } from './inputs';
import { describePush, describeState, EXIT, fail, out, sessionJson, type GlobalOptions } from './output';

/** The session's commands: declare, status, env, exec, note, extend, close, review. */
export const registerSessionCommands: CommandGroup = (program, { g, action, setExit }) => {
  program.command('declare')
    .description('declare a break-glass session (commits the `declared` record)')
    .option('--file <path>', 'declaration JSON file (- for stdin)')
    .option('--template', 'print an example declaration file')
    .action(action(async (o: { file?: string; template?: boolean }) => {
      const app = await openApplication(g());
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
      out(g(), `Declared ${result.state.sessionId} (${result.state.declaration.incidentId}) in ${result.state.declaration.environment} until ${result.state.expiresAt}.\nEvidence commit ${result.commit}.\n${signing ? `${signing.detail}\n` : ''}${ack.human}\nLoad the environment with: eval "$(breakglass env)"`, { ...sessionJson(result.state), commit: result.commit, signing, acknowledgement: ack.json });
    }));

  program.command('status')
    .description('active session, remaining time, push state')
    .action(action(async () => {
      const app = await openApplication(g());
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
      out(g(), human, { repo: ctx.repoDir, host: { id: ctx.host.hostId, name: ctx.host.hostName }, push, sessions: mine.map((s) => ({ ...sessionJson(s), acknowledgements: acks.get(s.sessionId) ?? [] })), ...(rejected ? { policyRejected: rejected } : {}), ...(notInForce ? { policyNotInForce: notInForce } : {}) });
      return mine.some((s) => s.phase === 'active') ? EXIT.ok : EXIT.noSession;
    }));

  program.command('env')
    .description('print the export block while a session is active (nothing, exit 3, otherwise)')
    .option('--session <id>', 'session id (default: the active session on this host)')
    .option('--environment <env>', 'pick the active session of this environment')
    .action(action(async (o: { session?: string; environment?: string }) => {
      const app = await openApplication(g());
      const env = await app.service.environment({ sessionId: o.session, environment: o.environment });
      if (!env) {
        process.stderr.write('breakglass: no active break-glass session on this host (none declared, or it expired). Nothing exported.\n');
        return EXIT.noSession;
      }
      out(g(), env.text, env.variables);
    }));

  program.command('exec')
    .description('run a command with the session environment and record it as an action')
    .option('--session <id>', 'session id (default: the active session on this host)')
    .argument('<command...>', 'the command and its arguments, after --')
    .passThroughOptions()
    .action(async (argv: string[], o: { session?: string }) => {
      try {
        setExit(await execCommand(g(), argv, o.session));
      } catch (e) {
        // 125 means nothing ran (issue 12 item 7): a command that ran but whose ending could not be committed exits 4.
        setExit(fail(g(), e, e instanceof CommandRanUnrecorded ? EXIT.notCommitted : EXIT.execRefused));
      }
    });

  program.command('note')
    .description('add a note to the session')
    .argument('<text...>', 'the note')
    .option('--session <id>', 'session id')
    // A note is free text: "-lock released" is a note, not an unknown option (issue 12 item 13).
    .allowUnknownOption()
    .action(action(async (text: string[], o: { session?: string }) => {
      const app = await openApplication(g());
      const r = await app.note({ sessionId: o.session }, text.join(' '));
      out(g(), `Noted in ${r.record.sessionId} (commit ${r.commit}).`, { sessionId: r.record.sessionId, seq: r.record.seq, commit: r.commit });
    }));

  program.command('extend')
    .description('extend the active session (new justification required)')
    .requiredOption('--minutes <n>', 'minutes to add')
    .requiredOption('--reason <text>', 'why more time is needed')
    .option('--session <id>', 'session id')
    .action(action(async (o: { minutes: string; reason: string; session?: string }) => {
      const minutes = Number(o.minutes);
      const app = await openApplication(g());
      const r = await app.extend({ sessionId: o.session }, { minutes: Number.isFinite(minutes) ? minutes : o.minutes, reason: o.reason });
      // The expiry as the service now counts it: the earlier of the wall clock's and the boot clock's deadlines (issue 16).
      const expiresAt = (await app.service.sessions()).find((s) => s.sessionId === r.record.sessionId)?.expiresAt ?? (r.record.type === 'extended' ? r.record.payload.newExpiresAt : null);
      out(g(), `Extended ${r.record.sessionId} by ${minutes} min: now expires ${expiresAt}. Commit ${r.commit}.`, { sessionId: r.record.sessionId, expiresAt, commit: r.commit });
    }));

  program.command('close')
    .description('close the session with its reversal record')
    .option('--file <path>', 'closure JSON file (- for stdin)')
    .option('--template', 'print an example closure file')
    .option('--session <id>', 'session id')
    .action(action(async (o: { file?: string; template?: boolean; session?: string }) => {
      const input = await templateOrFile(o, CLOSURE_TEMPLATE, 'closure');
      if (input === undefined) return;
      const app = await openApplication(g());
      const r = await app.close({ sessionId: o.session }, input);
      const due = r.record.type === 'closed' ? r.record.payload.reviewDueAt : '';
      const ack = challengeWords(r.commit, 'closed');
      out(g(), `Closed ${r.record.sessionId}. Review due by ${due}. Commit ${r.commit}.\n${ack.human}`, { sessionId: r.record.sessionId, reviewDueAt: due, commit: r.commit, acknowledgement: ack.json });
    }));

  program.command('review')
    .description('record the post-incident review (reviewer named in the file)')
    .option('--session <id>', 'session id (required unless --template)')
    .option('--file <path>', 'review JSON file (- for stdin)')
    .option('--template', 'print an example review file')
    .action(action(async (o: { file?: string; template?: boolean; session?: string }) => {
      if (!o.template && !o.session) throw new BreakGlassError('invalid-input', 'Name the session to review with --session ID (list sessions with: breakglass log).', { field: 'session' });
      const input = await templateOrFile(o, REVIEW_TEMPLATE, 'review');
      if (input === undefined || !o.session) return;
      const app = await openApplication(g());
      const r = await app.review(o.session, input);
      out(g(), `Review recorded for ${r.record.sessionId}. Commit ${r.commit}.`, { sessionId: r.record.sessionId, commit: r.commit });
    }));
};

/** Conventional exit statuses of a command killed by a signal (128 + the signal's number). */
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/**
 * `breakglass exec -- CMD…`: refuses before running anything (exit 125) when the session may not
 * act or its `action-started` record cannot be committed; otherwise exits with the command's status.
 */
async function execCommand(opts: GlobalOptions, argv: string[], sessionId: string | undefined): Promise<number> {
  const app = await openApplication(opts);
  const started = await app.commands.start({
    sessionId, argv, shell: false, cwd: process.cwd(), via: 'cli-exec', stdin: 'inherit',
    onOutput: (chunk, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(chunk),
  });
  const { action, record, commit } = await started.done;
  if (!opts.json) process.stderr.write(`breakglass: recorded as ${record.sessionId} #${record.seq} (commit ${commit.slice(0, 12)})${action.stoppedBy === 'expiry' ? '; stopped at the session expiry' : ''}\n`);
  if (action.exitCode !== null) return action.exitCode;
  return 128 + (SIGNAL_NUMBERS[action.signal ?? ''] ?? 1);
}
