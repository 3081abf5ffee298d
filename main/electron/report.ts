// Report export glue for the app (issue 7): Electron prints the report's HTML to PDF, and the save
// dialog chooses where a report goes. Thin by design: the report itself is built and tested in
// app/report.ts and main/report/; the CLI and the browser test host print through Chromium.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindow as BrowserWindowType, Dialog, FileFilter, Session } from 'electron';
import type { PdfPrinter } from '../report/pdf';
import type { ReportSaver } from '../report/save';

/**
 * Prints in a hidden window of its own in-memory session, JavaScript off and sandboxed, loading
 * the report from a private temporary file (a data: URL would cap the report's size). The
 * session's only allowed request is that file (checklist 13: limit navigation).
 */
export function electronPdfPrinter(BrowserWindow: typeof BrowserWindowType, printSession: Session): PdfPrinter {
  return {
    async print(html: string): Promise<Buffer> {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'breakglass-print-'));
      const file = path.join(dir, 'report.html');
      const url = pathToFileURL(file).href;
      await fs.writeFile(file, html, { mode: 0o600 });
      printSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: details.url !== url }));
      const win = new BrowserWindow({
        show: false,
        webPreferences: {
          session: printSession,
          javascript: false, // the report has no script; nothing in it may run
          contextIsolation: true, // checklist 3
          sandbox: true, // checklist 4
          nodeIntegration: false, // checklist 2
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true, // checklist 6
          allowRunningInsecureContent: false, // checklist 8
          experimentalFeatures: false, // checklist 9
          webviewTag: false, // checklist 11
          disableBlinkFeatures: 'Auxclick', // checklist 13/14: middle-click must not open anything
          navigateOnDragDrop: false,
          spellcheck: false,
        },
      });
      try {
        await win.loadURL(url);
        return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: false });
      } finally {
        win.destroy();
        await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
      }
    },
  };
}

/** Asks where to save with the suggested file name; resolves null when the operator cancels. */
export function dialogReportSaver(dialog: Pick<Dialog, 'showSaveDialog'>, parent: () => BrowserWindowType | null, defaultDir: () => string): ReportSaver {
  const FILTERS: Record<Parameters<ReportSaver['save']>[2], FileFilter> = { 'text/markdown': { name: 'Markdown', extensions: ['md'] }, 'text/html': { name: 'HTML', extensions: ['html'] }, 'application/pdf': { name: 'PDF', extensions: ['pdf'] } };
  return {
    async save(fileName, content, mediaType): Promise<string | null> {
      const options = { title: 'Save the audit report', defaultPath: path.join(defaultDir(), fileName), filters: [FILTERS[mediaType]] };
      const window = parent();
      const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return null;
      await fs.writeFile(choice.filePath, content, { mode: 0o600 });
      return choice.filePath;
    },
  };
}
