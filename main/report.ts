import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExportedReport, ReportScope } from '../app/contract';
import { BreakGlassError } from '../app/errors';
import { buildReport } from '../app/report/build';
import { REPORT_MEDIA_TYPES, reportFileName } from '../app/report/files';
import { renderHtml } from '../app/report/html';
import { renderMarkdown } from '../app/report/markdown';
import type { ReportModel } from '../app/report/model';
import { findChromium } from './chromium';
import type { ConsoleContext } from './context';
import { verifyRepository } from './verify';

/** A report format. */
export type ReportFormat = 'md' | 'html' | 'pdf';

/**
 * Turns the report's HTML into a PDF (issue 7: "Electron prints the same HTML the app renders").
 * The CLI and the browser test host use Chromium headless; the app uses Electron's printToPDF.
 */
export interface PdfPrinter {
  print(html: string): Promise<Buffer>;
}

/**
 * Puts an exported report where the operator wants it: the app asks with a save dialog; the
 * default writes into `<data dir>/reports`. Resolves with the path, or null when the operator cancelled.
 */
export interface ReportSaver {
  save(fileName: string, content: Buffer, mediaType: ExportedReport['mediaType']): Promise<string | null>;
}

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
  ctx: Pick<ConsoleContext, 'repoDir' | 'store' | 'service' | 'outbox' | 'clock' | 'host'>,
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
    repository: { path: ctx.repoDir, remote: await ctx.outbox.remoteUrl() },
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

/** Chromium's log lines that say nothing about the print (no D-Bus on a server, the launcher's shell noise). */
const CHROMIUM_NOISE = /dbus|bus\.cc|object_proxy|unexpected operator|^\s*$|bytes written to file/i;

/**
 * Prints through Chromium headless as a real child process, in a private temporary folder (the
 * HTML, a throwaway profile, the PDF), removed afterwards. The HTML carries a CSP that allows no
 * script and no request, so the page can only lay itself out.
 */
export function chromiumPdfPrinter(env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): PdfPrinter {
  return {
    async print(html: string): Promise<Buffer> {
      const binary = findChromium(env);
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'breakglass-pdf-'));
      try {
        const htmlFile = path.join(dir, 'report.html');
        const pdfFile = path.join(dir, 'report.pdf');
        await fs.writeFile(htmlFile, html, { mode: 0o600 });
        const args = [
          '--headless',
          // Chromium refuses to start its sandbox as root (CI, containers); elsewhere it keeps it.
          ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
          '--disable-gpu',
          '--no-pdf-header-footer',
          '--no-first-run',
          '--disable-extensions',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${path.join(dir, 'profile')}`,
          `--print-to-pdf=${pdfFile}`,
          pathToFileURL(htmlFile).href,
        ];
        const { code, log } = await runChromium(binary, args, env, timeoutMs);
        const pdf = await fs.readFile(pdfFile).catch(() => null);
        if (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
          const why = log.split('\n').filter((l) => !CHROMIUM_NOISE.test(l)).slice(-2).join(' | ').slice(0, 300);
          throw new BreakGlassError('refused', `Chromium (${binary}) did not produce the PDF (${code === null ? 'timed out' : `exit ${code}`}${why ? `: ${why}` : ''}). Export Markdown or HTML instead, or set BREAKGLASS_CHROMIUM to a working Chromium.`);
        }
        return pdf;
      } finally {
        await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
      }
    },
  };
}

function runChromium(binary: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a hung print is stopped with every helper process Chromium started.
    const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    const keep = (d: Buffer) => {
      log = (log + d.toString('utf8')).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new BreakGlassError('refused', `Could not start Chromium (${binary}): ${e.code ?? e.message}. Install it (Debian: apt-get install chromium) or set BREAKGLASS_CHROMIUM, or export Markdown/HTML.`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, log });
    });
  });
}

/**
 * Writes reports into one folder (`<data dir>/reports` by default): private to the user (the
 * report quotes evidence), never overwriting an earlier export (`name-2.md`, `name-3.md`…).
 */
export function directorySaver(dir: string): ReportSaver {
  return {
    async save(fileName: string, content: Buffer): Promise<string> {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const ext = path.extname(fileName);
      const stem = path.basename(fileName, ext);
      for (let n = 1; n < 10_000; n++) {
        const file = path.join(dir, n === 1 ? `${stem}${ext}` : `${stem}-${n}${ext}`);
        try {
          await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' });
          return file;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
            throw new BreakGlassError('refused', `Could not save the report in ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
          }
        }
      }
      throw new BreakGlassError('refused', `Could not save the report in ${dir}: too many reports named ${fileName}.`);
    },
  };
}

/** Writes a report to exactly `file` (the CLI's `--out`), private to the user. */
export async function writeReportFile(file: string, content: Buffer): Promise<string> {
  const target = path.resolve(file);
  try {
    await fs.writeFile(target, content, { mode: 0o600 });
  } catch (e) {
    throw new BreakGlassError('invalid-input', `Cannot write the report to ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { field: 'out' });
  }
  return target;
}
