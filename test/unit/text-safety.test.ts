import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { declarationSchemaFor, declarationTemplate } from '../../app/declaration';
import { DEFAULT_POLICY, PolicySchema } from '../../app/policy';
import { ClosureSchema, ReviewSchema } from '../../app/records';
import { samePerson, personKey, whyNotNamedHuman } from '../../app/identity';
import { assertLegal, foldSession, stateAt } from '../../app/lifecycle';
import { escapeForTerminal, whyNotSafeLine, whyNotSafeText } from '../../app/text';
import { problemsFromZod } from '../../app/zodIssues';
import { ChainBuilder } from '../support/records';

/**
 * Issue 12: control characters, NULs and lone surrogates are refused where people type evidence
 * (items 12, 13), one normalisation of a person for every identity rule (item 8), and upper
 * bounds on the policy's numbers (item 9).
 */

const schema = declarationSchemaFor(DEFAULT_POLICY);
const sample = (overrides: Record<string, unknown> = {}) => ({ ...structuredClone(declarationTemplate(DEFAULT_POLICY)), ...overrides });
const problemsOf = (input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? [] : problemsFromZod(r.error);
};

const ESC = '\u001b';
const SEQUENCES = {
  'an OSC window title': `${ESC}]0;pwned${ESC}\\`,
  'a clear screen': `${ESC}[2J`,
  'an OSC 8 hyperlink': `${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`,
  'a conceal SGR': `${ESC}[8m`,
  'a C1 CSI': '\u009b2J',
  'a BEL': '\u0007',
  'a NUL': '\u0000',
  'a DEL': '\u007f',
  'a right-to-left override': '\u202e',
};

describe('single-line values refuse every control character, naming the field', () => {
  for (const [what, seq] of Object.entries(SEQUENCES)) {
    it(`refuses ${what} in the incident ID, the operator's name and the environment`, () => {
      for (const [field, input] of [
        ['incidentId', sample({ incidentId: `https://alerts.example.com/a/1${seq}` })],
        ['operator.name', sample({ operator: { name: `Ada ${seq}Lovelace`, email: 'ada@example.com' } })],
        ['environment', sample({ environment: `production${seq}` })],
      ] as const) {
        const found = problemsOf(input);
        expect(found.map((p) => p.path), `${what} in ${field}`).toContain(field);
        // The message names the field and never echoes the value back.
        const message = found.find((p) => p.path === field)!.message;
        expect(message).not.toContain(seq);
      }
    });
  }
  it('refuses a tab or a line break in a name but accepts them in free text', () => {
    expect(whyNotSafeLine('Ada\tLovelace')).not.toBeNull();
    expect(whyNotSafeText('line one\n\tline two')).toBeNull();
  });
});

describe('free text refuses NUL, escapes and lone surrogates (issue 12 item 13)', () => {
  it('refuses a NUL in the justification at the schema, naming the field', () => {
    const found = problemsOf(sample({ justification: `${declarationTemplate(DEFAULT_POLICY).justification}\u0000` }));
    expect(found.map((p) => p.path)).toEqual(['justification']);
    expect(found[0]!.message).toMatch(/^The justification contains a control character/);
  });
  it('refuses a lone UTF-16 surrogate with a message that names the field (not "Unexpected failure")', () => {
    const found = problemsOf(sample({ materialRisk: 'Customer API degraded \ud800 badly' }));
    expect(found.map((p) => p.path)).toEqual(['materialRisk']);
    expect(found[0]!.message).toMatch(/^The material risk contains an invalid character/);
  });
  it('accepts a well-formed surrogate pair (an emoji) and non-Latin scripts', () => {
    expect(problemsOf(sample({ materialRisk: 'Checkout down 🔥 — 顧客に影響 — Kunden betroffen' }))).toEqual([]);
  });
  it('refuses control characters in the closure and the review, by field', () => {
    const closure = ClosureSchema.safeParse({
      summary: `ok${ESC}[2J`, reversalSteps: ['fine'], controlsRestored: { signingKeys: 'yes', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' },
      followUps: [{ action: 'rotate', owner: `Grace${ESC}]0;x${ESC}\\` }],
    });
    expect(closure.success).toBe(false);
    expect(problemsFromZod(closure.error!).map((p) => p.path).sort()).toEqual(['followUps[0].owner', 'summary']);
    const review = ReviewSchema.safeParse({ reviewer: { name: 'Grace Hopper', email: 'grace@example.com' }, outcome: 'not-justified', drill: false, findings: 'bad\u0000' });
    expect(review.success).toBe(false);
    expect(problemsFromZod(review.error!).map((p) => p.path)).toEqual(['findings']);
  });
});

describe('escapeForTerminal: nothing printed for a person can drive their terminal', () => {
  it('shows every escape sequence as visible text and keeps tabs and newlines', () => {
    expect(escapeForTerminal(`a${ESC}]0;t${ESC}\\b\tc\nd\u009b\u202e\u0000`)).toBe('a\\x1b]0;t\\x1b\\b\tc\nd\\x9b\\u202e\\x00');
  });
  it('leaves no control character but tab and newline, for any input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = escapeForTerminal(s);
      // eslint-disable-next-line no-control-regex -- the property is about control characters
      expect(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.test(out)).toBe(false);
      expect(/[\ud800-\udfff]/u.test(out)).toBe(false);
    }), { numRuns: 500 });
  });
  it('leaves ordinary text unchanged', () => {
    fc.assert(fc.property(fc.string().filter((s) => whyNotSafeText(s) === null && !s.includes('\r')), (s) => {
      expect(escapeForTerminal(s)).toBe(s);
    }));
  });
});

describe('one normalisation of a person (issue 12 item 8)', () => {
  const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
  it('treats a sub-address and a reversed name as the same person', () => {
    expect(samePerson(ada, { name: 'Lovelace, Ada', email: 'ada+review@example.com' })).toBe(true);
    expect(samePerson(ada, { name: 'Lovelace, Ada', email: 'countess@example.org' })).toBe(true);
    expect(samePerson(ada, { name: 'Someone Else', email: 'ADA+x@Example.com' })).toBe(true);
    expect(samePerson(ada, { name: 'Grace Hopper', email: 'grace@example.com' })).toBe(false);
    expect(personKey({ name: 'Lovelace,  Ada', email: 'Ada+Review@Example.COM' })).toEqual({ name: 'ada lovelace', email: 'ada@example.com' });
  });
  it('refuses "Lovelace, Ada <ada+review@example.com>" as the reviewer of Ada\'s session', () => {
    const T0 = Date.parse('2026-11-28T09:48:26.000Z');
    const closed = stateAt(foldSession(new ChainBuilder().declared().closed().records()), T0 + 40 * 60_000);
    expect(() => assertLegal(closed, { kind: 'review', reviewer: { name: 'Lovelace, Ada', email: 'ada+review@example.com' } }, DEFAULT_POLICY)).toThrow(/operated session/);
  });
  it('uses the same normalisation for the shared-identity rule (policy names in any word order)', () => {
    expect(whyNotNamedHuman({ name: 'Shift Night', email: 'n@example.com' }, ['Night Shift'])).toMatch(/shared or anonymous/);
    expect(whyNotNamedHuman({ name: 'Grace Hopper', email: 'Admin+prod@example.com' })).toMatch(/shared mailbox/);
  });
});

describe('the policy\'s numbers have upper bounds (issue 12 item 9, issue 15)', () => {
  const withChange = (path: string[], value: unknown) => {
    const p = structuredClone(DEFAULT_POLICY) as unknown as Record<string, Record<string, unknown>>;
    if (path.length === 1) (p as Record<string, unknown>)[path[0]!] = value;
    else p[path[0]!]![path[1]!] = value;
    const r = PolicySchema.safeParse(p);
    return r.success ? [] : problemsFromZod(r.error).map((x) => x.path);
  };
  it('refuses a year-long extension, a year-long total and a huge duration', () => {
    expect(withChange(['extension', 'stepMinutes'], 525_600)).toContain('extension.stepMinutes');
    expect(withChange(['extension', 'maxTotalMinutes'], 525_600)).toContain('extension.maxTotalMinutes');
    expect(withChange(['extension', 'maxCount'], 1_000)).toContain('extension.maxCount');
    expect(withChange(['duration', 'defaultMinutes'], 40_000)).toContain('duration.defaultMinutes');
    expect(withChange(['warningMinutes'], [525_600])).toContain('warningMinutes[0]');
    expect(withChange(['justificationMinLength'], 9_000)).toContain('justificationMinLength');
  });
  it('accepts the longest session the bounds allow: a day, extended to a week', () => {
    expect(withChange(['extension', 'maxTotalMinutes'], 7 * 24 * 60)).toEqual([]);
  });
  it('caps a declaration at one day even under a policy object built by hand', () => {
    const loose = { ...DEFAULT_POLICY, duration: { defaultMinutes: 30, maxMinutes: 100_000 } };
    const r = declarationSchemaFor(loose).safeParse(sample({ durationMinutes: 40_000 }));
    expect(r.success).toBe(false);
    expect(problemsFromZod(r.error!).map((p) => p.path)).toContain('durationMinutes');
  });
});
