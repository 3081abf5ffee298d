import type { z } from 'zod';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, Committed, ErrorInfo, EventPayloads } from '../../app/contract';
import type { RestoredSchema } from '../../app/records';
import { settle } from '../stores/bridge';

/**
 * The active session view's own state (issue 5): what the operator asked of the session and what
 * the service answered. The session itself (expiry, phase) is never held here: it comes from the
 * status snapshot, derived from the evidence, so the countdown can only move once a record is
 * committed; the session's records come from the shared session-detail source and the policy from
 * the policy source (renderer/stores/). Changed only through the actions below, which call the
 * preload API.
 */

/** A command started from the console, with its live output and, once it ended, its record. */
export interface CommandRun {
  runId: string;
  sessionId: string;
  commandLine: string;
  shell: boolean;
  cwd: string;
  /** The live output as the operator sees it (not redacted: the record is). Only the tail is kept. */
  output: string;
  /** Characters dropped from the head of `output` to keep the view responsive. */
  dropped: number;
  phase: 'running' | 'stopping' | 'ended';
  /** The action record, once committed. */
  committed: Committed | null;
  /** Why the action could not be recorded (or the stop failed). */
  error: ErrorInfo | null;
}

/** A control's answer in the closing record (procedure.md §8). */
export type Restored = z.infer<typeof RestoredSchema>;

/** The closing record as the form submits it (app/records.ts `ClosureSchema` validates it in the service). */
export type ClosureInput = {
  summary: string;
  reversalSteps: string[];
  controlsRestored: { signingKeys: Restored; backendLocks: Restored; breakGlassCredentialsRotated: Restored };
  controlsNote?: string;
  followUps: Array<{ action: string; owner: string; due?: string }>;
};

/** One request to the service: in flight, refused with a reason, or done with its result. */
export interface Request<T> {
  sessionId: string | null;
  busy: boolean;
  error: ErrorInfo | null;
  done: T | null;
}

/** The state of the session view. */
export interface SessionUiState {
  runs: CommandRun[];
  run: Request<{ runId: string }>;
  note: Request<Committed>;
  copy: Request<{ at: number }>;
  shell: Request<Committed>;
  extend: Request<Committed> & { open: boolean };
  close: Request<Committed> & { open: boolean };
  /** The terminal "Open governed shell" launches, as argv (empty: the platform's default); null until read. */
  terminal: { argv: string[] | null; busy: boolean; error: ErrorInfo | null; saved: boolean };
  actions: {
    /** Subscribes to command output and ends; returns the unsubscribe. */
    connect(): () => void;
    addNote(sessionId: string, text: string): Promise<boolean>;
    runCommand(sessionId: string, command: { commandLine: string; cwd: string; shell: boolean }): Promise<boolean>;
    stopCommand(runId: string): Promise<void>;
    copyEnvironment(sessionId: string): Promise<boolean>;
    openShell(sessionId: string): Promise<boolean>;
    openExtend(sessionId: string): void;
    cancelExtend(): void;
    extendSession(sessionId: string, minutes: number, reason: string): Promise<boolean>;
    openClose(sessionId: string): void;
    cancelClose(): void;
    closeSession(sessionId: string, closure: ClosureInput): Promise<boolean>;
    loadTerminal(): Promise<void>;
    saveTerminal(argv: string[]): Promise<boolean>;
  };
}

/** The live view keeps the last 256 Ki characters of a command's output; the record keeps its own (capped) copy. */
export const OUTPUT_VIEW_CHARS = 256 * 1024;

const idle = <T,>(): Request<T> => ({ sessionId: null, busy: false, error: null, done: null });

// Terminal control sequences (colours, cursor moves) would show as noise in the view.
// eslint-disable-next-line no-control-regex -- escape sequences are made of control characters
const ANSI = new RegExp('\\u001b(?:\\[[0-?]*[ -/]*[@-~]|\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)|[@-Z\\\\-_])', 'g');

/** Strips terminal control sequences from output shown in the page. */
export function plainOutput(chunk: string): string {
  return chunk.replace(ANSI, '');
}

/** Creates the session view's store bound to one API (a fresh one per window and per test). */
export function createSessionStore(api: BreakGlassApi): StoreApi<SessionUiState> {
  // Output or an end can arrive before the answer that names the run: held here until it does.
  const early = new Map<string, { chunks: string[]; ended: EventPayloads['command.ended'] | null }>();

  return createStore<SessionUiState>()((set, get) => {
    const updateRun = (runId: string, change: (r: CommandRun) => Partial<CommandRun>) =>
      set((s) => ({ runs: s.runs.map((r) => (r.runId === runId ? { ...r, ...change(r) } : r)) }));

    const append = (r: CommandRun, chunk: string): Partial<CommandRun> => {
      const output = r.output + plainOutput(chunk);
      const over = output.length - OUTPUT_VIEW_CHARS;
      return over > 0 ? { output: output.slice(over), dropped: r.dropped + over } : { output };
    };

    const ended = (p: EventPayloads['command.ended']): Partial<CommandRun> => ({ phase: 'ended', committed: p.committed, error: p.error });

    /** Runs one call; returns its value, or records the error on `key` and returns null. */
    async function request<K extends 'run' | 'note' | 'copy' | 'shell' | 'extend' | 'close', T>(
      key: K,
      sessionId: string,
      call: () => Promise<{ ok: true; value: T } | { ok: false; error: ErrorInfo }>,
    ): Promise<T | null> {
      if (get()[key].busy) return null;
      set((s) => ({ [key]: { ...s[key], sessionId, busy: true, error: null, done: null } }) as Partial<SessionUiState>);
      const r = await settle(call());
      set((s) => ({ [key]: { ...s[key], busy: false, ...(r.ok ? { done: null } : { error: r.error }) } }) as Partial<SessionUiState>);
      return r.ok ? r.value : null;
    }

    return {
      runs: [],
      run: idle(),
      note: idle(),
      copy: idle(),
      shell: idle(),
      extend: { ...idle<Committed>(), open: false },
      close: { ...idle<Committed>(), open: false },
      terminal: { argv: null, busy: false, error: null, saved: false },
      actions: {
        connect() {
          const off = [
            api.on('command.output', ({ runId, chunk }) => {
              if (get().runs.some((r) => r.runId === runId)) updateRun(runId, (r) => append(r, chunk));
              else {
                const e = early.get(runId) ?? { chunks: [], ended: null };
                e.chunks.push(chunk);
                early.set(runId, e);
              }
            }),
            api.on('command.ended', (p) => {
              if (get().runs.some((r) => r.runId === p.runId)) updateRun(p.runId, () => ended(p));
              else {
                const e = early.get(p.runId) ?? { chunks: [], ended: null };
                e.ended = p;
                early.set(p.runId, e);
              }
            }),
          ];
          return () => off.forEach((u) => u());
        },

        async addNote(sessionId, text) {
          const v = await request('note', sessionId, () => api.session.note({ sessionId, text }));
          if (v) set((s) => ({ note: { ...s.note, done: v } }));
          return v !== null;
        },

        async runCommand(sessionId, { commandLine, cwd, shell }) {
          const v = await request('run', sessionId, () => api.session.runCommand({ sessionId, commandLine, shell, ...(cwd.trim() ? { cwd: cwd.trim() } : {}) }));
          if (!v) return false;
          let run: CommandRun = { runId: v.runId, sessionId, commandLine, shell, cwd: cwd.trim(), output: '', dropped: 0, phase: 'running', committed: null, error: null };
          const e = early.get(v.runId);
          early.delete(v.runId);
          if (e) {
            for (const c of e.chunks) run = { ...run, ...append(run, c) };
            if (e.ended) run = { ...run, ...ended(e.ended) };
          }
          set((s) => ({ run: { ...s.run, done: v }, runs: [run, ...s.runs] }));
          return true;
        },

        async stopCommand(runId) {
          const run = get().runs.find((r) => r.runId === runId);
          if (!run || run.phase !== 'running') return;
          updateRun(runId, () => ({ phase: 'stopping' }));
          const r = await settle(api.session.stopCommand({ runId }));
          if (!r.ok) updateRun(runId, (x) => (x.phase === 'stopping' ? { phase: 'running', error: r.error } : {}));
        },

        async copyEnvironment(sessionId) {
          const v = await request('copy', sessionId, () => api.session.copyEnvironment({ sessionId }));
          if (v) set((s) => ({ copy: { ...s.copy, done: { at: Date.now() } } }));
          return v !== null;
        },

        async openShell(sessionId) {
          const v = await request('shell', sessionId, () => api.session.openShell({ sessionId }));
          if (v) set((s) => ({ shell: { ...s.shell, done: v } }));
          return v !== null;
        },

        openExtend(sessionId) {
          set({ extend: { ...idle<Committed>(), sessionId, open: true } });
        },
        cancelExtend() {
          if (!get().extend.busy) set((s) => ({ extend: { ...s.extend, open: false, error: null } }));
        },
        async extendSession(sessionId, minutes, reason) {
          const v = await request('extend', sessionId, () => api.session.extend({ sessionId, minutes, reason }));
          // The dialog closes only once `extended` is committed; the countdown follows the next snapshot.
          if (v) set((s) => ({ extend: { ...s.extend, done: v, open: false } }));
          return v !== null;
        },

        openClose(sessionId) {
          set((s) => ({ close: { ...idle<Committed>(), sessionId, open: true, done: s.close.done } }));
        },
        cancelClose() {
          if (!get().close.busy) set((s) => ({ close: { ...s.close, open: false, error: null } }));
        },
        async closeSession(sessionId, closure) {
          const v = await request('close', sessionId, () => api.session.close({ sessionId, closure }));
          if (v) set((s) => ({ close: { ...s.close, done: v, open: false } }));
          return v !== null;
        },

        async loadTerminal() {
          const r = await settle(api.settings.get({}));
          set((s) => ({ terminal: { ...s.terminal, ...(r.ok ? { argv: r.value.terminal, error: null } : { error: r.error }) } }));
        },
        async saveTerminal(argv) {
          if (get().terminal.busy) return false;
          set((s) => ({ terminal: { ...s.terminal, busy: true, error: null, saved: false } }));
          const r = await settle(api.settings.set({ terminal: argv }));
          set((s) => ({ terminal: r.ok ? { argv: r.value.terminal, busy: false, error: null, saved: true } : { ...s.terminal, busy: false, error: r.error } }));
          return r.ok;
        },
      },
    };
  });
}
