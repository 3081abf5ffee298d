import type { ReportModel } from './model';
import { writeReport, type Part, type Writer } from './document';

// The report as one self-contained HTML document (issue 7), which main/report.ts prints to PDF:
// document.ts walks the model; this fills the walk in HTML, escaping every piece of evidence text.

function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function htmlPart(p: Part): string {
  if (typeof p === 'string') return htmlEscape(p);
  if ('code' in p) return `<code>${htmlEscape(p.code)}</code>`;
  return `<strong>${htmlEscape(p.strong)}</strong>`;
}

// Print first (A4, page breaks between sessions, fixed table layout so wide ids wrap instead of
// overflowing the page); the same file reads well on screen. Inline <style> is fine here: this
// file is exported and printed, never loaded under the app's CSP.
const REPORT_CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #111; margin: 0 auto; max-width: 200mm; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 8pt; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; border-bottom: 1.5pt solid #222; padding-bottom: 2pt; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; }
h4 { font-size: 10pt; margin: 8pt 0 2pt; }
h2, h3, h4 { break-after: avoid; }
p, ul { margin: 0 0 6pt; }
ul { padding-left: 14pt; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8pt; }
code { overflow-wrap: anywhere; word-break: break-all; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; border: 0.5pt solid #ccc; padding: 4pt 6pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0 0 8pt; font-size: 8.5pt; }
th, td { border: 0.5pt solid #999; padding: 2pt 3pt; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e8e8e8; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
table.summary { width: 60%; }
section.session { break-before: page; }
strong { font-weight: 700; }
@media screen { body { padding: 16px; } }
`;

/** Renders the model as one self-contained HTML document (no script, no external resource). */
export function renderHtml(m: ReportModel): string {
  const out: string[] = [];
  const w: Writer = {
    h: (level, text, id) => out.push(`<h${level}${id ? ` id="${htmlEscape(id)}"` : ''}>${htmlEscape(text)}</h${level}>`),
    p: (text) => out.push(`<p>${htmlEscape(text)}</p>`),
    rich: (parts) => out.push(`<p>${parts.map(htmlPart).join('')}</p>`),
    list: (items) => out.push(`<ul>${items.map((i) => `<li>${htmlEscape(i)}</li>`).join('')}</ul>`),
    richList: (items) => out.push(`<ul>${items.map((parts) => `<li>${parts.map(htmlPart).join('')}</li>`).join('')}</ul>`),
    table: (head, rows, widths, className) => {
      const cols = widths ? `<colgroup>${widths.map((x) => `<col style="width:${x}%">`).join('')}</colgroup>` : '';
      out.push(`<table${className ? ` class="${className}"` : ''}>${cols}<thead><tr>${head.map((h) => `<th scope="col">${htmlEscape(h)}</th>`).join('')}</tr></thead><tbody>`);
      for (const r of rows) out.push(`<tr>${r.map((c) => `<td>${htmlPart(c)}</td>`).join('')}</tr>`);
      out.push('</tbody></table>');
    },
    code: (text) => out.push(`<pre>${htmlEscape(text.replace(/\n$/, ''))}</pre>`),
    sessionStart: () => out.push('<section class="session">'),
    sessionEnd: () => out.push('</section>'),
  };
  writeReport(m, w);
  // The CSP keeps the exported file inert wherever it is opened: no script, no request, only its own styles.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(m.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${out.join('\n')}
</body>
</html>
`;
}
