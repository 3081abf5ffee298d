import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { actionOutcome, commandLine as commandLineOf } from '../../app/actionText';
import type { Committed, ErrorInfo } from '../../app/contract';
import { CommitId } from '../evidence/CommitId';
import { formatCount, formatLocalTime } from '../format';
import { MachineInput } from '../forms/MachineInput';
import { splitArgv } from './argv';
import type { CommandRun } from './store';
import { useSession } from './useSession';

/**
 * What the operator does under the session (issue 5 "Actions", procedure.md §5): notes, commands
 * with live output, the environment for their own terminal. Every one is committed as evidence by
 * the service; the view shows the commit once it exists, and the service's reason when it refuses.
 */

/** "committed as evidence (commit 1a2b3c4d5e) · 1 secret redacted". */
function CommittedLine({ committed, what }: { committed: Committed; what: string }) {
  return (
    <>
      {what} committed as evidence <span className="nowrap">(commit <CommitId commit={committed.commit} short />)</span>
      {committed.record.redactions > 0 && <> · {formatCount(committed.record.redactions, 'secret')} redacted before writing</>}.
    </>
  );
}

/** A refusal next to the control it concerns. */
function ErrorLine({ error, id }: { error: ErrorInfo | null; id: string }) {
  if (!error) return null;
  return (
    <p className="sv-field-error" id={id} role="alert">
      {error.message}
    </p>
  );
}

/** Free-text note, redacted and committed as `note` (allowed after expiry too, until closing: §6). */
export function NoteForm({ sessionId, expired }: { sessionId: string; expired: boolean }) {
  const id = useId();
  const [text, setText] = useState('');
  const note = useSession(useShallow((s) => (s.note.sessionId === sessionId ? s.note : null)));
  const addNote = useSession((s) => s.actions.addNote);
  const busy = note?.busy ?? false;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (await addNote(sessionId, text)) setText('');
  };
  return (
    <section className="box stack sv-action-card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Add a note</h3>
      <p className="sv-hint">{expired ? 'Still allowed until the session is closed. ' : ''}Committed as evidence; secrets are redacted before anything is written.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={`${id}-text`}>Note</label>
        <textarea
          className="control"
          id={`${id}-text`}
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={note?.error ? true : undefined}
          aria-describedby={note?.error ? `${id}-err` : undefined}
        />
        <ErrorLine error={note?.error ?? null} id={`${id}-err`} />
        <div className="sv-form-actions">
          <button type="submit" className="button button-primary" aria-disabled={busy}>
            {busy ? 'Committing…' : 'Commit note'}
          </button>
        </div>
        <p className="sv-result" role="status">
          {note?.done && <CommittedLine committed={note.done} what="Note" />}
        </p>
      </form>
    </section>
  );
}

/** Run a command line with the session's environment; output streams in live; the record is committed when it ends. */
export function RunCommand({ sessionId }: { sessionId: string }) {
  const id = useId();
  const [commandLine, setCommandLine] = useState('');
  const [cwd, setCwd] = useState('');
  const [shell, setShell] = useState(false);
  const run = useSession(useShallow((s) => (s.run.sessionId === sessionId ? s.run : null)));
  const runCommand = useSession((s) => s.actions.runCommand);
  const busy = run?.busy ?? false;
  const error = run?.error ?? null;
  const cwdError = error?.field === 'cwd';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    await runCommand(sessionId, { commandLine, cwd, shell });
  };
  return (
    <section className="box stack sv-action-card sv-action-card--wide" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Run a command</h3>
      <p className="sv-hint">
        Runs with the session&apos;s environment. The line is split into arguments and run without a shell, unless you choose &ldquo;Run in a shell&rdquo; (recorded as such). The argv, output (redacted) and exit status are committed when it ends.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={`${id}-cmd`}>Command line</label>
        <MachineInput
          id={`${id}-cmd`}
          autoCapitalize="off"
          value={commandLine}
          onChange={(e) => setCommandLine(e.target.value)}
          aria-invalid={error && !cwdError ? true : undefined}
          aria-describedby={error && !cwdError ? `${id}-err` : undefined}
        />
        <div className="sv-run-options">
          <div className="sv-run-cwd">
            <label htmlFor={`${id}-cwd`}>
              Working directory <span className="muted">(optional: your home folder if empty)</span>
            </label>
            <MachineInput
              id={`${id}-cwd`}
              value={cwd}
              onChange={(e) => setCwd(e.target.value)}
              aria-invalid={cwdError ? true : undefined}
              aria-describedby={cwdError ? `${id}-err` : undefined}
            />
          </div>
          <div className="sv-checkbox">
            <input id={`${id}-shell`} type="checkbox" checked={shell} onChange={(e) => setShell(e.target.checked)} />
            <label htmlFor={`${id}-shell`}>Run in a shell (pipes, redirects, variables)</label>
          </div>
        </div>
        <ErrorLine error={error} id={`${id}-err`} />
        <div className="sv-form-actions">
          <button type="submit" className="button button-primary" aria-disabled={busy}>
            {busy ? 'Starting…' : 'Run'}
          </button>
        </div>
      </form>
      <RunList sessionId={sessionId} />
    </section>
  );
}

/** The commands run from this window for the session, newest first. */
export function RunList({ sessionId, heading = false }: { sessionId: string; heading?: boolean }) {
  const runs = useSession(useShallow((s) => s.runs.filter((r) => r.sessionId === sessionId)));
  if (runs.length === 0) return null;
  return (
    <>
      {heading && <h3>Commands run from this window</h3>}
      <ol className="sv-runs" aria-label="Commands run from this window">
        {runs.map((r) => (
          <RunItem key={r.runId} run={r} />
        ))}
      </ol>
    </>
  );
}

function runStatus(r: CommandRun): string {
  if (r.phase === 'running') return 'Running';
  if (r.phase === 'stopping') return 'Stopping…';
  const rec = r.committed?.record;
  return rec?.type === 'action' ? actionOutcome(rec.payload, 'operator') : 'Ended';
}

function RunItem({ run }: { run: CommandRun }) {
  const id = useId();
  const stop = useSession((s) => s.actions.stopCommand);
  const pre = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  // Follow the output while the reader is at the bottom; leave it alone once they scroll up.
  useEffect(() => {
    const el = pre.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [run.output]);
  const status = runStatus(run);
  const live = run.phase !== 'ended';
  const failed = run.phase === 'ended' && !run.committed;
  const rec = run.committed?.record;
  return (
    <li className={`sv-run sv-run--${live ? 'live' : failed ? 'failed' : 'done'}`} aria-labelledby={`${id}-cmd`}>
      <div className="sv-run-head">
        <code className="sv-run-cmd" id={`${id}-cmd`}>
          {run.commandLine}
        </code>
        {run.shell && <span className="sv-tag">in shell</span>}
        <span className={`sv-run-status sv-run-status--${live ? 'live' : failed ? 'failed' : 'done'}`}>{status}</span>
        {live && (
          <button type="button" className="button button-secondary sv-button-small" aria-disabled={run.phase === 'stopping'} onClick={() => void stop(run.runId)}>
            Stop
          </button>
        )}
      </div>
      <pre
        ref={pre}
        className="sv-run-output"
        tabIndex={0}
        aria-label={`Output of ${run.commandLine}`}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {run.dropped > 0 && <span className="muted">[{formatCount(run.dropped, 'earlier character')} not shown here]{'\n'}</span>}
        {run.output || (live ? '' : '(no output)')}
      </pre>
      <p className="sv-result" role="status">
        {run.committed && rec?.type === 'action' && (
          <>
            Ended {formatLocalTime(rec.payload.endedAt)} · <CommittedLine committed={run.committed} what="Action" />
            {rec.payload.outputTruncated && ' The record keeps the first 64 KiB of the output and the SHA-256 of all of it.'}
          </>
        )}
      </p>
      {run.error && (
        <p className="sv-field-error" role="alert">
          {run.phase === 'ended' ? 'Not recorded: ' : ''}
          {run.error.message}
        </p>
      )}
    </li>
  );
}

/** The terminal "Open governed shell" launches to run `breakglass shell` (a local setting, not evidence): the platform's default unless set. */
function TerminalSetting() {
  const id = useId();
  const terminal = useSession((s) => s.terminal);
  const { loadTerminal, saveTerminal } = useSession(useShallow((s) => ({ loadTerminal: s.actions.loadTerminal, saveTerminal: s.actions.saveTerminal })));
  const [text, setText] = useState<string | null>(null);
  const [parseError, setParseError] = useState(false);
  useEffect(() => {
    void loadTerminal();
  }, [loadTerminal]);
  const shown = text ?? (terminal.argv ? commandLineOf(terminal.argv) : '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const argv = splitArgv(shown);
    setParseError(argv === null);
    if (argv !== null && (await saveTerminal(argv))) setText(null);
  };
  return (
    <details className="sv-terminal">
      <summary>
        Terminal: {terminal.argv === null ? '…' : terminal.argv.length > 0 ? <code>{commandLineOf(terminal.argv)}</code> : 'the platform\u2019s default'}
      </summary>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={`${id}-term`}>Terminal command</label>
        <MachineInput
          id={`${id}-term`}
          value={shown}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={parseError || terminal.error ? true : undefined}
          aria-describedby={`${id}-term-hint`}
        />
        <p className="sv-hint" id={`${id}-term-hint`}>
          Words as in a shell; leave empty for the platform&apos;s default. It runs <code>breakglass shell</code>, recorded like the Terminal tab; put <code>{'{command}'}</code> where your terminal wants the command (otherwise <code>-e</code>).
        </p>
        {parseError && (
          <p className="sv-field-error" role="alert">
            A quote is left open.
          </p>
        )}
        <ErrorLine error={terminal.error} id={`${id}-term-err`} />
        <div className="sv-form-actions">
          <button type="submit" className="button button-secondary sv-button-small" aria-disabled={terminal.busy}>
            Save terminal
          </button>
        </div>
        <p className="sv-result" role="status">
          {terminal.saved && text === null ? 'Saved.' : ''}
        </p>
      </form>
    </details>
  );
}

/** The export block for the operator's own terminal, and a governed shell with it already set. */
export function EnvironmentActions({ sessionId }: { sessionId: string }) {
  const id = useId();
  const copy = useSession(useShallow((s) => (s.copy.sessionId === sessionId ? s.copy : null)));
  const shell = useSession(useShallow((s) => (s.shell.sessionId === sessionId ? s.shell : null)));
  const { copyEnvironment, openShell } = useSession(useShallow((s) => ({ copyEnvironment: s.actions.copyEnvironment, openShell: s.actions.openShell })));
  return (
    <section className="box stack sv-action-card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Session environment</h3>
      <p className="sv-hint">
        <code>GOVERNED_BREAK_GLASS=true</code> with the reason, incident, operator and expiry, for tools that check it. It stops working at expiry.
      </p>
      <div className="sv-form-actions">
        <button type="button" className="button button-secondary" aria-disabled={copy?.busy ?? false} onClick={() => void copyEnvironment(sessionId)}>
          Copy environment
        </button>
        <button type="button" className="button button-secondary" aria-disabled={shell?.busy ?? false} onClick={() => void openShell(sessionId)}>
          {shell?.busy ? 'Opening…' : 'Open governed shell'}
        </button>
      </div>
      <ErrorLine error={copy?.error ?? null} id={`${id}-copy-err`} />
      <ErrorLine error={shell?.error ?? null} id={`${id}-shell-err`} />
      <TerminalSetting />
      <p className="sv-result" role="status">
        {copy?.done && <>Export block copied to the clipboard at {formatLocalTime(new Date(copy.done.at).toISOString())}. </>}
        {shell?.done && (
          <>
            Your terminal opened running a recorded <code>breakglass shell</code>; <CommittedLine committed={shell.done} what="the opening was" />
          </>
        )}
      </p>
    </section>
  );
}
