import type { ReportModel } from './model';
import { writeReport, type Part, type Writer } from './document';

// The report as Markdown (issue 7): document.ts walks the model; this fills the walk in Markdown
// syntax, escaping every piece of evidence text so it stays text.

// Evidence text must stay text in every CommonMark/GFM renderer (marked, commonmark.js,
// markdown-it, GitHub; issue 12 item 11) and stay readable as plain Markdown. So: backslash-escape
// what starts inline markup anywhere in a line (escape, code, emphasis, strikethrough, links,
// table cells), write `&`, `<` and `>` as entities (no HTML, no entity, no autolink can start),
// and escape the first character when it would start a block (heading, quote, list, rule).
function mdEscape(s: string): string {
  const inline = s
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_~[\]|]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    // GFM renderers turn bare URLs, www. names and e-mail addresses into links: break each trigger.
    .replace(/([A-Za-z][A-Za-z0-9+.-]*):(?=\/\/)/g, '$1\\:').replace(/\b(www)\./gi, '$1\\.').replace(/@/g, '\\@');
  const block = /^(\s*)(#{1,6}(?=\s|$)|[-+](?=\s|$)|-{3,}|=+(?=\s*$)|\d{1,9}(?=[.)](?:\s|$)))/;
  return inline.replace(block, (_m, space: string, lead: string) => (/^\d/.test(lead) ? `${space}${lead}\\` : `${space}\\${lead}`));
}

function mdCode(s: string): string {
  const body = s.replace(/\r?\n/g, ' ');
  // A code span keeps everything literal except what ends it: a backtick run of its own length,
  // and, in a table, a pipe (GFM splits cells before it parses spans, and renderers disagree on
  // whether `\|` after a backslash is escaped). Text with either is written as escaped text.
  if (/[`|]/.test(body) || body.trim() === '') return mdEscape(s);
  return `\`${body}\``;
}

function mdPart(p: Part): string {
  if (typeof p === 'string') return mdEscape(p);
  if ('code' in p) return mdCode(p.code);
  // Emphasis only closes on a non-space: blanks at either end go outside the markers.
  const [, lead, inner, trail] = /^(\s*)(.*?)(\s*)$/s.exec(p.strong)!;
  return inner === '' ? p.strong : `${lead}**${mdEscape(inner!)}**${trail}`;
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
