// Kept as a thin re-export while app/report.ts and the renderer still import it (issue 13
// moved redaction to app/redaction/).
export * from './redaction';
