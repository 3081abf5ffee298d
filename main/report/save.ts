import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BreakGlassError } from '../../app/errors';
import type { ExportedReport } from '../../app/contract';
import { writeOperatorFile } from '../host/privateFiles';

/**
 * Puts an exported report where the operator wants it: the app asks with a save dialog; the
 * default writes into `<data dir>/reports`. Resolves with the path, or null when the operator cancelled.
 */
export interface ReportSaver {
  save(fileName: string, content: Buffer, mediaType: ExportedReport['mediaType']): Promise<string | null>;
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

/**
 * Writes a report to exactly `file` (the CLI's `--out`, or the PDF's default name), private to the
 * user, never through a link and never over a file another user made (issue 12 item 14).
 */
export async function writeReportFile(file: string, content: Buffer): Promise<string> {
  return writeOperatorFile(file, content, 'out');
}
