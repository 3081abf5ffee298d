import type { RedactionResult, StreamRedactor } from '../../app/recording/model';

/**
 * TEST DOUBLE for issue 13's stream redactor (app/redaction implements the real one): a small but
 * real stream redactor for one known shape, `SECRET-` followed by 12 of [A-Z0-9]. It carries a
 * bounded tail (one secret's length less one) between pushes, as the real one must, so a secret
 * split across two pushes — or two recording chunks — is still replaced.
 */
export const TEST_SECRET_PATTERN = /SECRET-[A-Z0-9]{12}/g;
const HOLD = 'SECRET-'.length + 12 - 1;

/** A fresh test-double redactor. */
export function testDoubleRedactor(): StreamRedactor & { pushes: number } {
  let carry = '';
  const run = (text: string, final: boolean): RedactionResult => {
    const cut = final ? text.length : Math.max(0, text.length - HOLD);
    const re = new RegExp(TEST_SECRET_PATTERN.source, 'g');
    let out = '';
    let pos = 0;
    let count = 0;
    let emitTo = cut;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const end = m.index + m[0].length;
      if (!final && end > cut) {
        emitTo = Math.min(cut, m.index);
        break;
      }
      out += `${text.slice(pos, m.index)}[REDACTED:test-secret]`;
      pos = end;
      count++;
    }
    emitTo = Math.max(pos, emitTo);
    out += text.slice(pos, emitTo);
    carry = text.slice(emitTo);
    return { text: out, count, kinds: count > 0 ? { 'test-secret': count } : ({} as Record<string, number>) };
  };
  const redactor = {
    pushes: 0,
    push(chunk: string) {
      redactor.pushes++;
      return run(carry + chunk, false);
    },
    flush() {
      return run(carry, true);
    },
  };
  return redactor;
}

/** A secret of the test double's shape, made at run time (no secret-shaped literal in the repository). */
export function testSecret(seed = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let x = seed >>> 0 || 7;
  let s = '';
  for (let i = 0; i < 12; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += alphabet[x % alphabet.length];
  }
  return `SECRET-${s}`;
}

/** The test double named by module, for a recorder running in a worker (main/process/recorderHost.ts). */
export const TEST_DOUBLE_REDACTOR_MODULE = { module: new URL('./testDoubleRedactor.ts', import.meta.url).href, factory: 'testDoubleRedactor' };
