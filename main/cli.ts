import { promises as fs } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { BreakGlassError, type ErrorCode } from '../app/errors';
import { declarationTemplate } from '../app/declaration';
import { TRIGGERS, TRIGGER_IDS } from '../app/policy';
import type { SessionState } from '../app/lifecycle';
import { openContext, type ConsoleContext } from './context';
import { formatRemaining } from '../app/countdown';
import { verifyRepository } from './verify';
import { writeSessionEnvFile } from './sessionEnv';
import { startCommand } from './runner';
import { ReportScopeSchema } from '../app/contract';
import { parseOrThrow } from '../app/zodIssues';
import { produceReport, writeReportFile, type ReportFormat } from './report';

/**
 * The `breakglass` CLI (issue 2). Exit codes: 0 success, 1 refused by policy or state, 2 bad input,
 * 3 no active session / expired, 4 evidence could not be committed. `exec` refuses with 125 before
 * running anything, and otherwise exits with the command's own status.
 */
export const EXIT = { ok: 0, refused: 1, badInput: 2, noSession: 3, notCommitted: 4, execRefused: 125 } as const;

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  refused: EXIT.refused,
  'invalid-input': EXIT.badInput,
  'no-active-session': EXIT.noSession,
  'evidence-not-committed': EXIT.notCommitted,
  internal: EXIT.notCommitted,
};

interface GlobalOptions {
  repo?: string;
  json?: boolean;
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function out(opts: GlobalOptions, human: string, data: unknown): void {
  process.stdout.write(opts.json ? `${JSON.stringify(data)}\n` : human.endsWith('\n') ? human : `${human}\n`);
}

/** Prints one line that says what to do, on stderr, and returns the exit code. */
function fail(opts: GlobalOptions, e: unknown, exitOverride?: number): number {
  if (e instanceof Exit) return e.code;
  const err = e instanceof BreakGlassError ? e : e instanceof CommanderError ? new BreakGlassError('invalid-input', e.message.replace(/^error: /, '')) : new BreakGlassError('internal', `Unexpected failure: ${(e as Error)?.message ?? String(e)}`);
  const message = err.message.replace(/\s*\n\s*/g, ' | ');
  if (opts.json) process.stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), problems: err.problems } })}\n`);
  else process.stderr.write(`breakglass: ${message}\n`);
  return exitOverride ?? EXIT_BY_CODE[err.code];
}

async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new BreakGlassError('invalid-input', `Cannot read the ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Print an example with --template.`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BreakGlassError('invalid-input', `The ${what} file ${file} is not valid JSON (${(e as Error).message}). Print an example with --template.`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function describeState(s: SessionState): string {
  const d = s.declaration;
  const base = `${s.sessionId}  ${d.incidentId}  ${d.environment}  ${s.operator.name}`;
  switch (s.phase) {
    case 'active':
      return `${base}  ACTIVE, ${formatRemaining(s.remainingMs)} left (expires ${s.expiresAt})`;
    case 'expired':
      return `${base}  EXPIRED at ${s.expiresAt}, awaiting closure`;
    case 'closed':
      return `${base}  CLOSED, review due ${s.closed?.reviewDueAt}${s.reviewOverdue ? ' (OVERDUE)' : ''}`;
    case 'reviewed':
      return `${base}  REVIEWED: ${s.review?.review.outcome}`;
  }
}

function sessionJson(s: SessionState) {
  return {
    sessionId: s.sessionId, phase: s.phase, incidentId: s.declaration.incidentId, environment: s.declaration.environment,
    trigger: s.declaration.trigger, scopes: s.declaration.scopes, operator: s.operator, host: s.host, declaredAt: s.declaredAt,
    expiresAt: s.expiresAt, remainingMs: s.phase === 'active' ? s.remainingMs : 0, reviewDueAt: s.closed?.reviewDueAt ?? null,
    reviewOutcome: s.review?.review.outcome ?? null, records: s.recordCount,
  };
}

async function context(opts: GlobalOptions): Promise<ConsoleContext> {
  return openContext({ repo: opts.repo });
}

/** After every state change the exported file follows the ledger (issue 5: session.env). */
async function afterWrite(ctx: ConsoleContext): Promise<void> {
  await writeSessionEnvFile(ctx.service).catch(() => {});
}

async function askDeclaration(ctx: ConsoleContext): Promise<unknown> {
  const policy = await ctx.service.policy();
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const ask = async (q: string, def?: string) => {
      const a = (await rl.question(`${q}${def ? ` [${def}]` : ''}: `)).trim();
      return a || def || '';
    };
    process.stderr.write('Break-glass declaration. Every answer is recorded as evidence.\n');
    TRIGGER_IDS.forEach((t, i) => process.stderr.write(`  ${i + 1}. ${t}: ${TRIGGERS[t]}\n`));
    const tIdx = Number(await ask('Trigger (1-3)')) - 1;
    const paths: Array<{ path: string; failure: string }> = [];
    for (;;) {
      const p = await ask(`Governed access path tried #${paths.length + 1} (empty to finish)`);
      if (!p) break;
      paths.push({ path: p, failure: await ask(`  How did "${p}" fail`) });
    }
    const materialRisk = await ask('Material risk (customer, regulator, data integrity, availability)');
    const yes = async (q: string) => /^y(es)?$/i.test(await ask(`${q} (yes/no)`));
    const attestations = {
      notExpediency: await yes('I attest this is not for expediency'),
      notRoutineChange: await yes('I attest this is not a routine change'),
      notGovernanceAvoidance: await yes('I attest this is not to avoid governance'),
    };
    const incidentId = await ask(`Incident ID (e.g. ${policy.incidentIdPatterns.map((p) => p.example).join(', ')})`);
    const justification = await ask(`Justification (at least ${policy.justificationMinLength} characters)`);
    const environment = await ask(`Environment (${policy.environments.map((e) => e.id).join(', ')})`);
    const env = policy.environments.find((e) => e.id === environment);
    const scopes = (await ask(`Scopes, comma-separated (${env?.scopes.map((s) => s.id).join(', ') ?? ''})`)).split(',').map((s) => s.trim()).filter(Boolean);
    const durationMinutes = Number(await ask(`Duration in minutes (max ${policy.duration.maxMinutes})`, String(policy.duration.defaultMinutes)));
    const name = await ask('Your full name');
    const email = await ask('Your e-mail');
    return { trigger: TRIGGER_IDS[tIdx] ?? '', governedPathsTried: paths, materialRisk, attestations, incidentId, justification, environment, scopes, durationMinutes, operator: { name, email } };
  } finally {
    rl.close();
  }
}

const CLOSURE_TEMPLATE = {
  summary: 'Released the stale state lock held by the crashed pipeline and re-ran the governed apply.',
  reversalSteps: ['Re-enabled the pipeline lock', 'Confirmed the governed pipeline applies cleanly'],
  controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' },
  followUps: [{ action: 'Add lock-timeout alerting to the pipeline', owner: 'Grace Hopper', due: '2026-12-15' }],
};

const REVIEW_TEMPLATE = {
  reviewer: { name: 'Grace Hopper', email: 'grace@example.com' },
  outcome: 'justified-with-findings',
  drill: false,
  findings: 'Break-glass was warranted; the lock-timeout alert would have caught this earlier.',
  followUps: [{ action: 'Add lock-timeout alerting', owner: 'Platform team', due: '2026-12-15' }],
};

/** Builds the command tree; `run` parses argv and returns the exit code. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('breakglass')
    .description('Break-glass: declare an emergency, act for a limited time, leave a tamper-evident record in Git.')
    .option('--repo <dir>', 'evidence repository (default: $BREAKGLASS_REPO, else <data dir>/evidence)')
    .option('--json', 'machine-readable output')
    // `exec -- CMD --flags`: everything after the command belongs to CMD.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `breakglass: ${s.slice(7)}` : s) })
    .showSuggestionAfterError();

  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  const action = <A extends unknown[]>(fn: (...args: A) => Promise<number | void>) => async (...args: A) => {
    try {
      setExit((await fn(...args)) ?? EXIT.ok);
    } catch (e) {
      setExit(fail(g(), e));
    }
  };

  program.command('declare')
    .description('declare a break-glass session (commits the `declared` record)')
    .option('--file <path>', 'declaration JSON file (- for stdin)')
    .option('--template', 'print an example declaration file')
    .action(action(async (o: { file?: string; template?: boolean }) => {
      const ctx = await context(g());
      if (o.template) {
        process.stdout.write(`${JSON.stringify(declarationTemplate(await ctx.service.policy()), null, 2)}\n`);
        return;
      }
      let input: unknown;
      if (o.file) input = await readJsonFile(o.file, 'declaration');
      else if (process.stdin.isTTY) input = await askDeclaration(ctx);
      else throw new BreakGlassError('invalid-input', 'Give the declaration with --file FILE (print an example with --template), or run on a terminal to be asked each field.');
      const result = await ctx.service.declare(input);
      await afterWrite(ctx);
      ctx.outbox.kick();
      out(g(), `Declared ${result.state.sessionId} (${result.state.declaration.incidentId}) in ${result.state.declaration.environment} until ${result.state.expiresAt}.\nEvidence commit ${result.commit}.\nLoad the environment with: eval "$(breakglass env)"`, { ...sessionJson(result.state), commit: result.commit });
    }));

  program.command('status')
    .description('active session, remaining time, push state')
    .action(action(async () => {
      const ctx = await context(g());
      const states = await ctx.service.sessions();
      const mine = states.filter((s) => s.host.id === ctx.host.hostId && (s.phase === 'active' || s.phase === 'expired'));
      const push = await ctx.outbox.status();
      const pushLine = push.state === 'local-only' ? 'local only (no remote configured)'
        : push.state === 'synced' ? `synced${push.lastPushAt ? ` (last push ${push.lastPushAt})` : ''}`
          : push.state === 'pending' ? `${push.pending} record(s) pending`
            : push.state === 'offline' ? `offline since ${push.since}, ${push.pending} pending, next try ${push.nextTryAt ?? 'on next push'} (${push.reason})`
              : `rejected: ${push.reason} (${push.pending} pending)`;
      const human = [
        `Evidence repository: ${ctx.repoDir}`,
        `Push: ${pushLine}`,
        mine.length === 0 ? 'No open session on this host.' : mine.map(describeState).join('\n'),
      ].join('\n');
      out(g(), human, { repo: ctx.repoDir, host: { id: ctx.host.hostId, name: ctx.host.hostName }, push, sessions: mine.map(sessionJson) });
      return mine.some((s) => s.phase === 'active') ? EXIT.ok : EXIT.noSession;
    }));

  program.command('env')
    .description('print the export block while a session is active (nothing, exit 3, otherwise)')
    .option('--session <id>', 'session id (default: the active session on this host)')
    .option('--environment <env>', 'pick the active session of this environment')
    .action(action(async (o: { session?: string; environment?: string }) => {
      const ctx = await context(g());
      const env = await ctx.service.environment({ sessionId: o.session, environment: o.environment });
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
        setExit(fail(g(), e, e instanceof BreakGlassError && e.code === 'evidence-not-committed' ? EXIT.notCommitted : EXIT.execRefused));
      }
    });

  program.command('note')
    .description('add a note to the session')
    .argument('<text...>', 'the note')
    .option('--session <id>', 'session id')
    .action(action(async (text: string[], o: { session?: string }) => {
      const ctx = await context(g());
      const r = await ctx.service.note({ sessionId: o.session }, text.join(' '));
      await afterWrite(ctx);
      out(g(), `Noted in ${r.record.sessionId} (commit ${r.commit}).`, { sessionId: r.record.sessionId, seq: r.record.seq, commit: r.commit });
    }));

  program.command('extend')
    .description('extend the active session (new justification required)')
    .requiredOption('--minutes <n>', 'minutes to add')
    .requiredOption('--reason <text>', 'why more time is needed')
    .option('--session <id>', 'session id')
    .action(action(async (o: { minutes: string; reason: string; session?: string }) => {
      const minutes = Number(o.minutes);
      const ctx = await context(g());
      const r = await ctx.service.extend({ sessionId: o.session }, { minutes: Number.isFinite(minutes) ? minutes : o.minutes, reason: o.reason });
      await afterWrite(ctx);
      const p = r.record.type === 'extended' ? r.record.payload : null;
      out(g(), `Extended ${r.record.sessionId} by ${minutes} min: now expires ${p?.newExpiresAt}. Commit ${r.commit}.`, { sessionId: r.record.sessionId, expiresAt: p?.newExpiresAt, commit: r.commit });
    }));

  program.command('close')
    .description('close the session with its reversal record')
    .option('--file <path>', 'closure JSON file (- for stdin)')
    .option('--template', 'print an example closure file')
    .option('--session <id>', 'session id')
    .action(action(async (o: { file?: string; template?: boolean; session?: string }) => {
      if (o.template) {
        process.stdout.write(`${JSON.stringify(CLOSURE_TEMPLATE, null, 2)}\n`);
        return;
      }
      if (!o.file) throw new BreakGlassError('invalid-input', 'Give the closure with --file FILE (print an example with --template).');
      const input = await readJsonFile(o.file, 'closure');
      const ctx = await context(g());
      const r = await ctx.service.close({ sessionId: o.session }, input);
      await afterWrite(ctx);
      const due = r.record.type === 'closed' ? r.record.payload.reviewDueAt : '';
      out(g(), `Closed ${r.record.sessionId}. Review due by ${due}. Commit ${r.commit}.`, { sessionId: r.record.sessionId, reviewDueAt: due, commit: r.commit });
    }));

  program.command('review')
    .description('record the post-incident review (reviewer named in the file)')
    .requiredOption('--session <id>', 'session id')
    .option('--file <path>', 'review JSON file (- for stdin)')
    .option('--template', 'print an example review file')
    .action(action(async (o: { file?: string; template?: boolean; session: string }) => {
      if (o.template) {
        process.stdout.write(`${JSON.stringify(REVIEW_TEMPLATE, null, 2)}\n`);
        return;
      }
      if (!o.file) throw new BreakGlassError('invalid-input', 'Give the review with --file FILE (print an example with --template).');
      const input = await readJsonFile(o.file, 'review');
      const ctx = await context(g());
      const r = await ctx.service.review(o.session, input);
      out(g(), `Review recorded for ${r.record.sessionId}. Commit ${r.commit}.`, { sessionId: r.record.sessionId, commit: r.commit });
    }));

  program.command('verify')
    .description('verify every record, chain, commit and the history against the remote')
    .action(action(async () => {
      const ctx = await context(g());
      const report = await verifyRepository(ctx.store);
      const lines = report.problems.map((p) => `  ${[p.sessionId, p.seq === null ? null : `seq ${p.seq}`, p.path, p.commit ? `commit ${p.commit.slice(0, 12)}` : null].filter(Boolean).join(' ')}: ${p.message}`);
      out(g(), report.ok
        ? `OK: ${report.records} record(s) in ${report.sessions} session(s), ${report.commitsChecked} commit(s) checked${report.comparedWithRemote ? `, history contains ${report.comparedWithRemote.replace('refs/remotes/', '')}` : ''}; git fsck clean.`
        : `FAILED: ${report.problems.length} problem(s):\n${lines.join('\n')}`, report);
      return report.ok ? EXIT.ok : EXIT.refused;
    }));

  program.command('push')
    .description('fetch and merge other hosts\' evidence, then push the backlog once')
    .action(action(async () => {
      const ctx = await context(g());
      const s = await ctx.outbox.syncOnce();
      out(g(), s.state === 'synced' ? `Synced with ${s.remote}.` : s.state === 'local-only' ? 'No remote configured: set one with breakglass remote set URL.' : `Not pushed: ${s.state}${'reason' in s ? ` (${s.reason})` : ''}; ${'pending' in s ? s.pending : 0} record(s) pending. Local evidence is safe.`, s);
      return s.state === 'synced' || s.state === 'local-only' ? EXIT.ok : EXIT.notCommitted;
    }));

  const remote = program.command('remote').description('the shared remote (origin)');
  remote.command('set')
    .argument('<url>', 'git URL (ssh, https, or a path)')
    .description('set the shared remote; credentials stay with git\'s helpers and ssh agent')
    .action(action(async (url: string) => {
      const ctx = await context(g());
      await ctx.outbox.setRemote(url);
      out(g(), `Remote set to ${url}. Push with: breakglass push`, { remote: url });
    }));
  remote.command('show').description('print the remote').action(action(async () => {
    const ctx = await context(g());
    const url = await ctx.outbox.remoteUrl();
    out(g(), url ?? 'No remote (local only).', { remote: url });
  }));

  program.command('log')
    .description('list sessions, or one session\'s records')
    .option('--session <id>', 'show this session\'s timeline')
    .action(action(async (o: { session?: string }) => {
      const ctx = await context(g());
      const view = await ctx.service.read();
      if (!o.session) {
        const states = await ctx.service.sessions(view);
        out(g(), states.length ? states.map(describeState).join('\n') : 'No sessions recorded yet.', states.map(sessionJson));
        return;
      }
      const entries = view.sessions.get(o.session);
      if (!entries) throw new BreakGlassError('no-active-session', `No session ${o.session}. List sessions with: breakglass log`);
      out(g(), entries.map((e) => `${e.record.at}  #${e.record.seq} ${e.record.type.padEnd(14)} ${e.commit.slice(0, 12)}  ${e.record.actor.name}`).join('\n'),
        entries.map((e) => ({ seq: e.record.seq, type: e.record.type, at: e.record.at, commit: e.commit, actor: e.record.actor, path: e.path, record: e.record })));
    }));

  program.command('report')
    .description('audit report of one session or of a period (procedure.md §10), as Markdown, HTML or PDF')
    .option('--session <id>', 'one session')
    .option('--from <date>', 'first day of the period, YYYY-MM-DD (UTC, on declaration time)')
    .option('--to <date>', 'last day of the period, YYYY-MM-DD (inclusive)')
    .option('--environment <env>', 'only sessions of this environment (period reports)')
    .addOption(new Option('--format <format>', 'md, html or pdf').choices(['md', 'html', 'pdf']).default('md'))
    .option('--out <file>', 'write the report to this file (md and html go to stdout without it)')
    .action(action(async (o: { session?: string; from?: string; to?: string; environment?: string; format: ReportFormat; out?: string }) => {
      const scope = parseOrThrow(ReportScopeSchema, {
        ...(o.session !== undefined ? { sessionId: o.session } : {}),
        ...(o.from !== undefined ? { from: o.from } : {}),
        ...(o.to !== undefined ? { to: o.to } : {}),
        ...(o.environment !== undefined ? { environment: o.environment } : {}),
      }, 'report scope (--session ID, or --from YYYY-MM-DD --to YYYY-MM-DD)');
      const ctx = await context(g());
      const r = await produceReport(ctx, scope, o.format);
      // A PDF never goes to a terminal: without --out it is written beside the caller under its own name.
      const target = o.out ?? (o.format === 'pdf' ? r.fileName : null);
      if (target === null) {
        if (g().json) out(g(), '', { fileName: r.fileName, savedTo: null, bytes: r.content.byteLength, text: r.text });
        else process.stdout.write(r.content);
        return;
      }
      const savedTo = await writeReportFile(target, r.content);
      out(g(), `Report written to ${savedTo} (${r.content.byteLength} bytes).`, { fileName: r.fileName, savedTo, bytes: r.content.byteLength });
    }));

  return program;
}

/** `breakglass exec -- CMD…`: refuses before running anything when no session is active (exit 125). */
async function execCommand(opts: GlobalOptions, argv: string[], sessionId: string | undefined): Promise<number> {
  const ctx = await context(opts);
  await ctx.service.assertCanAct({ sessionId });
  const env = await ctx.service.environment({ sessionId });
  if (!env) throw new BreakGlassError('no-active-session', 'No active break-glass session on this host.');
  const run = startCommand({
    argv, shell: false, cwd: process.cwd(), env: { ...(process.env as Record<string, string>), ...env.variables },
    expiresAt: Date.parse(env.state.expiresAt), via: 'cli-exec', stdin: 'inherit', now: () => ctx.clock.now(),
    onOutput: (chunk, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(chunk),
  });
  const action = await run.done;
  const r = await ctx.service.recordAction({ sessionId: env.state.sessionId }, action);
  ctx.outbox.kick();
  if (!opts.json) process.stderr.write(`breakglass: recorded as ${r.record.sessionId} #${r.record.seq} (commit ${r.commit.slice(0, 12)})${action.stoppedBy === 'expiry' ? '; stopped at the session expiry' : ''}\n`);
  if (action.exitCode !== null) return action.exitCode;
  const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return 128 + (signals[action.signal ?? ''] ?? 1);
}

/**
 * `--repo DIR` and `--json` are accepted anywhere before `--` (`breakglass status --json` as well as
 * `breakglass --json status`): they are moved in front of the command for the parser. What follows
 * `--` belongs to the command `exec` runs and is never touched.
 */
export function hoistGlobalOptions(argv: string[]): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  const globals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const a = head[i]!;
    if (a === '--json') globals.push(a);
    else if (a === '--repo' && i + 1 < head.length) globals.push(a, head[++i]!);
    else if (a.startsWith('--repo=')) globals.push(a);
    else rest.push(a);
  }
  return [...globals, ...rest, ...tail];
}

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let exitCode = EXIT.ok as number;
  const program = buildProgram((c) => {
    exitCode = c;
  });
  try {
    await program.parseAsync(hoistGlobalOptions(argv), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.badInput;
    }
    return fail(program.opts<GlobalOptions>(), e);
  }
  return exitCode;
}

