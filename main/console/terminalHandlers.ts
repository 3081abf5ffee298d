import os from 'node:os';
import { BreakGlassError } from '../../app/errors';
import { playbackOf } from '../../app/recording/playback';
import type { CallInput, CallOutput, EventName, EventPayloads } from '../../app/contract';
import type { Application } from '../application/application';

type TerminalCalls = 'terminal.open' | 'terminal.write' | 'terminal.resize' | 'terminal.close' | 'session.recordings';

/** The handlers of the terminal's calls (part of main/console/handlers.ts's table). */
export type TerminalHandlers = { [K in TerminalCalls]: (input: CallInput<K>) => Promise<CallOutput<K>> };

/**
 * The console's terminal tab (issue 17): a governed shell in main (application layer's
 * GovernedShells: PTY, container, recording), its screen in the page through `terminal.output`.
 * Keystrokes arrive through `terminal.write`; nothing the page sends is recorded as typed — only
 * what the terminal echoes is.
 */
export function terminalHandlers(d: { app: Application; emit<E extends EventName>(event: E, payload: EventPayloads[E]): void }): TerminalHandlers {
  const { app } = d;
  const shellOf = (shellId: string) => {
    const opened = app.shells.get(shellId);
    if (!opened) throw new BreakGlassError('refused', 'This terminal has ended. Open a new one.');
    return opened;
  };
  return {
    'terminal.open': async ({ sessionId, cols, rows }) => {
      let shellId = '';
      const early: string[] = [];
      const opened = await app.shells.openShell({
        sessionId, via: 'console', cwd: os.homedir(), cols, rows,
        // The first prompt may come before the page knows the id: held until it does.
        onOutput: (data) => (shellId ? d.emit('terminal.output', { shellId, data }) : early.push(data)),
        onEnded: (ended) => d.emit('terminal.ended', { shellId: opened.shellId, how: ended.how, recorded: ended.recorded }),
      });
      shellId = opened.shellId;
      // Sent after this call returns, so the page has subscribed under the id first.
      setTimeout(() => {
        if (early.length > 0) d.emit('terminal.output', { shellId, data: early.splice(0).join('') });
      }, 0);
      const c = opened.containment;
      return { shellId, sessionId: opened.sessionId, containment: c.contained ? { contained: true, kind: c.kind } : { contained: false, kind: c.kind, reason: c.reason } };
    },
    'terminal.write': async ({ shellId, data }) => {
      shellOf(shellId).shell.input(data);
      return { written: true };
    },
    'terminal.resize': async ({ shellId, cols, rows }) => {
      shellOf(shellId).shell.resize(cols, rows);
      return { resized: true };
    },
    'terminal.close': async ({ shellId }) => {
      const opened = app.shells.get(shellId);
      if (opened) void opened.shell.end('close');
      return { closing: opened !== null };
    },
    'session.recordings': async ({ sessionId }) => {
      const view = await app.service.read();
      return playbackOf((view.sessions.get(sessionId) ?? []).map((e) => e.record));
    },
  };
}
