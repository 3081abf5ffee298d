import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { BreakGlassError } from '../app/errors';
import { CALLS, type CallInput, type CallName, type CallOutput, type Committed, type Envelope, type ErrorInfo, type EventName, type EventPayloads } from '../app/contract';
import { sessionStatesAt, verifySessionEntries } from '../app/ledger';
import { formatPolicyProblems } from '../app/policy';
import { sessionViewOf, toSessionView, type SessionView, type StatusSnapshot, type TimelineEntry } from '../app/views';
import type { Clock, HostInfo } from '../app/ports';
import type { EvidenceRecord } from '../app/records';
import { problemsFromZod } from '../app/zodIssues';
import { summarise } from '../app/summary';
import { openContext, type ConsoleContext } from './context';
import { DraftStore } from './drafts';
import { dataDir, sessionEnvFile } from './paths';
import { parseCommandLine, startCommand, type RunningCommand } from './runner';
import { writeSessionEnvFile } from './sessionEnv';
import { verifyRepository } from './verify';
import { testRemote } from './remoteTest';
import { chromiumPdfPrinter, directorySaver, produceReport, type PdfPrinter, type ReportSaver } from './report';
import { defaultTerminal, SettingsStore } from './settings';
import { FetchSchedule } from './fetchSchedule';

/** Starts a detached program (the operator's terminal) and resolves once it has started. */
function launchDetached(argv: string[], env: Record<string, string>, cwd: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, detached: true, stdio: 'ignore' });
    child.once('spawn', () => {
      child.unref();
      resolve(child);
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(new BreakGlassError('refused', `Could not open the terminal "${argv[0]}" (${e.code ?? e.message}). Set the terminal to use in Settings, or use breakglass env in a terminal of your own.`));
    });
  });
}

/** Handlers for every call of the contract, typed by it. */
export type Handlers = { [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>> };

/** Options of the console backend. */
export interface BackendOptions {
  repo?: string | undefined;
  /** Read-only: the commander's machine (issue 6). Writes are refused at the contract. */
  observer?: boolean;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  host?: HostInfo;
  /** How often the ledger is re-read for other writers (CLI, merges), in ms. */
  pollMs?: number;
  /** Where "Copy environment" puts the block (Electron's clipboard in the app). */
  clipboard?: { writeText(text: string): void };
  /** Where exported reports go (the app's save dialog); `<data dir>/reports` by default. */
  reportSaver?: ReportSaver;
  /** How a report becomes a PDF (Electron's printToPDF in the app); Chromium headless by default. */
  pdfPrinter?: PdfPrinter;
}

/**
 * The console's backend: the contract's handlers bound to the real service, the dispatcher that
 * validates every call, and the events main sends. Electron's IPC and the browser test host both
 * sit on `dispatch` and `subscribe`; only the transport differs.
 */
export class ConsoleBackend {
  readonly handlers: Handlers;
  private readonly listeners = new Set<<E extends EventName>(event: E, payload: EventPayloads[E]) => void>();
  private readonly runs = new Map<string, RunningCommand>();
  private timer: NodeJS.Timeout | null = null;
  private lastHead: string | null | undefined = undefined;
  private readonly warned = new Set<string>();

  private lastTick: { wall: number; mono: number } | null = null;
  /** Other hosts' records, fetched on the board's schedule and on demand (issue 6). */
  readonly fetches: FetchSchedule;
  /** Report export's ports (issue 7), set by `create`. */
  private reportPorts!: { saver: ReportSaver; printer: PdfPrinter };

  private constructor(
    readonly ctx: ConsoleContext,
    private readonly drafts: DraftStore,
    private readonly settings: SettingsStore,
    readonly observer: boolean,
    private readonly homeDir: string,
    private readonly pollMs: number,
    private readonly clipboard: { writeText(text: string): void } | null,
    /** `<data dir>/session.env` of this backend's environment (not necessarily process.env's). */
    private readonly sessionEnvPath: string,
  ) {
    this.handlers = this.createHandlers();
    this.fetches = new FetchSchedule(ctx.outbox, {
      now: () => ctx.clock.now(),
      intervalSeconds: async () => (await this.settings.get().catch(() => null))?.fetchIntervalSeconds ?? 30,
      onMerged: async () => {
        this.lastHead = undefined;
        // A running console's tick (≤ 1 s) re-reads and sends the home screen's snapshot; doing it
        // here would make every fetch wait for a full snapshot of 10,000 sessions the board does not use.
        if (!this.timer) await this.tick();
      },
    });
    this.fetches.onStatus((s) => this.emit('sync.changed', s));
  }

  /** Opens the evidence repository (creating the embedded default) and wires the handlers. */
  static async create(options: BackendOptions = {}): Promise<ConsoleBackend> {
    const env = options.env ?? process.env;
    const settings = new SettingsStore(path.join(dataDir(env), 'settings.json'));
    const observer = options.observer ?? (await settings.get().catch(() => ({ observer: false }))).observer;
    const ctx = await openContext({ repo: options.repo, env, observer, ...(options.clock ? { clock: options.clock } : {}), ...(options.host ? { host: options.host } : {}) });
    const drafts = new DraftStore(path.join(dataDir(env), 'draft.json'));
    const backend = new ConsoleBackend(ctx, drafts, settings, observer, os.homedir(), options.pollMs ?? 2_000, options.clipboard ?? null, sessionEnvFile(env));
    backend.reportPorts = { saver: options.reportSaver ?? directorySaver(path.join(dataDir(env), 'reports')), printer: options.pdfPrinter ?? chromiumPdfPrinter(env) };
    ctx.outbox.onStatus((s) => backend.emit('push.changed', s));
    return backend;
  }

  /** Starts the background work: expiry on the tick, the push outbox, re-reading for other writers. */
  async start(): Promise<void> {
    // §6: a session that expired while the console was not running is recorded first, with its original expiry time.
    if (!this.observer) await this.ctx.service.expireDue().catch(() => []);
    if (!this.observer) this.ctx.outbox.start();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.min(1_000, this.pollMs));
    this.timer.unref?.();
  }

  /** Stops timers, the outbox and running commands' listeners. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.ctx.outbox.stop();
    this.fetches.stop();
  }

  /** Subscribes to every event main sends; returns the unsubscribe. */
  subscribe(listener: <E extends EventName>(event: E, payload: EventPayloads[E]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  /**
   * Validates and runs one call: unknown names, observer-mode writes and invalid input are refused
   * before any handler runs; every failure crosses as `{ok: false, error}` with no stack trace,
   * no home path and no secret.
   */
  async dispatch(name: string, rawInput: unknown): Promise<Envelope<unknown>> {
    if (!Object.hasOwn(CALLS, name)) return { ok: false, error: { code: 'forbidden', message: `Unknown call "${name}".` } };
    const spec = CALLS[name as CallName];
    if (this.observer && spec.writes) {
      return { ok: false, error: { code: 'forbidden', message: 'This console is in observer mode (read-only): declarations, actions and settings are refused here.' } };
    }
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const problems = problemsFromZod(parsed.error);
      return { ok: false, error: this.sanitise({ code: 'invalid-input', message: problems[0]?.message ?? 'Invalid input.', ...(problems[0]?.path ? { field: problems[0].path } : {}), problems }) };
    }
    try {
      const handler = this.handlers[name as CallName] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (e) {
      return { ok: false, error: this.sanitise(toErrorInfo(e)) };
    }
  }

  /** No paths of the user's home in messages (issue 3). */
  private sanitise(error: ErrorInfo): ErrorInfo {
    const scrub = (s: string) => (this.homeDir.length > 1 ? s.split(this.homeDir).join('~') : s);
    return {
      ...error,
      message: scrub(error.message),
      ...(error.problems ? { problems: error.problems.map((p) => ({ ...p, message: scrub(p.message) })) } : {}),
    };
  }

  /** The snapshot the home screen shows. */
  async snapshot(): Promise<StatusSnapshot> {
    const { service, host, store, outbox, clock } = this.ctx;
    const view = await service.read();
    const now = clock.now();
    const states = sessionStatesAt(view, now);
    const views = states.map((s) => sessionViewOf(s, host.hostId));
    const open = views.filter((v) => v.mine && (v.phase === 'active' || v.phase === 'expired'));
    let records = 0;
    for (const e of view.sessions.values()) records += e.length;
    // The push state names the remote: one read of git's config, not two.
    const [push, gitIdentity] = await Promise.all([outbox.status(), this.gitIdentity()]);
    return {
      at: new Date(now).toISOString(),
      host: { id: host.hostId, name: host.hostName },
      osAccount: host.osAccount(),
      gitIdentity,
      repository: { path: this.scrubPath(this.ctx.repoDir), branch: store.branch, head: view.head, remote: push.state === 'local-only' ? null : push.remote },
      observer: this.observer,
      policy: view.policy.ok ? { ok: true, source: view.policy.source, sha256: view.policy.sha256 } : { ok: false, problems: view.policy.problems },
      push,
      open,
      recent: views.slice(0, 20),
      awaitingReview: views.filter((v) => v.mine && v.phase === 'closed'),
      counts: {
        sessions: views.length,
        records,
        awaitingReview: views.filter((v) => v.phase === 'closed').length,
        overdueReviews: views.filter((v) => v.reviewOverdue).length,
        unreadable: view.unreadable.length,
      },
    };
  }

  private scrubPath(p: string): string {
    return this.homeDir.length > 1 && p.startsWith(this.homeDir) ? `~${p.slice(this.homeDir.length)}` : p;
  }

  private async gitIdentity(): Promise<{ name: string; email: string } | null> {
    // Both keys in one git process; core.repositoryformatversion is always set, so git always prints
    // a line (a silent command costs a fixed 50 ms wait in simple-git).
    const out = (await this.ctx.store.git.run('read-identity', ['config', '--get-regexp', '^(user\\.name|user\\.email|core\\.repositoryformatversion)$'], { ok: [0, 1] })).text();
    // Listed from every scope, system to local: the last one wins, as with `git config --get`.
    const value = (key: string) => out.split('\n').findLast((l) => l.startsWith(`${key} `))?.slice(key.length + 1).trim() ?? '';
    const name = value('user.name');
    const email = value('user.email');
    return name && email ? { name, email } : null;
  }

  /** Re-reads the ledger; writes `expired` at the expiry instant; warns at the policy's thresholds; emits a snapshot when anything changed. */
  private async tick(): Promise<void> {
    try {
      const view = await this.ctx.service.read();
      const now = this.ctx.clock.now();
      let changed = view.head !== this.lastHead;
      if (!this.observer && (await this.detectClockJump(now))) changed = true;
      if (!this.observer && view.policy.ok) {
        const due = sessionStatesAt(view, now).filter((s) => s.host.id === this.ctx.host.hostId && s.phase === 'expired' && !s.expiredRecorded);
        if (due.length > 0) {
          for (const s of due) for (const [runId, run] of this.runs) if (this.runSession.get(runId) === s.sessionId) run.stop('expiry');
          await this.ctx.service.expireDue();
          await writeSessionEnvFile(this.ctx.service, this.sessionEnvPath).catch(() => {});
          changed = true;
        }
        for (const s of sessionStatesAt(view, now)) {
          if (s.phase !== 'active' || s.host.id !== this.ctx.host.hostId) continue;
          // Every threshold already crossed counts as warned; only the smallest one is announced,
          // so a console that slept past several thresholds warns once, at the right level.
          const crossed = view.policy.policy.warningMinutes.filter((m) => s.remainingMs <= m * 60_000).sort((a, b) => a - b);
          const key = (m: number) => `${s.sessionId}:${s.expiresAt}:${m}`;
          const smallest = crossed[0];
          if (smallest !== undefined && !this.warned.has(key(smallest))) {
            for (const m of crossed) this.warned.add(key(m));
            this.emit('countdown.warning', { sessionId: s.sessionId, minutesLeft: smallest, expiresAt: s.expiresAt });
          }
        }
      }
      if (changed) {
        this.lastHead = (await this.ctx.service.read()).head;
        this.emit('state.changed', await this.snapshot());
      }
    } catch {
      // A failed tick is retried on the next one; the snapshot call reports errors to the UI.
    }
  }

  private readonly runSession = new Map<string, string>();

  /**
   * Forgets the last clock reading, after the machine resumed from sleep: the monotonic clock does
   * not run during suspend, so the first comparison after resume would read the sleep as a jump.
   */
  resetClockBaseline(): void {
    this.lastTick = null;
  }

  /**
   * Compares the wall clock with the monotonic clock since the last tick (issue 5): a jump of more
   * than 2 s is recorded as `clock-skew` in this host's open sessions, with both readings. The
   * expiry never moves: it is an absolute instant fixed at declaration.
   */
  private async detectClockJump(wall: number): Promise<boolean> {
    const mono = this.ctx.clock.monotonicMs();
    const last = this.lastTick;
    this.lastTick = { wall, mono };
    if (!last) return false;
    const expected = last.wall + (mono - last.mono);
    if (Math.abs(wall - expected) <= 2_000) return false;
    const written = await this.ctx.service.recordClockSkew(wall, expected);
    return written.length > 0;
  }

  private async afterWrite(): Promise<void> {
    await writeSessionEnvFile(this.ctx.service, this.sessionEnvPath).catch(() => {});
    this.ctx.outbox.kick();
    this.lastHead = undefined;
    await this.tick();
  }

  private createHandlers(): Handlers {
    const { service } = this.ctx;
    const committed = (r: { record: EvidenceRecord; commit: string }): Committed => ({ sessionId: r.record.sessionId, seq: r.record.seq, commit: r.commit, record: r.record });
    return {
      'status.get': () => this.snapshot(),
      'policy.get': async () => {
        const view = await service.read();
        return view.policy.ok
          ? { policy: view.policy.policy, source: view.policy.source, problems: [] }
          : { policy: null, source: 'invalid' as const, problems: formatPolicyProblems(view.policy.problems).split('\n') };
      },
      'preconditions.check': (input) => service.preconditions(input),
      'draft.get': () => this.drafts.get(),
      'draft.save': async (draft) => ({ savedAt: await this.drafts.save(draft) }),
      'draft.discard': async () => ({ discarded: await this.drafts.discard() }),
      'session.declare': async ({ declaration }) => {
        const r = await service.declare(declaration);
        // The draft is discarded only once the declaration is committed (issue 4).
        await this.drafts.discard();
        await this.afterWrite();
        return committed(r);
      },
      'session.note': async ({ sessionId, text }) => {
        const r = committed(await service.note({ sessionId }, text));
        await this.afterWrite();
        return r;
      },
      'session.runCommand': async ({ sessionId, commandLine, cwd, shell }) => {
        const state = await service.assertCanAct({ sessionId });
        const env = await service.environment({ sessionId: state.sessionId });
        if (!env) throw new BreakGlassError('no-active-session', 'The session is not active.');
        const argv = shell ? [commandLine] : parseCommandLine(commandLine);
        const runId = randomUUID();
        const run = startCommand({
          argv, shell, cwd: cwd || os.homedir(), env: { ...(process.env as Record<string, string>), ...env.variables },
          expiresAt: Date.parse(state.expiresAt), via: 'console', now: () => this.ctx.clock.now(),
          onOutput: (chunk) => this.emit('command.output', { runId, chunk: chunk.toString('utf8') }),
        });
        this.runs.set(runId, run);
        this.runSession.set(runId, state.sessionId);
        void run.done.then(async (action) => {
          this.runs.delete(runId);
          this.runSession.delete(runId);
          try {
            const r = committed(await service.recordAction({ sessionId: state.sessionId }, action));
            this.emit('command.ended', { runId, committed: r, error: null });
            await this.afterWrite();
          } catch (e) {
            this.emit('command.ended', { runId, committed: null, error: this.sanitise(toErrorInfo(e)) });
          }
        });
        return { runId };
      },
      'session.stopCommand': async ({ runId }) => {
        const run = this.runs.get(runId);
        run?.stop();
        return { stopping: run !== undefined };
      },
      'session.extend': async ({ sessionId, minutes, reason }) => {
        const r = committed(await service.extend({ sessionId }, { minutes, reason }));
        await this.afterWrite();
        return r;
      },
      'session.close': async ({ sessionId, closure }) => {
        const r = committed(await service.close({ sessionId }, closure));
        await this.afterWrite();
        return r;
      },
      'session.review': async ({ sessionId, review }) => {
        const r = committed(await service.review(sessionId, review));
        await this.afterWrite();
        return r;
      },
      'sessions.list': async ({ environment, phase, query, operator, limit }) => {
        const q = query?.trim().toLowerCase();
        const who = operator?.trim().toLowerCase();
        const all = (await service.sessions()).map((s) => sessionViewOf(s, this.ctx.host.hostId));
        return all
          .filter((v) => (!environment || v.environment === environment) && (!phase || v.phase === phase))
          .filter((v) => !who || v.operator.name.toLowerCase().includes(who) || v.operator.email.toLowerCase().includes(who))
          .filter((v) => !q || v.incidentId.toLowerCase().includes(q) || v.operator.name.toLowerCase().includes(q) || v.sessionId.includes(q))
          .slice(0, limit ?? 20_000);
      },
      'board.get': async () => {
        // Each is a git process: side by side, not one after the other.
        const [view, sync] = await Promise.all([service.read(), this.fetches.status()]);
        const now = this.ctx.clock.now();
        const rows = sessionStatesAt(view, now).map((s) => sessionViewOf(s, this.ctx.host.hostId));
        return { at: new Date(now).toISOString(), head: view.head, hostId: this.ctx.host.hostId, rows, sync };
      },
      'sync.fetch': () => this.fetches.fetchNow(),
      'sync.watch': ({ watching }) => this.fetches.watch(watching),
      'session.timeline': async ({ sessionId }) => {
        const view = await service.read();
        const entries = view.sessions.get(sessionId);
        const state = (await service.sessions(view)).find((s) => s.sessionId === sessionId);
        if (!entries || !state) throw new BreakGlassError('invalid-input', `No session ${sessionId} in this evidence repository.`, { field: 'sessionId' });
        const pending = await this.pendingCommits();
        const timeline: TimelineEntry[] = entries.map((e) => ({
          seq: e.record.seq, type: e.record.type, at: e.record.at, actor: e.record.actor, host: e.record.host,
          summary: summarise(e.record), commit: e.commit, pushed: pending === null ? null : !pending.has(e.commit),
          redactions: e.record.redactions, hash: e.record.hash, record: e.record,
        }));
        const problems = verifySessionEntries(sessionId, entries);
        const sync = await this.fetches.status();
        return {
          session: toSessionView(state, this.ctx.host.hostId) as SessionView,
          declaration: state.declaration,
          timeline,
          chain: { ok: problems.length === 0, problems },
          reviews: state.reviews.map((r) => ({ ...r, current: r.hash === state.review?.hash })),
          asOf: sync.state === 'local-only' ? null : sync.lastFetchAt,
        };
      },
      'ledger.verify': async () => {
        const r = await verifyRepository(this.ctx.store);
        return { ok: r.ok, head: r.head, sessions: r.sessions, records: r.records, problems: r.problems };
      },
      'push.now': () => this.ctx.outbox.syncOnce(),
      'remote.get': async () => ({ url: await this.ctx.outbox.remoteUrl(), branch: this.ctx.store.branch, remoteBranch: await this.ctx.outbox.remoteBranch() }),
      'remote.set': async ({ url, remoteBranch }) => {
        await this.ctx.outbox.setRemote(url, remoteBranch);
        this.ctx.outbox.kick();
        this.emit('state.changed', await this.snapshot());
        this.emit('sync.changed', await this.fetches.status());
        return { url, remoteBranch: await this.ctx.outbox.remoteBranch() };
      },
      'remote.test': ({ url }) => testRemote(this.ctx.store.git, url),
      'session.copyEnvironment': async ({ sessionId }) => {
        const env = await service.environment({ sessionId });
        if (!env) throw new BreakGlassError('no-active-session', 'No active session: there is no environment to copy.');
        if (!this.clipboard) throw new BreakGlassError('refused', 'No clipboard is available here: use breakglass env in a terminal.');
        this.clipboard.writeText(env.text);
        return { copied: true };
      },
      'session.openShell': async ({ sessionId }) => {
        const state = await service.assertCanAct({ sessionId });
        const env = await service.environment({ sessionId: state.sessionId });
        if (!env) throw new BreakGlassError('no-active-session', 'The session is not active.');
        const configured = (await this.settings.get()).terminal;
        const argv = configured.length > 0 ? configured : defaultTerminal();
        const startedAt = this.ctx.clock.now();
        const child = await launchDetached(argv, { ...(process.env as Record<string, string>), ...env.variables }, os.homedir());
        try {
          const r = committed(await service.recordAction({ sessionId: state.sessionId }, {
            kind: 'shell-opened', argv, shell: false, cwd: os.homedir(), startedAt, endedAt: this.ctx.clock.now(), exitCode: null, signal: null,
            stoppedBy: null, via: 'console', outputSha256: createHash('sha256').update('').digest('hex'), outputBytes: 0, output: '',
          }));
          await this.afterWrite();
          return r;
        } catch (e) {
          // Fail closed: a shell whose opening could not be evidenced does not stay open.
          child.kill('SIGTERM');
          throw e;
        }
      },
      'settings.get': () => this.settings.get(),
      'settings.set': (patch) => this.settings.set(patch),
      'report.export': async ({ scope, format }) => {
        // Procedure.md §10: one report model, rendered as Markdown, HTML or (printed) PDF, then saved.
        const r = await produceReport(this.ctx, scope, format, { printer: this.reportPorts.printer });
        const savedTo = await this.reportPorts.saver.save(r.fileName, r.content, r.mediaType);
        return { fileName: r.fileName, mediaType: r.mediaType, savedTo, bytes: r.content.byteLength, ...(r.text !== undefined ? { text: r.text } : {}) };
      },
    };
  }

  /** Commits not yet on the remote (null when local-only). */
  private async pendingCommits(): Promise<Set<string> | null> {
    const remote = await this.ctx.outbox.remoteUrl();
    if (remote === null) return null;
    const tracking = `refs/remotes/origin/${this.ctx.store.branch}`;
    const has = await this.ctx.store.git.run('has-tracking', ['rev-parse', '--verify', '--quiet', tracking], { ok: [0, 1] });
    const range = has.exitCode === 0 ? [`${tracking}..refs/heads/${this.ctx.store.branch}`] : [`refs/heads/${this.ctx.store.branch}`];
    const out = await this.ctx.store.git.text('list-pending', ['rev-list', ...range]);
    return new Set(out.split('\n').filter(Boolean));
  }
}

/** Maps any failure onto the envelope's error, keeping only what a person can act on. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof BreakGlassError) {
    return { code: e.code === 'internal' ? 'internal' : e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.problems.length ? { problems: e.problems } : {}) };
  }
  return { code: 'internal', message: 'Something went wrong inside the console; nothing was recorded. Retry, and if it persists run breakglass verify.' };
}
