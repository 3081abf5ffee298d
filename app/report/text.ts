/** Small wordings the report builder and the document walk share (app/report/build.ts, document.ts). */

/** A review outcome as the report writes it. */
export const OUTCOME_TEXT: Record<string, string> = {
  justified: 'justified',
  'justified-with-findings': 'justified with findings',
  'not-justified': 'not justified',
};

/** A UTC instant as `YYYY-MM-DD HH:MM:SS` (reports state UTC in their headers). */
export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The UTC day of an instant, `YYYY-MM-DD` (report periods are whole UTC days). */
export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** How much of each action's output a report shows; the rest stays in the record it names. */
export const REPORT_OUTPUT_LINES = 200;
