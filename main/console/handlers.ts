import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';
import { filterSessions, buildSessionDetail } from '../../app/consoleViews';
import type { CallInput, CallName, CallOutput, Committed, ErrorInfo, EventName, EventPayloads } from '../../app/contract';
import { formatPolicyProblems } from '../../app/policy';
import type { EvidenceRecord } from '../../app/records';
import { sessionViewOf, type StatusSnapshot } from '../../app/views';
import { describeMode } from '../../app/verifyResult';
import type { Application } from '../application/application';
import { sessionSignatures } from '../evidence/sessionSignatures';
import { verifyRepository } from '../evidence/verify';
import { hostWitnesses } from '../evidence/verifyWitnesses';
import { sessionAcknowledgementsNow } from '../application/acknowledge';
import { parseCommandLine } from '../process/runner';
import { defaultTerminal } from '../process/terminal';
import type { PdfPrinter } from '../report/pdf';
import { produceReport } from '../report/produce';
import type { ReportSaver } from '../report/save';
import type { FetchSchedule } from '../sync/fetchSchedule';
import { testRemote } from '../sync/remoteTest';
import type { DraftStore } from './drafts';
import { toErrorInfo } from './errors';
import type { SettingsStore } from './settings';
import { rosterHandlers } from './rosterHandlers';
import { boardHandlers } from './boardHandlers';
import { acknowledgementHandlers } from './acknowledgementHandlers';
import { terminalHandlers } from './terminalHandlers';

/** Handlers for every call of the contract, typed by it. */
export type Handlers = { [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>> };

/** What the handlers work with: the application layer, the console's local stores, and the backend's events. */
export interface HandlerDeps {
  app: Application;
  drafts: DraftStore;
  settings: SettingsStore;
  fetches: FetchSchedule;
  /** Where "Copy environment" puts the block (Electron's clipboard in the app). */
  clipboard: { writeText(text: string): void } | null;
  reportPorts: { saver: ReportSaver; printer: PdfPrinter };
  snapshot(): Promise<StatusSnapshot>;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  /** An error as it may cross to the page (no home path). */
  sanitise(error: ErrorInfo): ErrorInfo;
}

const committed = (r: { record: EvidenceRecord; commit: string }): Committed => ({ sessionId: r.record.sessionId, seq: r.record.seq, commit: r.commit, record: r.record });

/**
 * The contract's handlers (app/contract.ts): each gathers its inputs, calls the application layer
 * (writes, commands, shells) or a pure view of app/consoleViews.ts, and returns the contract's shape.
 */
export function createHandlers(d: HandlerDeps): Handlers {
  const { app } = d;
  const { service, host, clock, store, remote, outbox, forwarding } = app.ctx;
  return {
    ...terminalHandlers(d),
    ...rosterHandlers(d),
    ...boardHandlers(d),
    ...acknowledgementHandlers(d),
    'status.get': () => d.snapshot(),
    'policy.get': async () => {
      const view = await service.read();
      // An invalid newest policy.yaml: the last valid one is in force, and its problems are listed (issue 12 item 5).
      return view.policy.ok
        ? { policy: view.policy.policy, source: view.policy.source, problems: view.policy.rejected ? formatPolicyProblems(view.policy.rejected.problems).split('\n') : [] }
        : { policy: null, source: 'invalid' as const, problems: formatPolicyProblems(view.policy.problems).split('\n') };
    },
    'preconditions.check': (input) => service.preconditions(input),
    'draft.get': () => d.drafts.get(),
    'draft.save': async (draft) => ({ savedAt: await d.drafts.save(draft) }),
    'draft.discard': async () => ({ discarded: await d.drafts.discard() }),
    'session.declare': async ({ declaration }) => committed(await app.write(async (s) => {
      const r = await s.declare(declaration);
      // The draft is discarded only once the declaration is committed (issue 4).
      await d.drafts.discard();
      return r;
    })),
    'session.note': async ({ sessionId, text }) => committed(await app.note({ sessionId }, text)),
    'session.runCommand': async ({ sessionId, commandLine, cwd, shell }) => {
      const argv = shell ? [commandLine] : parseCommandLine(commandLine);
      const runId = randomUUID();
      const started = await app.commands.start({
        // A relative folder is taken from the home folder and recorded as the folder it resolved to,
        // never as typed (issue 12 item 13: "../.." says nothing an auditor can check).
        runId, sessionId, argv, shell, cwd: cwd ? path.resolve(os.homedir(), cwd) : os.homedir(), via: 'console',
        onOutput: (chunk) => d.emit('command.output', { runId, chunk: chunk.toString('utf8') }),
        onRecorded: (o) => d.emit('command.ended', o.ok
          ? { runId, committed: committed(o), error: null }
          : { runId, committed: null, error: d.sanitise(toErrorInfo(o.error)) }),
      });
      // The outcome reaches the page as `command.ended`; nothing is left unhandled here.
      started.done.catch(() => {});
      return { runId };
    },
    'session.stopCommand': async ({ runId }) => ({ stopping: app.commands.stop(runId) }),
    'session.extend': async ({ sessionId, minutes, reason }) => committed(await app.extend({ sessionId }, { minutes, reason })),
    'session.close': async ({ sessionId, closure }) => committed(await app.close({ sessionId }, closure)),
    'session.review': async ({ sessionId, review }) => committed(await app.review(sessionId, review)),
    'sessions.list': async (filter) => filterSessions((await service.sessions()).map((s) => sessionViewOf(s, host.hostId)), filter),
    'sync.fetch': () => d.fetches.fetchNow(),
    'sync.watch': ({ watching }) => d.fetches.watch(watching),
    'session.timeline': async ({ sessionId }) => {
      const view = await service.read();
      const now = clock.now();
      const pending = await outbox.pendingCommits();
      const sync = await d.fetches.status();
      const detail = buildSessionDetail({ view, sessionId, now, hostId: host.hostId, pending, sync });
      // Who signed each record (issue 15): proven by a roster key, or only claimed.
      if (!detail) return detail;
      const sessionHost = view.sessions.get(sessionId)?.[0]?.record.host.id;
      return {
        ...detail, signatures: await sessionSignatures(store, view.sessions.get(sessionId) ?? []), acknowledgements: (await sessionAcknowledgementsNow(app, new Set([sessionId]))).get(sessionId) ?? [],
        // Issue 16: who else saw this session's host history, and whether it still holds what they saw.
        ...(sessionHost ? { witnesses: await hostWitnesses(store.git, view, sessionHost, host.hostId) } : {}),
      };
    },
    'ledger.verify': async () => {
      const r = await verifyRepository(store, { mode: 'incremental' });
      return { ok: r.ok, head: r.head, sessions: r.sessions, records: r.records, problems: r.problems, comparedWith: r.comparedWith, notices: r.notices, mode: r.mode, modeText: describeMode(r) };
    },
    'push.now': () => outbox.syncOnce(),
    'remote.get': async () => {
      const config = await remote.config();
      return { url: config.url, branch: store.branch, remoteBranch: config.branch };
    },
    'remote.set': async ({ url, remoteBranch }) => {
      await remote.set(url, remoteBranch);
      outbox.kick();
      d.emit('state.changed', await d.snapshot());
      d.emit('sync.changed', await d.fetches.status());
      return { url, remoteBranch: await remote.branch() };
    },
    'remote.test': ({ url }) => testRemote(store.git, url),
    'session.copyEnvironment': async ({ sessionId }) => {
      const env = await service.environment({ sessionId });
      if (!env) throw new BreakGlassError('no-active-session', 'No active session: there is no environment to copy.');
      if (!d.clipboard) throw new BreakGlassError('refused', 'No clipboard is available here: use breakglass env in a terminal.');
      d.clipboard.writeText(env.text);
      return { copied: true };
    },
    'session.openShell': async ({ sessionId }) => committed(await app.commands.openShell(sessionId, async () => {
      const configured = (await d.settings.get()).terminal;
      return configured.length > 0 ? configured : defaultTerminal();
    })),
    'forward.status': () => forwarding.status(),
    'forward.test': ({ destination }) => forwarding.test(destination),
    'settings.get': () => d.settings.get(),
    'settings.set': (patch) => d.settings.set(patch),
    'report.export': async ({ scope, format }) => {
      // Procedure.md §10: one report model, rendered as Markdown, HTML or (printed) PDF, then saved.
      const r = await produceReport(app.ctx, scope, format, { printer: d.reportPorts.printer });
      const savedTo = await d.reportPorts.saver.save(r.fileName, r.content, r.mediaType);
      return { fileName: r.fileName, mediaType: r.mediaType, savedTo, bytes: r.content.byteLength, ...(r.text !== undefined ? { text: r.text } : {}) };
    },
  };
}
