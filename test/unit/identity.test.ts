import { describe, expect, it } from 'vitest';
import { formatPerson, PersonSchema, samePerson, whyNotNamedHuman } from '../../app/identity';
import { problemsFromZod } from '../../app/zodIssues';

// procedure.md §1: "root, admin, administrator, ops, operator, breakglass, shared, service, user, test
// and names the policy adds are refused as operator or reviewer."
const SHARED_NAMES = ['root', 'admin', 'administrator', 'ops', 'operator', 'breakglass', 'shared', 'service', 'user', 'test'];
const personal = 'ada.lovelace@example.com';

function personProblems(input: unknown) {
  const r = PersonSchema.safeParse(input);
  return r.success ? [] : problemsFromZod(r.error);
}

describe('whyNotNamedHuman', () => {
  it.each(['Ada Lovelace', 'Grace Hopper', 'José Núñez', 'Ada'])('accepts the named human %j', (name) => {
    expect(whyNotNamedHuman({ name, email: personal })).toBeNull();
  });

  it.each(SHARED_NAMES)('refuses the shared identity %j as a name', (name) => {
    const why = whyNotNamedHuman({ name, email: personal });
    expect(why).toContain(`"${name}"`);
    expect(why).toMatch(/named human/);
  });

  it.each(['ROOT', ' Admin ', 'Break-Glass', 'break glass', 'Break_Glass', 'Administrator'])(
    'refuses the spelling variant %j of a shared identity',
    (name) => {
      expect(whyNotNamedHuman({ name, email: personal })).toMatch(/shared or anonymous identity/);
    },
  );

  it.each(['anonymous', 'Nobody', 'unknown'])('refuses the anonymous identity %j (seed §3: no anonymity)', (name) => {
    expect(whyNotNamedHuman({ name, email: personal })).toMatch(/anonymous/);
  });

  it.each(SHARED_NAMES.map((n) => `${n}@example.com`))('refuses the shared mailbox %s even with a personal name', (email) => {
    const why = whyNotNamedHuman({ name: 'Ada Lovelace', email });
    expect(why).toContain(email);
    expect(why).toMatch(/personal e-mail address/);
  });

  it('refuses a shared mailbox whatever its case', () => {
    expect(whyNotNamedHuman({ name: 'Ada Lovelace', email: 'Ops@Example.com' })).toMatch(/shared mailbox/);
  });

  it('looks only at the local part of the address, not the domain', () => {
    expect(whyNotNamedHuman({ name: 'Ada Lovelace', email: 'ada@admin.example.com' })).toBeNull();
  });

  it('refuses the names the policy adds, in name or mailbox, in any spelling', () => {
    const extra = ['oncall', 'SRE Team'];
    expect(whyNotNamedHuman({ name: 'oncall', email: personal })).toBeNull();
    expect(whyNotNamedHuman({ name: 'OnCall', email: personal }, extra)).toMatch(/named human/);
    expect(whyNotNamedHuman({ name: 'sre-team', email: personal }, extra)).toMatch(/named human/);
    expect(whyNotNamedHuman({ name: 'Ada Lovelace', email: 'oncall@example.com' }, extra)).toMatch(/shared mailbox/);
  });

  it.each(['12345', '---', '42 7'])('refuses a name without letters (%j)', (name) => {
    expect(whyNotNamedHuman({ name, email: personal })).toMatch(/must contain letters/);
  });

  it.each(['A', 'AL', ' Al '])('refuses initials (%j) and asks for the full name', (name) => {
    expect(whyNotNamedHuman({ name, email: personal })).toMatch(/full name/);
  });
});

describe('samePerson', () => {
  const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };

  it('is true for the same e-mail in another case, with or without blanks', () => {
    expect(samePerson(ada, { name: 'A. Lovelace', email: ' ADA@Example.COM ' })).toBe(true);
  });

  it('is true for the same name under another address (segregation of duties cannot be dodged with a second mailbox)', () => {
    expect(samePerson(ada, { name: 'ada lovelace', email: 'ada.personal@example.org' })).toBe(true);
    expect(samePerson(ada, { name: 'Ada.Lovelace', email: 'countess@example.org' })).toBe(true);
  });

  it('is false for two different people', () => {
    expect(samePerson(ada, { name: 'Grace Hopper', email: 'grace@example.com' })).toBe(false);
  });

  it('is symmetric', () => {
    const other = { name: 'Grace Hopper', email: 'ADA@example.com' };
    expect(samePerson(ada, other)).toBe(samePerson(other, ada));
  });
});

describe('formatPerson', () => {
  it('writes the person the way git and BREAK_GLASS_OPERATOR show them', () => {
    expect(formatPerson({ name: 'Ada Lovelace', email: 'ada@example.com' })).toBe('Ada Lovelace <ada@example.com>');
  });

  it('writes a parsed person without the blanks of the input', () => {
    expect(formatPerson(PersonSchema.parse({ name: '  Ada Lovelace ', email: ' ada@example.com\n' }))).toBe('Ada Lovelace <ada@example.com>');
  });
});

describe('PersonSchema', () => {
  it('accepts a name and an e-mail address', () => {
    expect(personProblems({ name: 'Ada Lovelace', email: 'ada@example.com' })).toEqual([]);
  });

  it.each([
    ['an angle bracket', 'Ada <Lovelace'],
    ['a closing angle bracket', 'Ada> Lovelace'],
    ['a fake address', 'Ada <evil@example.com>'],
    ['a line break', 'Ada\nLovelace'],
    ['a carriage return', 'Ada\rLovelace'],
    ['a NUL', 'Ada\0Lovelace'],
  ])('refuses a name with %s (it would break the commit header)', (_what, name) => {
    const found = personProblems({ name, email: 'ada@example.com' });
    expect(found.map((p) => p.path)).toEqual(['name']);
    expect(found[0]!.message).toMatch(/<, > or line breaks/);
  });

  it.each(['ada', 'ada@', '@example.com', 'ada lovelace@example.com', 'ada@example.com>', 'ada@example.com\nX-Evil: 1'])(
    'refuses the e-mail address %j with an example of a valid one',
    (email) => {
      const found = personProblems({ name: 'Ada Lovelace', email });
      expect(found.map((p) => p.path)).toEqual(['email']);
      expect(found[0]!.message).toContain('ada@example.com');
    },
  );

  it('refuses a missing or blank name and asks for the full name', () => {
    expect(personProblems({ email: 'ada@example.com' })).toEqual([{ path: 'name', message: 'Give your full name.' }]);
    expect(personProblems({ name: '   ', email: 'ada@example.com' })).toEqual([{ path: 'name', message: 'Give your full name.' }]);
  });

  it('refuses a missing e-mail address', () => {
    expect(personProblems({ name: 'Ada Lovelace' })[0]).toMatchObject({ path: 'email', message: expect.stringMatching(/e-mail address/) });
  });

  it('refuses a name longer than 200 characters', () => {
    expect(personProblems({ name: 'A'.repeat(201), email: 'ada@example.com' })[0]!.message).toMatch(/longer than 200.*shorten/);
    expect(personProblems({ name: 'A'.repeat(200), email: 'ada@example.com' })).toEqual([]);
  });

  it('refuses an unknown field', () => {
    expect(personProblems({ name: 'Ada Lovelace', email: 'ada@example.com', uid: 0 })[0]!.path).toBe('uid');
  });

  it('trims the name and the address', () => {
    expect(PersonSchema.parse({ name: ' Ada Lovelace\n', email: ' ada@example.com ' })).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
  });
});
