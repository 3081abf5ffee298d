import type { ReportModel } from './model';
import { writeReport, type Part, type Writer } from './document';

// The report as Markdown (issue 7): document.ts walks the model; this fills the walk in Markdown
// syntax, escaping every piece of evidence text so it stays text.

function mdEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/[|*_[\]`]/g, (c) => `\\${c}`).replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

function mdCode(s: string): string {
  // A code span's fence is longer than any run of backticks inside it; pipes still end a table cell.
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const body = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  return `${fence}${body.startsWith('`') || body.endsWith('`') ? ` ${body} ` : body}${fence}`;
}

function mdPart(p: Part): string {
  if (typeof p === 'string') return mdEscape(p);
  if ('code' in p) return mdCode(p.code);
  return `**${mdEscape(p.strong)}**`;
}

/** Renders the model as Markdown. */
export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [];
  const w: Writer = {
    h: (level, text) => out.push(`${'#'.repeat(level)} ${mdEscape(text)}`, ''),
    p: (text) => out.push(mdEscape(text), ''),
    rich: (parts) => out.push(parts.map(mdPart).join(''), ''),
    list: (items) => out.push(...items.map((i) => `- ${mdEscape(i)}`), ''),
    richList: (items) => out.push(...items.map((parts) => `- ${parts.map(mdPart).join('')}`), ''),
    table: (head, rows) => {
      out.push(`| ${head.map(mdEscape).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
      for (const r of rows) out.push(`| ${r.map(mdPart).join(' | ')} |`);
      out.push('');
    },
    code: (text) => {
      const fence = '`'.repeat(Math.max(3, ...(text.match(/`{3,}/g) ?? []).map((r) => r.length + 1)));
      out.push(fence, text.replace(/\n$/, ''), fence, '');
    },
    sessionStart: () => {},
    sessionEnd: () => {},
  };
  writeReport(m, w);
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
