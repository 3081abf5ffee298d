import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BreakGlassError } from '../../app/errors';
import { runToExit } from '../process/runToExit';
import { findChromium } from './chromium';

/**
 * Turns the report's HTML into a PDF (issue 7: "Electron prints the same HTML the app renders").
 * The CLI and the browser test host use Chromium headless; the app uses Electron's printToPDF.
 */
export interface PdfPrinter {
  print(html: string): Promise<Buffer>;
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
        const { code, log } = await runToExit(binary, args, env, timeoutMs).catch((e: NodeJS.ErrnoException) => {
          throw new BreakGlassError('refused', `Could not start Chromium (${binary}): ${e.code ?? e.message}. Install it (Debian: apt-get install chromium) or set BREAKGLASS_CHROMIUM, or export Markdown/HTML.`);
        });
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
