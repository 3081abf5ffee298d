import { useEffect, useId, useMemo, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { SessionView } from '../../app/views';
import { formatCount, formatLocalDateTime, formatNumber } from '../format';
import { useFeatureStore } from '../stores/context';
import { reportsStore, type ReportFormat } from './store';
import './reports.css';

const FORMATS: Array<{ id: ReportFormat; label: string; hint: string }> = [
  { id: 'md', label: 'Markdown', hint: 'for a ticket or a repository' },
  { id: 'html', label: 'HTML', hint: 'one self-contained file' },
  { id: 'pdf', label: 'PDF', hint: 'A4, for the audit file' },
];

/** How many matching sessions the picker lists (the search narrows the rest). */
const PICKER_LIMIT = 200;

function matches(s: SessionView, q: string): boolean {
  return !q || s.incidentId.toLowerCase().includes(q) || s.sessionId.includes(q) || s.operator.name.toLowerCase().includes(q) || s.environment.toLowerCase().includes(q);
}

/**
 * Audit reports per session and per period (issue 7, procedure.md §10): choose what the report
 * covers and its format; "Export" builds it in main (the timeline with every evidence commit, the
 * chain verification, scopes against actions, the control mapping, reviews, follow-ups and the
 * policy), saves it, and says where.
 */
export function Reports() {
  const store = useFeatureStore(reportsStore);
  const s = useStore(store, (x) => x);
  const { actions } = s;
  const ids = { query: useId(), session: useId(), from: useId(), to: useId(), env: useId(), periodNote: useId() };

  useEffect(() => {
    void actions.load();
  }, [actions]);

  const q = s.query.trim().toLowerCase();
  const matching = useMemo(() => s.sessions.filter((x) => matches(x, q)), [s.sessions, q]);
  const shown = matching.slice(0, PICKER_LIMIT);
  // The chosen session stays selectable even when the search no longer matches it.
  const chosen = s.sessions.find((x) => x.sessionId === s.sessionId);
  const options = chosen && !shown.includes(chosen) ? [chosen, ...shown] : shown;

  const canExport = s.kind === 'session' ? Boolean(s.sessionId) : Boolean(s.from && s.to);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canExport) void actions.exportReport();
  };

  return (
    <section className="reports" aria-labelledby="view-heading">
      <h2 id="view-heading" tabIndex={-1}>
        Audit reports
      </h2>
      <p className="reports-intro">
        A report holds each session's timeline with every evidence commit, its chain verification, declared scopes against recorded actions, the ISO&nbsp;27001 / SOC&nbsp;2 control mapping,
        review outcomes, open follow-ups and the policy in force, and says how to check it independently with <code>breakglass verify</code>.
      </p>
      {s.loadError && (
        <div className="banner banner--warning" role="alert">
          <p>Sessions could not be listed: {s.loadError.message}</p>
        </div>
      )}
      <form className="reports-form" onSubmit={submit} aria-describedby={s.kind === 'period' ? ids.periodNote : undefined}>
        <fieldset className="reports-fieldset">
          <legend>What the report covers</legend>
          <div className="reports-choice">
            <label className="reports-radio">
              <input type="radio" name="report-kind" value="session" checked={s.kind === 'session'} onChange={() => actions.set({ kind: 'session' })} />
              One session
            </label>
            <label className="reports-radio">
              <input type="radio" name="report-kind" value="period" checked={s.kind === 'period'} onChange={() => actions.set({ kind: 'period' })} />
              A period
            </label>
          </div>

          {s.kind === 'session' ? (
            <div className="reports-fields">
              <div className="reports-field reports-field--wide">
                <label htmlFor={ids.query}>Find a session</label>
                <input className="control" id={ids.query} type="search" value={s.query} placeholder="Incident ID, operator or session ID" onChange={(e) => actions.set({ query: e.target.value })} />
              </div>
              <div className="reports-field reports-field--wide">
                <label htmlFor={ids.session}>Session</label>
                <select className="control" id={ids.session} value={s.sessionId} onChange={(e) => actions.set({ sessionId: e.target.value })} disabled={options.length === 0}>
                  {options.length === 0 && <option value="">{s.sessions.length === 0 ? 'No sessions recorded yet' : 'No session matches'}</option>}
                  {options.map((x) => (
                    <option key={x.sessionId} value={x.sessionId}>
                      {`${x.incidentId} · ${x.environment} · ${formatLocalDateTime(x.declaredAt)} · ${x.operator.name} · ${x.sessionId}`}
                    </option>
                  ))}
                </select>
                <p className="reports-hint">
                  {q ? `${formatCount(matching.length, 'session')} match` : `${formatCount(s.sessions.length, 'session')}, newest first`}
                  {matching.length > PICKER_LIMIT ? `; the first ${formatNumber(PICKER_LIMIT)} are listed, search to narrow` : ''}
                </p>
              </div>
            </div>
          ) : (
            <div className="reports-fields">
              <div className="reports-field">
                <label htmlFor={ids.from}>From</label>
                <input className="control" id={ids.from} type="date" required value={s.from} max={s.to || undefined} onChange={(e) => actions.set({ from: e.target.value })} />
              </div>
              <div className="reports-field">
                <label htmlFor={ids.to}>To</label>
                <input className="control" id={ids.to} type="date" required value={s.to} min={s.from || undefined} onChange={(e) => actions.set({ to: e.target.value })} />
              </div>
              <div className="reports-field">
                <label htmlFor={ids.env}>Environment</label>
                <select className="control" id={ids.env} value={s.environment} onChange={(e) => actions.set({ environment: e.target.value })}>
                  <option value="">All environments</option>
                  {s.environments.map((env) => (
                    <option key={env} value={env}>
                      {env}
                    </option>
                  ))}
                </select>
              </div>
              <p className="reports-hint reports-field--wide" id={ids.periodNote}>
                Whole days in UTC, both included, on the time each session was declared.
              </p>
            </div>
          )}
        </fieldset>

        <fieldset className="reports-fieldset">
          <legend>Format</legend>
          <div className="reports-choice">
            {FORMATS.map((f) => (
              <label key={f.id} className="reports-radio">
                <input type="radio" name="report-format" value={f.id} checked={s.format === f.id} onChange={() => actions.set({ format: f.id })} />
                {f.label} <span className="reports-hint">({f.hint})</span>
              </label>
            ))}
          </div>
        </fieldset>

        <div className="reports-actions">
          <button type="submit" className="button button-primary" aria-disabled={s.exporting || !canExport}>
            {s.exporting ? 'Exporting…' : 'Export report'}
          </button>
        </div>
      </form>

      <div className="reports-result" aria-live="polite">
        {s.result &&
          (s.result.savedTo ? (
            <div className="reports-saved">
              <p className="reports-saved-title">Report saved</p>
              <p>
                Saved to <code className="reports-path">{s.result.savedTo}</code> ({formatCount(s.result.bytes, 'byte')}).
              </p>
            </div>
          ) : (
            <p>Export cancelled: nothing was saved.</p>
          ))}
      </div>
      {s.error && (
        <div className="banner banner--blocking reports-error" role="alert">
          <p>The report could not be exported: {s.error.message}</p>
        </div>
      )}
    </section>
  );
}
