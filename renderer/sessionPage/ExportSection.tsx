import { useState } from 'react';
import type { ErrorInfo, ExportedReport } from '../../app/contract';
import { formatNumber } from '../format';
import { settle } from '../stores/bridge';
import { useApi } from '../stores/context';

type Format = 'md' | 'html' | 'pdf';

const LABELS: Record<Format, string> = { md: 'Markdown', html: 'HTML', pdf: 'PDF' };

/**
 * This session's audit report (procedure.md §10), from its own page: the same report the Reports
 * view and `breakglass report --session` make. Reading evidence only, so an observer may export too.
 */
export function ExportSection({ sessionId }: { sessionId: string }) {
  const api = useApi();
  const [busy, setBusy] = useState<Format | null>(null);
  const [result, setResult] = useState<{ ok: true; report: ExportedReport } | { ok: false; error: ErrorInfo } | null>(null);

  const exportAs = async (format: Format) => {
    if (busy) return;
    setBusy(format);
    setResult(null);
    const r = await settle(api.report.export({ scope: { sessionId }, format }));
    setResult(r.ok ? { ok: true, report: r.value } : { ok: false, error: r.error });
    setBusy(null);
  };

  return (
    <section className="card sp-section" aria-labelledby="sp-export-h">
      <h3 id="sp-export-h">Audit report</h3>
      <p className="muted">
        This session's timeline with every evidence commit, its chain verification, scopes against actions, closure, reviews and the control mapping.
      </p>
      <div className="sp-export-actions">
        {(Object.keys(LABELS) as Format[]).map((f) => (
          <button key={f} type="button" className="button button-secondary" aria-disabled={busy !== null} onClick={() => void exportAs(f)}>
            {busy === f ? `Exporting ${LABELS[f]}…` : `Export ${LABELS[f]}`}
          </button>
        ))}
      </div>
      <div role="status" aria-live="polite">
        {result?.ok === true &&
          (result.report.savedTo ? (
            <p>
              Saved to <span className="mono break">{result.report.savedTo}</span> ({formatNumber(result.report.bytes)} bytes).
            </p>
          ) : (
            <p>Not saved: the save was cancelled.</p>
          ))}
      </div>
      {result?.ok === false && (
        <p className="banner banner--warning" role="alert">
          The report was not exported: {result.error.message}
        </p>
      )}
    </section>
  );
}
