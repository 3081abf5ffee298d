// Secret detection and redaction for everything that reaches the evidence ledger (issue 13;
// procedure.md §7: "Secrets are redacted before anything is written … with a maintained
// ruleset"). The ledger is append-only and pushed to a shared remote, so a secret that slips
// through cannot be taken back; the record keeps only how many redactions of which kinds.
//
// Detection = gitleaks' published rules (gitleaksRules.generated.ts, pinned; update with
// tools/gitleaks/generate.ts) + our contextual rules: whole key blocks and provider prefixes
// (tokens.ts), base64-wrapped credentials (encoded.ts), command-line flags (commandLines.ts),
// tables and markup (structured.ts), values by key name (assignments.ts). Terminal escape
// codes are ignored while matching (ansi.ts). Pure TypeScript: runs in Node and in Chromium.
export type { RedactionKinds, RedactionResult } from './types';
export { redactText } from './text';
export { redactDeep } from './deep';
export { redactArgv } from './argv';
export { redactionsOf } from './counts';
export { createStreamRedactor, type StreamRedactor } from './streaming';
export { GITLEAKS_VERSION } from './gitleaks';
