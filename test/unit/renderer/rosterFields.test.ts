import '../../../renderer/forms/zodConfig';
import { describe, expect, it } from 'vitest';
import { RosterInitSchema } from '../../../app/contract';
import { rosterIssues, rosterRequest, suggestedId, type RosterFields } from '../../../renderer/home/rosterFields';

const FINGERPRINT = 'SHA256:srhECPZaXtgNZTxyrLzlVWGZLnIPO3DjXnOyzQpuvpQ';
const filled: RosterFields = { id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', account: 'ada', fingerprint: FINGERPRINT };
const plain = (m: ReadonlyMap<string, readonly string[]>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));

describe('"Create the roster" validates with the schema roster.init parses (issue 15)', () => {
  it('a filled form has no issues and sends exactly what the contract accepts', () => {
    expect(plain(rosterIssues(filled))).toEqual({});
    expect(RosterInitSchema.parse(rosterRequest(filled))).toStrictEqual({ id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', accounts: ['ada'], fingerprint: FINGERPRINT });
  });

  it('an empty OS account is left out; an empty key choice is asked for in the form\'s words', () => {
    expect(rosterRequest({ ...filled, account: '  ' })).not.toHaveProperty('accounts');
    expect(plain(rosterIssues({ ...filled, fingerprint: '' }))).toEqual({ fingerprint: ['Choose the key that signs the roster.'] });
  });

  it('names each wrong field, the OS account by its item', () => {
    const issues = plain(rosterIssues({ ...filled, id: 'Ada L', email: 'nope', account: 'a b' }));
    expect(Object.keys(issues).sort()).toEqual(['accounts[0]', 'email', 'id']);
    expect(issues.email).toEqual(['Give a valid e-mail address, like ada@example.com.']);
  });

  it('refuses a shared name at the name field, as the roster does', () => {
    expect(Object.keys(plain(rosterIssues({ ...filled, name: 'Admin', email: 'admin@example.com' })))).toEqual(['name']);
  });

  it('suggests a roster id from the name', () => {
    expect(suggestedId('Ada Lovelace')).toBe('ada-lovelace');
    expect(suggestedId('  Grace  B. Hopper ')).toBe('grace-b-hopper');
    expect(suggestedId('Zoë Ångström')).toBe('zoe-angstrom');
  });
});
