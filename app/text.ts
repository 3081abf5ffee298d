import { z } from 'zod';

/**
 * Text that people type into evidence, and text the CLI prints back to them (issue 12, items 12
 * and 13). Evidence is read years later in terminals, Markdown renderers and PDF viewers: a
 * control sequence inside a name or an incident id can retitle a terminal, clear the screen,
 * hide text or forge a hyperlink, and a NUL or a lone UTF-16 surrogate breaks every tool that
 * reads the record after it. So input schemas refuse them, and output escapes what older records
 * or command output may still carry.
 */

// C0 controls except tab (09), newline (0A) and carriage return (0D); DEL; C1 (80–9F, incl. CSI 9B).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
// In a single-line value (a name, an id, an address) no control character at all is allowed.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_LINE = /[\u0000-\u001F\u007F-\u009F]/u;
// Bidirectional overrides and isolates can make a line read differently from what it holds.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
// With the u flag a surrogate pair is one code point, so this matches only a lone surrogate.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `value` may not be stored as a single-line value (a name, an identifier), or null. */
export function whyNotSafeLine(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'contains an invalid character (a lone UTF-16 surrogate): retype it.';
  if (CONTROL_IN_LINE.test(value)) return 'contains a control character (a line break, tab, escape or other invisible code): remove it.';
  if (BIDI_CONTROL.test(value)) return 'contains a bidirectional-override character that changes how the text reads: remove it.';
  return null;
}

/** Why `value` may not be stored as free text (tabs and line breaks allowed), or null. */
export function whyNotSafeText(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'contains an invalid character (a lone UTF-16 surrogate): retype it.';
  if (CONTROL_IN_TEXT.test(value)) return 'contains a control character (an escape, NUL or other invisible code): remove it.';
  if (BIDI_CONTROL.test(value)) return 'contains a bidirectional-override character that changes how the text reads: remove it.';
  return null;
}

/** Length messages of a text field, by default naming `what` and the limit. */
interface LengthMessages {
  min?: number;
  minMessage?: string;
  maxMessage?: string;
}

/**
 * A zod string that `whyNot` checks (null: acceptable), then trimmed and held to its length, with
 * `what` named in every message. The check runs before the length rules so a refused character
 * is what the person hears about first.
 */
function checkedString(what: string, max: number, whyNot: (s: string) => string | null, options: LengthMessages) {
  return z.string({ error: `${what} is required.` })
    .superRefine((s, ctx) => {
      const why = whyNot(s);
      if (why) ctx.addIssue({ code: 'custom', message: `${what} ${why}`, abort: true });
    })
    .trim()
    .min(options.min ?? 1, options.minMessage ?? `${what} is required.`)
    .max(max, options.maxMessage ?? `${what} is longer than ${max} characters.`);
}

/** A zod string for a single-line value, trimmed, with `what` named in every message. */
export function lineSchema(what: string, max: number, options: { min?: number } = {}) {
  return checkedString(what, max, whyNotSafeLine, options);
}

/** A zod string for free text (tabs and line breaks allowed), trimmed, with `what` named in every message. */
export function textSchema(what: string, max: number, options: LengthMessages = {}) {
  return checkedString(what, max, whyNotSafeText, options);
}

// Printing text back safely lives in terminalText.ts (no zod: the CLI's help path loads it, issue 18).
export { escapeForTerminal } from './terminalText';
