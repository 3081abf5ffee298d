import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionView } from '../../app/views';
import { useSession } from './useSession';
import type { ClosureInput, Restored } from './store';

/** The three controls the seed asks to restore (procedure.md §8), in the order the record holds them. */
const CONTROLS = [
  { key: 'signingKeys', label: 'Signing keys restored or rotated' },
  { key: 'backendLocks', label: 'Backend locks re-established' },
  { key: 'breakGlassCredentialsRotated', label: 'Break-glass credentials rotated' },
] as const;

type ControlKey = (typeof CONTROLS)[number]['key'];

const ANSWERS: ReadonlyArray<{ value: Restored; label: string }> = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: 'not-applicable', label: 'Not applicable' },
];

interface FollowUpRow {
  key: number;
  action: string;
  owner: string;
  due: string;
}

/** A field problem as the service reports it (`reversalSteps[0]`, `followUps[1].owner`, `controlsRestored.backendLocks`). */
interface Problem {
  path: string;
  message: string;
}

/**
 * The closing record (issue 5 "Closing", procedure.md §8): what was changed, the reversal steps
 * taken, each control restored (yes / no / not applicable, with a note when no), and the
 * follow-ups with owners. Available while active (ends the session early) and after expiry.
 * The service validates it (app/records.ts `ClosureSchema`); its problems are shown at the fields.
 */
export function CloseForm({ session, expired }: { session: SessionView; expired: boolean }) {
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const nextKey = useRef(1);
  const state = useSession(useShallow((s) => ({ busy: s.close.busy, error: s.close.sessionId === session.sessionId ? s.close.error : null })));
  const { cancelClose, closeSession } = useSession(useShallow((s) => ({ cancelClose: s.actions.cancelClose, closeSession: s.actions.closeSession })));

  const [summary, setSummary] = useState('');
  const [steps, setSteps] = useState<Array<{ key: number; text: string }>>([{ key: 0, text: '' }]);
  const [controls, setControls] = useState<Partial<Record<ControlKey, Restored>>>({});
  const [controlsNote, setControlsNote] = useState('');
  const [followUps, setFollowUps] = useState<FollowUpRow[]>([]);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  // A problem the operator has since edited is no longer shown; the service re-checks on commit.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setEdited(new Set()), [state.error]);
  const touch = (...paths: string[]) => setEdited((all) => (paths.every((p) => all.has(p)) ? all : new Set([...all, ...paths])));

  const anyNo = Object.values(controls).includes('no');
  const reported: Problem[] = state.error ? (state.error.problems?.length ? state.error.problems : [{ path: state.error.field ?? '', message: state.error.message }]) : [];
  const problems = reported.filter((p) => !edited.has(p.path));
  // Rows left blank are not sent, so the service's indexes count the rows that were.
  const sentSteps = steps.filter((s) => s.text.trim() !== '');
  const sentFollowUps = followUps.filter((f) => f.action.trim() || f.owner.trim() || f.due);
  const problemAt = (path: string): string | undefined => problems.find((p) => p.path === path)?.message;
  const stepProblem = (key: number) => {
    const i = sentSteps.findIndex((s) => s.key === key);
    return i >= 0 ? problemAt(`reversalSteps[${i}]`) : undefined;
  };
  const followUpProblem = (key: number, field: 'action' | 'owner' | 'due') => {
    const i = sentFollowUps.findIndex((f) => f.key === key);
    return i >= 0 ? problemAt(`followUps[${i}].${field}`) : undefined;
  };
  /** One field of a follow-up row: its label, the input, and the problem with it once there is one. */
  const followUpInput = (f: FollowUpRow, field: 'action' | 'owner' | 'due', label: ReactNode, type: 'text' | 'date') => {
    const inputId = `${id}-f${field[0]}-${f.key}`;
    const problem = followUpProblem(f.key, field);
    return (
      <div>
        <label htmlFor={inputId}>{label}</label>
        <input
          className="control"
          id={inputId}
          type={type}
          value={f[field]}
          onChange={(e) => {
            setFollowUps((all) => all.map((x) => (x.key === f.key ? { ...x, [field]: e.target.value } : x)));
            const i = sentFollowUps.findIndex((x) => x.key === f.key);
            if (i >= 0) touch(`followUps[${i}].${field}`);
          }}
          {...(problem ? { 'aria-invalid': true } : {})}
        />
        {problem && <p className="sv-field-error">{problem}</p>}
      </div>
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (state.busy) return;
    const closure = {
      summary,
      reversalSteps: sentSteps.map((s) => s.text),
      controlsRestored: controls,
      ...(controlsNote.trim() ? { controlsNote } : {}),
      followUps: sentFollowUps.map((f) => ({ action: f.action, owner: f.owner, ...(f.due ? { due: f.due } : {}) })),
    } as ClosureInput; // unanswered controls are sent as missing: the service names them.
    await closeSession(session.sessionId, closure);
  };

  const fieldProps = (path: string, errId: string) => {
    const p = problemAt(path);
    return p ? { 'aria-invalid': true as const, 'aria-describedby': errId } : {};
  };
  /** A free-text field of the closure (`path` in the service's terms; `key` names its DOM ids) with its problem under it. */
  const textArea = (path: 'summary' | 'controlsNote', key: string, label: ReactNode, rows: number, value: string, set: (v: string) => void) => (
    <div className="sv-field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <textarea
        className="control"
        id={`${id}-${key}`}
        rows={rows}
        value={value}
        onChange={(e) => {
          set(e.target.value);
          touch(path);
        }}
        {...fieldProps(path, `${id}-${key}-err`)}
      />
      {problemAt(path) && (
        <p className="sv-field-error" id={`${id}-${key}-err`}>
          {problemAt(path)}
        </p>
      )}
    </div>
  );

  return (
    <section className="sv-close-form" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`} ref={headingRef} tabIndex={-1}>
        Close {session.incidentId} with its reversal record
      </h3>
      <p className="sv-hint">
        {expired
          ? 'The session has expired. Record what was changed and how the governed state was restored; the session then awaits its post-incident review.'
          : 'Closing ends the session now, before its expiry: actions stop being allowed and the environment export stops working. Record what was changed and how the governed state was restored.'}
      </p>
      {problems.length > 0 && (
        <div className="sv-error-summary" role="alert">
          <p>
            <strong>Not closed: the closing record has {problems.length === 1 ? 'a problem' : `${problems.length} problems`}.</strong>
          </p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        {textArea('summary', 'summary', 'Summary of what was changed', 3, summary, setSummary)}

        <fieldset className="sv-field">
          <legend>Reversal steps taken</legend>
          {problemAt('reversalSteps') && <p className="sv-field-error">{problemAt('reversalSteps')}</p>}
          <ol className="sv-rows">
            {steps.map((s, i) => (
              <li key={s.key} className="sv-row">
                <label className="visually-hidden" htmlFor={`${id}-step-${s.key}`}>
                  Reversal step {i + 1}
                </label>
                <input
                  className="control"
                  id={`${id}-step-${s.key}`}
                  type="text"
                  value={s.text}
                  onChange={(e) => {
                    setSteps((all) => all.map((x) => (x.key === s.key ? { ...x, text: e.target.value } : x)));
                    const i = sentSteps.findIndex((x) => x.key === s.key);
                    touch('reversalSteps', ...(i >= 0 ? [`reversalSteps[${i}]`] : []));
                  }}
                  {...(stepProblem(s.key) ? { 'aria-invalid': true, 'aria-describedby': `${id}-step-${s.key}-err` } : {})}
                />
                {steps.length > 1 && (
                  <button type="button" className="button button-secondary sv-button-small" onClick={() => setSteps((all) => all.filter((x) => x.key !== s.key))}>
                    Remove<span className="visually-hidden"> step {i + 1}</span>
                  </button>
                )}
                {stepProblem(s.key) && <p className="sv-field-error" id={`${id}-step-${s.key}-err`}>{stepProblem(s.key)}</p>}
              </li>
            ))}
          </ol>
          <button type="button" className="button button-secondary sv-button-small" onClick={() => setSteps((all) => [...all, { key: nextKey.current++, text: '' }])}>
            Add a step
          </button>
        </fieldset>

        <fieldset className="sv-field">
          <legend>Controls restored</legend>
          <div className="sv-controls-grid">
            {CONTROLS.map((c) => {
              const path = `controlsRestored.${c.key}`;
              const err = problemAt(path);
              return (
                <fieldset key={c.key} className="sv-control" aria-invalid={err ? true : undefined} aria-describedby={err ? `${id}-${c.key}-err` : undefined}>
                  <legend>{c.label}</legend>
                  <div className="sv-choices">
                    {ANSWERS.map((a) => (
                      <label key={a.value} className="sv-choice">
                        <input type="radio" name={`${id}-${c.key}`} value={a.value} checked={controls[c.key] === a.value} onChange={() => {
                            setControls((all) => ({ ...all, [c.key]: a.value }));
                            touch(path);
                          }} />
                        {a.label}
                      </label>
                    ))}
                  </div>
                  {err && <p className="sv-field-error" id={`${id}-${c.key}-err`}>{err}</p>}
                </fieldset>
              );
            })}
          </div>
          {textArea(
            'controlsNote',
            'note',
            <>
              Note on the controls{' '}
              <span className={anyNo ? 'text-warning' : 'muted'}>{anyNo ? '(required: a control was not restored — say why and what will restore it)' : '(optional)'}</span>
            </>,
            2,
            controlsNote,
            setControlsNote,
          )}
        </fieldset>

        <fieldset className="sv-field">
          <legend>Outstanding follow-ups</legend>
          {followUps.length === 0 && <p className="muted">None yet. Add each outstanding action with the person who owns it.</p>}
          <ol className="sv-rows">
            {followUps.map((f, i) => (
              <li key={f.key} className="sv-row sv-row--followup">
                {followUpInput(f, 'action', <>Action {i + 1}</>, 'text')}
                {followUpInput(f, 'owner', 'Owner', 'text')}
                {followUpInput(
                  f,
                  'due',
                  <>
                    Due <span className="muted">(optional)</span>
                  </>,
                  'date',
                )}
                <button type="button" className="button button-secondary sv-button-small" onClick={() => setFollowUps((all) => all.filter((x) => x.key !== f.key))}>
                  Remove<span className="visually-hidden"> follow-up {i + 1}</span>
                </button>
              </li>
            ))}
          </ol>
          <button
            type="button"
            className="button button-secondary sv-button-small"
            onClick={() => setFollowUps((all) => [...all, { key: nextKey.current++, action: '', owner: '', due: '' }])}
          >
            Add a follow-up
          </button>
        </fieldset>

        <div className="sv-form-actions">
          <button type="submit" className="button button-primary" aria-disabled={state.busy}>
            {state.busy ? 'Committing the closure…' : expired ? 'Commit closure' : 'End the session and commit closure'}
          </button>
          <button type="button" className="button button-secondary" aria-disabled={state.busy} onClick={() => cancelClose()}>
            Not now
          </button>
        </div>
      </form>
    </section>
  );
}
