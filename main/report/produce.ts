import type { ExportedReport, ReportScope } from '../../app/contract';
import { BreakGlassError } from '../../app/errors';
import { buildReport } from '../../app/report/build';
import { REPORT_MEDIA_TYPES, reportFileName } from '../../app/report/files';
import { renderHtml } from '../../app/report/html';
import { renderMarkdown } from '../../app/report/markdown';
import type { ReportModel } from '../../app/report/model';
import type { ConsoleContext } from '../application/context';
import { verifyRepository } from '../evidence/verify';
import { chromiumPdfPrinter, type PdfPrinter } from './pdf';

/** A report format. */
export type ReportFormat = 'md' | 'html' | 'pdf';

/** A report rendered in one format, not yet saved. */
export interface ProducedReport {
  fileName: string;
  mediaType: ExportedReport['mediaType'];
  content: Buffer;
  /** The text for Markdown and HTML. */
  text?: string;
  model: ReportModel;
  /** Milliseconds spent in the repository-wide verify (the bench reports it apart). */
  verifyMs: number;
}

/**
 * Builds a report from the evidence repository: reads the ledger, runs `verifyRepository` once
 * (the repository-wide result beside each session's own chain check), and renders the format.
 */
export async function produceReport(
  ctx: Pick<ConsoleContext, 'repoDir' | 'store' | 'service' | 'remote' | 'clock' | 'host'>,
  scope: ReportScope,
  format: ReportFormat,
  options: { printer?: PdfPrinter | undefined } = {},
): Promise<ProducedReport> {
  for (const field of ['from', 'to'] as const) {
    const day = scope[field];
    // The contract checks the shape (YYYY-MM-DD); a day that does not exist (2026-02-30) is refused here.
    const ms = day === undefined ? NaN : Date.parse(`${day}T00:00:00Z`);
    if (day !== undefined && (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day)) {
      throw new BreakGlassError('invalid-input', `${field === 'from' ? 'The first' : 'The last'} day of the period, ${day}, is not a calendar date (YYYY-MM-DD).`, { field });
    }
  }
  const view = await ctx.service.read();
  if (scope.sessionId && !view.sessions.has(scope.sessionId)) {
    throw new BreakGlassError('invalid-input', `No session ${scope.sessionId} in this evidence repository. List sessions with: breakglass log`, { field: 'sessionId' });
  }
  const t0 = performance.now();
  const check = await verifyRepository(ctx.store);
  const verifyMs = performance.now() - t0;
  const model = buildReport({
    view,
    scope,
    nowMs: ctx.clock.now(),
    repository: { path: ctx.repoDir, remote: await ctx.remote.url() },
    repositoryCheck: check,
    generatedOn: ctx.host.hostName,
  });
  const fileName = reportFileName(scope, format);
  const mediaType = REPORT_MEDIA_TYPES[format];
  if (format === 'md') {
    const text = renderMarkdown(model);
    return { fileName, mediaType, content: Buffer.from(text, 'utf8'), text, model, verifyMs };
  }
  const html = renderHtml(model);
  if (format === 'html') return { fileName, mediaType, content: Buffer.from(html, 'utf8'), text: html, model, verifyMs };
  const printer = options.printer ?? chromiumPdfPrinter();
  return { fileName, mediaType, content: await printer.print(html), model, verifyMs };
}
