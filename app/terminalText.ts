/**
 * Makes text safe to print on a person's terminal: every control character except tab and
 * newline (ESC, CSI, OSC, BEL, NUL, CR, DEL, C1), every bidirectional override and every lone
 * surrogate is shown as a visible escape (`\x1b`, `\u202e`), so nothing the evidence holds can
 * move the cursor, retitle the window, hide text or open a hyperlink.
 */
export function escapeForTerminal(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\n' || ch === '\t') out += ch;
    else if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xd800 && cp <= 0xdfff)) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}
