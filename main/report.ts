import { CONTROLS, type ControlId } from '../app/controls';
import type { ExportedReport } from '../app/contract';
import { foldSession, stateAt } from '../app/lifecycle';
import { TRIGGERS } from '../app/policy';
import type { LedgerView } from '../app/ports';
import { BreakGlassError } from '../app/errors';
import type { VerifyReport } from './verify';
import { summarise } from '../app/summary';

/**
 * A one-session audit report in Markdown (procedure.md §10): the timeline with every evidence
 * commit, the chain verification result, and the control mapping. Periods and PDF arrive with issue 7.
 */
export function sessionReportMarkdown(view: LedgerView, sessionId: string, verify: VerifyReport, format: 'md' | 'html', nowMs: number): Omit<ExportedReport, 'savedTo' | 'bytes'> & { text: string } {
  const entries = view.sessions.get(sessionId);
  if (!entries) throw new BreakGlassError('invalid-input', `No session ${sessionId} in this evidence repository.`, { field: 'sessionId' });
  const facts = foldSession(entries.map((e) => e.record));
  const state = stateAt(facts, nowMs);
  const d = facts.declaration;
  const problems = verify.problems.filter((p) => p.sessionId === sessionId);
  const byControl = new Map<ControlId, string[]>();
  for (const e of entries) for (const c of e.record.controls) byControl.set(c, [...(byControl.get(c) ?? []), `#${e.record.seq} ${e.record.type} (${e.commit.slice(0, 12)})`]);
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# Break-glass session ${sessionId}`,
    '',
    `- Incident: ${d.incidentId}`,
    `- Trigger: ${TRIGGERS[d.trigger]} (\`${d.trigger}\`)`,
    `- Environment and scopes: ${d.environment} — ${d.scopes.join(', ')}`,
    `- Operator: ${facts.operator.name} <${facts.operator.email}> on ${facts.host.name}`,
    `- Declared ${facts.declaredAt}, expiry ${facts.expiresAt}; state now: ${state.phase}`,
    `- Chain verification: ${problems.length === 0 ? 'verified, no problems' : `${problems.length} problem(s)`}`,
    '',
    '## Timeline',
    '',
    '| # | time (UTC) | type | actor | summary | evidence commit |',
    '|---|---|---|---|---|---|',
    ...entries.map((e) => `| ${e.record.seq} | ${e.record.at} | ${e.record.type} | ${esc(e.record.actor.name)} | ${esc(summarise(e.record))} | \`${e.commit}\` |`),
    '',
    '## Control mapping',
    '',
    '| control | evidence |',
    '|---|---|',
    ...[...byControl].map(([c, ev]) => `| ${c} — ${CONTROLS[c]} | ${ev.join(', ')} |`),
    '',
    '## Verification problems',
    '',
    ...(problems.length ? problems.map((p) => `- ${p.seq === null ? '' : `#${p.seq} `}${p.message}`) : ['None.']),
    '',
    '## Checking this report independently',
    '',
    `Clone the evidence repository and run \`breakglass verify --repo <clone>\`; the commits above are on branch \`${view.branch}\` up to \`${view.head ?? ''}\`.`,
    '',
  ];
  const text = lines.join('\n');
  if (format === 'md') return { fileName: `breakglass-${sessionId}.md`, mediaType: 'text/markdown', text };
  const html = `<!doctype html><meta charset="utf-8"><title>Break-glass session ${sessionId}</title><pre>${text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)}</pre>`;
  return { fileName: `breakglass-${sessionId}.html`, mediaType: 'text/html', text: html };
}
