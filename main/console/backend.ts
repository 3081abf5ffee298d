import { sessionAcknowledgementsNow } from '../application/acknowledge';
import os from 'node:os';
import path from 'node:path';
import { buildStatusSnapshot } from '../../app/consoleViews';
import { CALLS, type CallName, type Envelope, type ErrorInfo, type EventName, type EventPayloads } from '../../app/contract';
import type { Clock, HostInfo } from '../../app/ports';
import type { StatusSnapshot, WitnessingStatus } from '../../app/views';
import { problemsFromZod } from '../../app/zodIssues';
import { Application } from '../application/application';
import type { ShellOptions } from '../application/shells';
import { openContext, type ConsoleContext } from '../application/context';
import { watchForwarding } from '../application/forwarding';
import { recordForwardingLag, type ForwardingLagOptions } from '../application/forwardingLag';
import { dataDir, sessionEnvFile } from '../host/paths';
import { chromiumPdfPrinter, type PdfPrinter } from '../report/pdf';
import { directorySaver, type ReportSaver } from '../report/save';
import { DEFAULT_FETCH_INTERVAL_SECONDS, FetchSchedule } from '../sync/fetchSchedule';
import { witnessFetch } from '../application/witness';
import { DraftStore } from './drafts';
import { pathWithoutHome, toErrorInfo, withoutHome } from './errors';
import { createHandlers, type Handlers } from './handlers';
import { resolveObserver, SettingsStore } from './settings';

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
  /** When this host records its forwarding as behind (tests shorten the 5 minutes). */
  forwardingLag?: ForwardingLagOptions;
  /** Governed shells' recording settings (tests shorten the chunk interval). */
  shells?: ShellOptions;
}

/**
 * The console's backend: the contract's handlers bound to the application layer, the dispatcher
 * that validates every call, and the events main sends. Electron's IPC and the browser test host
 * both sit on `dispatch` and `subscribe`; only the transport differs.
 */
export class ConsoleBackend {
  readonly handlers: Handlers;
  /** The application layer the handlers call (the CLI calls the same one). */
  readonly app: Application;
  private readonly listeners = new Set<<E extends EventName>(event: E, payload: EventPayloads[E]) => void>();
  private timer: NodeJS.Timeout | null = null;
  private lastHead: string | null | undefined = undefined;
  private unwatchForwarding: (() => void) | null = null;
  private unrecordLag: (() => void) | null = null;
  private readonly forwardingLag: ForwardingLagOptions;
  /** Other hosts' records, fetched on the board's schedule and on demand (issue 6). */
  readonly fetches: FetchSchedule;
  /** Why the console is read-only although nobody asked for observer mode (an unreadable settings file), or null. */
  readOnlyReason: string | null = null;
  /** What became of the observer's last statement of what it fetched (issue 16); null before the first. */
  private witnessing: WitnessingStatus | null = null;

  private constructor(
    readonly ctx: ConsoleContext,
    private readonly settings: SettingsStore,
    readonly observer: boolean,
    private readonly homeDir: string,
    private readonly pollMs: number,
    env: NodeJS.ProcessEnv,
    options: BackendOptions,
  ) {
    this.app = new Application(ctx, { sessionEnvPath: sessionEnvFile(env), observer, ...(options.shells ? { shells: options.shells } : {}) });
    this.forwardingLag = options.forwardingLag ?? {};
    this.app.onCommitted(async () => {
      this.lastHead = undefined;
      await this.tick();
    });
    this.fetches = new FetchSchedule(ctx.outbox, {
      now: () => ctx.clock.now(),
      intervalSeconds: async () => (await this.settings.get().catch(() => null))?.fetchIntervalSeconds ?? DEFAULT_FETCH_INTERVAL_SECONDS,
      onMerged: async () => {
        this.lastHead = undefined;
        if (this.observer) await this.witnessFetched();
        // A running console's tick (≤ 1 s) re-reads and sends the home screen's snapshot; doing it
        // here would make every fetch wait for a full snapshot of 10,000 sessions the board does not use.
        if (!this.timer) await this.tick();
      },
      witnessing: () => this.witnessing,
    });
    this.fetches.onStatus((s) => this.emit('sync.changed', s));
    this.handlers = createHandlers({
      app: this.app,
      drafts: new DraftStore(path.join(dataDir(env), 'draft.json')),
      settings,
      fetches: this.fetches,
      clipboard: options.clipboard ?? null,
      reportPorts: { saver: options.reportSaver ?? directorySaver(path.join(dataDir(env), 'reports')), printer: options.pdfPrinter ?? chromiumPdfPrinter(env) },
      snapshot: () => this.snapshot(),
      emit: (event, payload) => this.emit(event, payload),
      sanitise: (error) => this.sanitise(error),
    });
  }

  /**
   * The commander's console witnesses what it fetched (issue 16) and sends the statement at once.
   * The outcome is kept for the board's fetch state: a commander whose console cannot sign (no key
   * loaded) or commit must be told, or they would believe their fetches bind the operator's history.
   */
  private async witnessFetched(): Promise<void> {
    const at = new Date(this.ctx.clock.now()).toISOString();
    try {
      const stated = await witnessFetch(this.app);
      // Nothing new from other hosts (the view moved by this host's own record): the last outcome stands.
      if (stated !== 'nothing-new') this.witnessing = { state: stated, at, reason: null };
      if (stated === 'witnessed' || stated === 'witnessed-unsigned') await this.ctx.outbox.syncOnce({ fetchFirst: false });
    } catch (e) {
      this.witnessing = { state: 'failed', at, reason: this.sanitise(toErrorInfo(e)).message };
    }
  }

  /** Opens the evidence repository (creating the embedded default) and wires the handlers. */
  static async create(options: BackendOptions = {}): Promise<ConsoleBackend> {
    const env = options.env ?? process.env;
    const settings = new SettingsStore(path.join(dataDir(env), 'settings.json'));
    const { observer, reason } = await resolveObserver(settings, options.observer);
    const ctx = await openContext({ repo: options.repo, env, observer, ...(options.clock ? { clock: options.clock } : {}), ...(options.host ? { host: options.host } : {}) });
    const backend = new ConsoleBackend(ctx, settings, observer, os.homedir(), options.pollMs ?? 2_000, env, options);
    backend.readOnlyReason = reason;
    ctx.outbox.onStatus((s) => backend.emit('push.changed', s));
    return backend;
  }

  /** Starts the background work: expiry on the tick, the push outbox, re-reading for other writers. */
  async start(): Promise<void> {
    await this.app.tick.recordMissedExpiries();
    if (!this.observer) this.ctx.outbox.start();
    // An observer forwards too (issue 19): records this host writes (the commander's reviews and
    // notes through the CLI, its journal) reach the SIEM from here, and forwarding reads only this
    // host's records (main/evidence/forwardSource.ts), so other hosts' fetched records are left to
    // their own hosts. What it does not do is record its forwarding state: it writes no record.
    await this.ctx.forwarding.start();
    this.unwatchForwarding = watchForwarding(this.ctx.forwarding, (s) => this.emit('forward.changed', s));
    if (!this.observer) this.unrecordLag = recordForwardingLag(this.app, this.ctx.forwarding, this.forwardingLag);
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.min(1_000, this.pollMs));
    this.timer.unref?.();
  }

  /** Stops timers, the outbox and the fetch schedule. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.ctx.outbox.stop();
    this.fetches.stop();
    this.unwatchForwarding?.();
    this.unrecordLag?.();
    void this.ctx.forwarding.stop();
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

  private sanitise(error: ErrorInfo): ErrorInfo {
    return withoutHome(error, this.homeDir);
  }

  /** The snapshot the home screen shows: the inputs gathered here, the view built by app/consoleViews.ts. */
  async snapshot(): Promise<StatusSnapshot> {
    const { service, host, store, outbox, clock } = this.ctx;
    const view = await service.read();
    const now = clock.now();
    const [push, gitIdentity] = await Promise.all([outbox.status(), store.gitIdentity()]);
    const snapshot = buildStatusSnapshot({
      view, now, push, gitIdentity,
      host: { id: host.hostId, name: host.hostName },
      osAccount: host.osAccount(),
      repository: { path: pathWithoutHome(this.ctx.repoDir, this.homeDir), branch: store.branch },
      observer: this.observer,
      readOnlyReason: this.readOnlyReason,
    });
    // Issue 16: what the countdown says about the commander's acknowledgement of each open session.
    const acks = await sessionAcknowledgementsNow(this.app, new Set(snapshot.open.map((s) => s.sessionId))).catch(() => null);
    return acks ? { ...snapshot, acknowledgements: Object.fromEntries(acks) } : snapshot;
  }

  /** Re-reads the ledger; runs the expiry tick; emits its warnings, and a snapshot when anything changed. */
  private async tick(): Promise<void> {
    try {
      const view = await this.ctx.service.read();
      await this.ctx.forwarding.follow(view);
      const ticked = await this.app.tick.run(view, this.ctx.clock.now());
      for (const w of ticked.warnings) this.emit('countdown.warning', w);
      // The view's id moves whenever any ref of the view does (issue 14): this host's, or another's fetched.
      const idOf = (v: { viewId?: string; head: string | null }) => v.viewId ?? v.head;
      if (ticked.changed || idOf(view) !== this.lastHead) {
        this.lastHead = idOf(await this.ctx.service.read());
        this.emit('state.changed', await this.snapshot());
      }
    } catch {
      // A failed tick is retried on the next one; the snapshot call reports errors to the UI.
    }
  }

  /**
   * Forgets the last clock reading, after the machine resumed from sleep: the monotonic clock does
   * not run during suspend, so the first comparison after resume would read the sleep as a jump.
   */
  resetClockBaseline(): void {
    this.app.tick.resetClockBaseline();
  }
}
