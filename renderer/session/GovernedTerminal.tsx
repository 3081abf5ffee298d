import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { OpenedTerminal } from '../../app/contract';
import { withAdoptedStyles } from '../evidence/xtermCsp';
import { useStores } from '../stores/context';

type TerminalState =
  | { phase: 'idle' }
  | { phase: 'opening' }
  | { phase: 'open'; opened: OpenedTerminal }
  | { phase: 'ended'; how: string; recorded: boolean }
  | { phase: 'failed'; message: string };

/** The size before the tab has been measured; the smallest the PTY is given (narrower is unreadable). */
const COLS = 100;
const ROWS = 24;
const MIN_COLS = 20;
const MIN_ROWS = 5;

/** What FitAddon proposes for the tab, held to the contract's bounds. */
function fittedSize(fit: FitAddon): { cols: number; rows: number } | null {
  const p = fit.proposeDimensions();
  if (!p || !Number.isFinite(p.cols) || !Number.isFinite(p.rows)) return null;
  return { cols: Math.min(500, Math.max(MIN_COLS, p.cols)), rows: Math.min(300, Math.max(MIN_ROWS, p.rows)) };
}

/**
 * The console's terminal tab (issue 17): a governed shell run by main (PTY, the session's
 * container, recorded as evidence), shown with @xterm/xterm. Keystrokes go to main as they are
 * typed; the screen is what main sends back. The shell ends at expiry (main writes the last line).
 */
export function GovernedTerminal({ sessionId }: { sessionId: string }) {
  const { api } = useStores();
  const screenRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const shellIdRef = useRef<string | null>(null);
  const observerRef = useRef<ResizeObserver | null>(null);
  const [state, setState] = useState<TerminalState>({ phase: 'idle' });

  useEffect(() => () => {
    const shellId = shellIdRef.current;
    if (shellId) void api.terminal.close({ shellId });
    observerRef.current?.disconnect();
    termRef.current?.dispose();
  }, [api]);

  const open = async () => {
    if (!screenRef.current) return;
    setState({ phase: 'opening' });
    observerRef.current?.disconnect();
    termRef.current?.dispose();
    const term = new Terminal({ cols: COLS, rows: ROWS, scrollback: 5_000, fontSize: 13, cursorBlink: true });
    termRef.current = term;
    const fit = new FitAddon();
    term.loadAddon(fit);
    withAdoptedStyles(() => term.open(screenRef.current!));
    // The shell starts at the tab's size, and follows it: the PTY is told each new size, so
    // full-screen programs (less, vim, top) draw for the screen the operator sees.
    const first = fittedSize(fit);
    if (first) term.resize(first.cols, first.rows);
    let sizeDuringOpen = false;
    term.onResize(({ cols, rows }) => {
      const shellId = shellIdRef.current;
      if (shellId) void api.terminal.resize({ shellId, cols, rows });
      else sizeDuringOpen = true;
    });
    const observer = new ResizeObserver(() => {
      const size = fittedSize(fit);
      if (size && (size.cols !== term.cols || size.rows !== term.rows)) term.resize(size.cols, size.rows);
    });
    observer.observe(screenRef.current);
    observerRef.current = observer;
    // Output may arrive before the call returns: kept until the shell's id is known.
    const early: Array<{ shellId: string; data: string }> = [];
    const offOutput = api.on('terminal.output', (p) => {
      if (shellIdRef.current === p.shellId) term.write(p.data);
      else if (shellIdRef.current === null) early.push(p);
    });
    const offEnded = api.on('terminal.ended', (p) => {
      if (p.shellId !== shellIdRef.current) return;
      shellIdRef.current = null;
      observer.disconnect();
      offOutput();
      offEnded();
      setState({ phase: 'ended', how: p.how, recorded: p.recorded });
    });
    const r = await api.terminal.open({ sessionId, cols: term.cols, rows: term.rows });
    if (!r.ok) {
      observer.disconnect();
      offOutput();
      offEnded();
      setState({ phase: 'failed', message: r.error.message });
      return;
    }
    shellIdRef.current = r.value.shellId;
    if (sizeDuringOpen) void api.terminal.resize({ shellId: r.value.shellId, cols: term.cols, rows: term.rows });
    for (const p of early.splice(0)) if (p.shellId === r.value.shellId) term.write(p.data);
    term.onData((data) => {
      const shellId = shellIdRef.current;
      if (shellId) void api.terminal.write({ shellId, data });
    });
    setState({ phase: 'open', opened: r.value });
    term.focus();
  };

  const close = () => {
    const shellId = shellIdRef.current;
    if (shellId) void api.terminal.close({ shellId });
  };

  return (
    <section className="sv-terminal" aria-labelledby={`terminal-${sessionId}`}>
      <div className="section-head">
        <h2 id={`terminal-${sessionId}`}>Governed shell</h2>
        <p className="sv-hint">
          Your shell with the session environment. Everything it shows is recorded as evidence (redacted); what you type at a
          password prompt is not shown, so it is not recorded. It ends when the session expires.
        </p>
      </div>
      {state.phase === 'open' && !state.opened.containment.contained && (
        <p className="sv-terminal-warning" role="note">Not fully contained here: {state.opened.containment.reason}</p>
      )}
      {state.phase === 'ended' && (
        <p role="status">
          The shell ended ({state.how}).{' '}
          {state.recorded ? 'Its recording is committed.' : 'The end of its recording could not be committed; the next start recovers it.'}
        </p>
      )}
      {state.phase === 'failed' && <p role="alert">{state.message}</p>}
      <div className="sv-form-actions">
        {state.phase === 'open' ? (
          <button type="button" className="button button-secondary" onClick={close}>End shell</button>
        ) : (
          <button type="button" className="button button-primary" disabled={state.phase === 'opening'} onClick={() => void open()}>
            {state.phase === 'idle' ? 'Open governed shell' : state.phase === 'opening' ? 'Opening…' : 'Open a new shell'}
          </button>
        )}
      </div>
      <div ref={screenRef} className="sv-terminal-screen" role="application" aria-label="Governed shell terminal" />
    </section>
  );
}
