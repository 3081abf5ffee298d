import type { ReportScope } from '../contract';

/** The report's file name: `breakglass-report-<session>` or `breakglass-report-<from>_<to>[-<env>]`. */
export function reportFileName(scope: ReportScope, format: 'md' | 'html' | 'pdf'): string {
  const stem = scope.sessionId ? scope.sessionId : `${scope.from}_${scope.to}${scope.environment ? `-${scope.environment.replace(/[^A-Za-z0-9-]/g, '_')}` : ''}`;
  return `breakglass-report-${stem}.${format}`;
}

/** The media type of each format. */
export const REPORT_MEDIA_TYPES = { md: 'text/markdown', html: 'text/html', pdf: 'application/pdf' } as const;
