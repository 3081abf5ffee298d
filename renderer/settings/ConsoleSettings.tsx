import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorInfo, Settings as ConsoleSettingsValue } from '../../app/contract';
import { formatCount } from '../format';
import { useApi } from '../stores/context';
import { settle } from '../stores/bridge';
import { Field, errorFor, fieldControl, formError } from '../forms/Field';

type Patch = Partial<ConsoleSettingsValue>;

/** One settings form's save: busy, the error (by field), and what was saved. */
function useSave(onSaved: (s: ConsoleSettingsValue) => void) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState(false);
  const save = async (patch: Patch): Promise<boolean> => {
    if (busy) return false;
    setBusy(true);
    setError(null);
    setDone(false);
    const r = await settle(api.settings.set(patch));
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return false;
    }
    setDone(true);
    onSaved(r.value);
    return true;
  };
  return { busy, error, done, save, fail: (e: ErrorInfo) => { setDone(false); setError(e); } };
}

/**
 * The console's own settings (kept on this machine, never evidence): how often other hosts'
 * records are fetched, the terminal "Open governed shell" launches, and observer mode.
 */
export function ConsoleSettings() {
  const api = useApi();
  const [settings, setSettings] = useState<ConsoleSettingsValue | null>(null);
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  useEffect(() => {
    let live = true;
    void settle(api.settings.get({})).then((r) => {
      if (!live) return;
      if (r.ok) setSettings(r.value);
      else setLoadError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api]);

  if (loadError) {
    return (
      <section className="card st-card" aria-labelledby="st-console-h">
        <h3 id="st-console-h">This console</h3>
        <p className="st-error" role="alert">
          The settings could not be read: {loadError.message}
        </p>
      </section>
    );
  }
  if (!settings) {
    return (
      <section className="card st-card" aria-labelledby="st-console-h">
        <h3 id="st-console-h">This console</h3>
        <p role="status">Reading the settings…</p>
      </section>
    );
  }
  return (
    <>
      <FetchInterval initial={settings.fetchIntervalSeconds} onSaved={setSettings} />
      <Terminal initial={settings.terminal} onSaved={setSettings} />
      <Observer initial={settings.observer} onSaved={setSettings} />
    </>
  );
}

function FetchInterval({ initial, onSaved }: { initial: number; onSaved: (s: ConsoleSettingsValue) => void }) {
  const [text, setText] = useState(String(initial));
  const { busy, error, done, save, fail } = useSave(onSaved);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = text.trim();
    // Checked here only for being a whole number; the range is the contract's (5 s to 1 h).
    if (!/^\d{1,7}$/.test(value)) return fail({ code: 'invalid-input', message: 'Give a whole number of seconds, like 30.', field: 'fetchIntervalSeconds' });
    await save({ fetchIntervalSeconds: Number(value) });
  };
  const fieldError = errorFor(error, 'fetchIntervalSeconds');
  const other = formError(error, ['fetchIntervalSeconds']);
  return (
    <section className="card st-card" aria-labelledby="st-fetch-h">
      <h3 id="st-fetch-h">Fetch schedule</h3>
      <form className="st-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="st-fetch" label="Fetch other hosts’ records every (seconds)" hint="While the board is open; backs off while the remote is unreachable. Default 30, between 5 and 3600." error={fieldError}>
          <input
            {...fieldControl('st-fetch', fieldError)}
            type="text"
            inputMode="numeric"
            className="control st-short"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
        <SaveFooter label="Save interval" busy={busy} other={other} saved={done ? `Saved: fetching every ${formatCount(Number(text.trim()), 'second')} from the next scheduled fetch.` : null} />
      </form>
    </section>
  );
}

/** A settings form's save button, its refusal (when not about a field) and what was saved. */
function SaveFooter({ label, busy, other, saved }: { label: string; busy: boolean; other: string | null; saved: string | null }) {
  return (
    <>
      <div className="st-actions">
        <button type="submit" className="button button-secondary" aria-disabled={busy}>
          {busy ? 'Saving…' : label}
        </button>
      </div>
      {other && (
        <p className="st-error" role="alert">
          {other}
        </p>
      )}
      <p role="status" className="st-saved-line">
        {saved}
      </p>
    </>
  );
}

function Terminal({ initial, onSaved }: { initial: readonly string[]; onSaved: (s: ConsoleSettingsValue) => void }) {
  const [text, setText] = useState(initial.join('\n'));
  const { busy, error, done, save } = useSave(onSaved);
  const argv = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await save({ terminal: argv });
  };
  const fieldError = errorFor(error, 'terminal');
  const other = formError(error, ['terminal']);
  return (
    <section className="card st-card" aria-labelledby="st-terminal-h">
      <h3 id="st-terminal-h">Governed shell terminal</h3>
      <form className="st-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field
          id="st-terminal"
          label="Terminal command, one argument per line"
          hint="The terminal “Open governed shell” launches to run a recorded breakglass shell: the program on the first line, each argument on its own line; a line {command} says where the command goes (otherwise -e, or -- for GNOME-style terminals). Leave empty for the platform’s default terminal."
          error={fieldError}
        >
          <textarea
            {...fieldControl('st-terminal', fieldError)}
            className="control mono"
            rows={3}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
        <SaveFooter
          label="Save terminal"
          busy={busy}
          other={other}
          saved={done ? (argv.length ? `Saved: the governed shell opens with ${argv[0]}.` : 'Saved: the governed shell opens in the platform’s default terminal.') : null}
        />
      </form>
    </section>
  );
}

function Observer({ initial, onSaved }: { initial: boolean; onSaved: (s: ConsoleSettingsValue) => void }) {
  const [on, setOn] = useState(initial);
  const { busy, error, done, save } = useSave(onSaved);
  const toggle = async (next: boolean) => {
    setOn(next);
    // The box shows what is saved: a refused save puts it back.
    if (!(await save({ observer: next }))) setOn(!next);
  };
  return (
    <section className="card st-card" aria-labelledby="st-observer-h">
      <h3 id="st-observer-h">Observer mode</h3>
      <div className="st-form">
        <label className="st-check">
          <input type="checkbox" checked={on} disabled={busy} onChange={(e) => void toggle(e.target.checked)} aria-describedby="st-observer-hint" />
          Start this console as a read-only observer
        </label>
        <p className="st-hint" id="st-observer-hint">
          For an incident commander’s machine: the board and session pages only; declarations, actions and settings are refused by the service, not just hidden. Takes effect at the next start.
        </p>
        {error && (
          <p className="st-error" role="alert">
            {error.message}
          </p>
        )}
        <p role="status" className="st-saved-line">
          {done && (on ? 'Saved: the console starts as an observer at the next start.' : 'Saved: the console starts with full access at the next start.')}
        </p>
      </div>
    </section>
  );
}
