import { describe, expect, it } from 'vitest';
import { GITLEAKS_VERSION, redactText } from '../../app/redaction';
import { shannonEntropy } from '../../app/redaction/gitleaks';
import { GITLEAKS_RULES } from '../../app/redaction/gitleaksRules.generated';
import { startsWithKeyword } from '../../tools/gitleaks/anchor';
import { re2ToJs } from '../../tools/gitleaks/re2ToJs';
import { Rng } from '../support/redactionCorpus';

describe('re2ToJs: gitleaks patterns in JavaScript', () => {
  it.each([
    ['(?i)abc', '[aA][bB][cC]'],
    ['(?i)a(?-i:Bc)d', '[aA](?:Bc)[dD]'],
    ['(?i)[a-f0-9]{4}', '[0-9A-Fa-f]{4}'],
    ['x(?i:y)z', 'x(?:[yY])z'],
    ['(?s:.)', '(?:[\\s\\S])'],
    ['a.b', 'a[^\\n]b'],
    ['ab\\z', 'ab$'],
    ['(?P<name>a)|(b)', '(a)|(b)'],
    ['[[:alnum:]]', '[0-9A-Za-z]'],
    ['[\\w.-]{0,20}\\x60', '[\\w\\--.]{0,20}`'],
    ['\\{\\{ x }}', '\\{\\{ x \\}\\}'],
  ])('%s → %s', (re2, js) => {
    expect(re2ToJs(re2).source).toBe(js);
  });

  it('counts capture groups (the secret is the first non-empty one)', () => {
    expect(re2ToJs('(?:a)(b)(?P<c>c)').groups).toBe(2);
  });

  it('refuses what it cannot translate faithfully', () => {
    expect(() => re2ToJs('\\pL+')).toThrow(/cannot translate/);
    expect(() => re2ToJs('(?m)^a')).toThrow(/flag m/);
    expect(() => re2ToJs('(a')).toThrow(/missing \)/);
  });

  it('breaks long literal runs so the repository holds no token-shaped string', () => {
    const t = re2ToJs('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(t.source).not.toMatch(/[A-Za-z0-9_]{16}/);
    expect(new RegExp(t.source).test('ABCDEFGHIJKLMNOPQRSTUVWXYZ')).toBe(true);
  });
});

describe('startsWithKeyword: which rules may be tried only at a keyword', () => {
  it.each([
    ['(?i)(?:adafruit)(?:[ \\t\\w.-]{0,20})=', ['adafruit'], true],
    ['(?i)(?:access|auth|(?-i:[Aa]pi|API)|passw(?:or)?d)x', ['access', 'auth', 'api', 'passwd', 'password'], true],
    ['(?i:(?:(?-i:[Mm]eraki|MERAKI))(?:[ \\t\\w.-]{0,20}))', ['meraki'], true],
    ['(?i)(?:linked[_-]?in)x', ['linkedin', 'linked_in', 'linked-in'], true],
    ['(?i)(?:mailchimp)x', ['mailchimp'], true],
    ['(?i)(?:lob)(?:[ \\t\\w.-]{0,20})((live|test)_[a-f0-9]{35})', ['test_', 'live_'], false],
    ['(?i)(?:MailchimpSDK.initialize|mailchimp)x', ['mailchimp'], false],
    ['ghp_[0-9a-zA-Z]{36}', ['ghp_'], false],
  ] as const)('%s', (re2, keywords, expected) => {
    expect(startsWithKeyword(re2, keywords)).toBe(expected);
  });
});

describe('the pinned gitleaks ruleset', () => {
  it(`is gitleaks ${GITLEAKS_VERSION}, over 200 rules, each compiling and keyword-gated`, () => {
    expect(GITLEAKS_VERSION).toBe('v8.30.1');
    expect(GITLEAKS_RULES.length).toBeGreaterThan(200);
    for (const r of GITLEAKS_RULES) {
      expect(() => new RegExp(r.source, 'gd'), r.id).not.toThrow();
      expect(r.keywords.length, r.id).toBeGreaterThan(0);
    }
    expect(GITLEAKS_RULES.filter((r) => r.anchored === true).length).toBeGreaterThan(80);
  });

  it('names secrets by their gitleaks rule', () => {
    const r = new Rng(3);
    const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const hex = '0123456789abcdef';
    expect(redactText(`SG.${r.of(alnum, 22)}.${r.of(alnum, 43)}`).kinds).toEqual({ 'sendgrid-api-token': 1 });
    expect(redactText(`dop_v1_${r.of(hex, 64)}`).kinds).toEqual({ 'digitalocean-pat': 1 });
    expect(redactText(`adafruit_key = "${r.of(alnum.toLowerCase(), 32)}"`).kinds).toEqual({ 'adafruit-api-key': 1 });
    expect(redactText(`export ASANA_CLIENT_SECRET=${r.of('abcdefghijklmnopqrstuvwxyz0123456789', 32)}`).kinds).toEqual({ 'asana-client-secret': 1 });
  });

  it('applies gitleaks allowlists and entropy to its generic rule', () => {
    // The generic rule would take these; its own allowlists say they are identifiers.
    for (const text of ['"access_id": "aB3dE5fG7hJ9kL1mN3"', 'api_version=2024-10-01.preview-2', 'auth_mechanism = SCRAM-SHA-256']) {
      expect(redactText(text)).toEqual({ text, count: 0, kinds: {} });
    }
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('ab')).toBe(1);
    expect(shannonEntropy('ü€')).toBe(1);
  });
});
