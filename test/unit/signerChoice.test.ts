import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPreconditions, preconditionRefusal, UNSIGNED_ALLOWED, type PreconditionDeps, type SigningState } from '../../app/preconditions';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerView } from '../../app/ports';
import { parseRosterYaml, type Roster } from '../../app/roster';
import { checkOsAccount, chooseSignerKey, TOUCH_PROMPT, type HeldKey } from '../../app/roster/signerChoice';
import { softKey } from '../support/softSsh';

// Issue 15, "Identity is checked where it is claimed": the pure choice of the key that signs a
// declaration, and the precondition rows the wizard and `declare` show and record. The same
// choice signs through a real ssh-agent in test/integration/cli/declareIdentity.test.ts; a FIDO2
// key cannot sit in a test's ssh-agent without hardware, so its touch prompt is checked here.

const adaSk = softKey('sk-ssh-ed25519@openssh.com');
const adaOld = softKey('ssh-ed25519');
const grace = softKey('ecdsa-sha2-nistp256');
const outsider = softKey('ssh-ed25519');
const NOW = Date.parse('2026-07-01T12:00:00Z');

function roster(adaAccounts: string | null): Roster {
  const load = parseRosterYaml(`version: 1
people:
  - id: ada
    name: Ada Lovelace
    email: ada@example.com
    roles: [operator, roster-admin]
${adaAccounts === null ? '' : `    accounts: [${adaAccounts}]\n`}    keys:
      - key: ${adaOld.publicKey.line}
        revoked:
          at: 2026-06-01T00:00:00Z
          reason: Laptop lost
      - key: ${adaSk.publicKey.line}
  - id: grace
    name: Grace Hopper
    email: grace@example.com
    roles: [reviewer]
    keys:
      - key: ${grace.publicKey.line}
`);
  if (!load.ok) throw new Error(JSON.stringify(load.problems));
  return load.roster;
}

const held = (...keys: Array<ReturnType<typeof softKey>>): HeldKey[] => keys.map((k) => ({ fingerprint: k.publicKey.fingerprint, type: k.publicKey.type, securityKey: k.publicKey.securityKey }));
const ADA = { name: 'Ada Lovelace', email: 'ADA@example.com' };

describe('chooseSignerKey', () => {
  it('picks the first held roster key of the person that the caller does not refuse', () => {
    const r = roster(null);
    const refuseRevoked = (fp: string) => (fp === adaOld.publicKey.fingerprint ? 'revoked' : null);
    expect(chooseSignerKey(r, ADA, 'operator', held(outsider, adaOld, adaSk), refuseRevoked)).toMatchObject({ ok: true, person: { id: 'ada' }, key: { fingerprint: adaSk.publicKey.fingerprint, securityKey: true } });
    expect(chooseSignerKey(r, ADA, 'operator', held(adaOld), refuseRevoked)).toEqual({ ok: false, code: 'key-refused', message: 'revoked' });
  });

  it('refuses a person the roster does not list without repeating what was typed, a missing role, and no roster key in the agent', () => {
    const r = roster(null);
    const notListed = chooseSignerKey(r, { email: 'mallory@example.com' }, 'operator', held(outsider));
    expect(notListed).toMatchObject({ ok: false, code: 'not-listed' });
    expect(notListed.ok ? '' : notListed.message).not.toContain('mallory');
    expect(chooseSignerKey(r, { email: 'grace@example.com' }, 'operator', held(grace))).toMatchObject({ ok: false, code: 'missing-role', message: expect.stringContaining('Grace Hopper (grace) does not have the operator role') });
    expect(chooseSignerKey(r, ADA, 'operator', held(outsider, grace))).toMatchObject({ ok: false, code: 'no-key-held', message: expect.stringContaining(adaSk.publicKey.fingerprint) });
  });

  it('checks the OS account only where the roster lists accounts for the person', () => {
    const r = roster('ada, alovelace');
    expect(checkOsAccount(r.people[0]!, 'alovelace')).toEqual({ listed: ['ada', 'alovelace'], ok: true });
    expect(checkOsAccount(r.people[0]!, 'Ada')).toEqual({ listed: ['ada', 'alovelace'], ok: false });
    expect(checkOsAccount(r.people[1]!, 'anyone')).toEqual({ listed: null });
  });
});

describe('the signing preconditions', () => {
  // These checks are the refusing policy's; the default's (unsigned allowed) are the next block's.
  const viewWith = (unsignedDeclarations: 'allow' | 'refuse') =>
    ({ head: null, branch: 'main', sessions: new Map(), unreadable: [], policy: { ok: true, policy: { ...DEFAULT_POLICY, allowRootOperator: true, unsignedDeclarations }, sha256: '0'.repeat(64), source: 'built-in' } }) as LedgerView;
  let view = viewWith('refuse');
  const deps = (state: SigningState, username = 'ada'): PreconditionDeps => ({
    host: { hostId: 'ws-1', hostName: 'ws-1', osAccount: () => ({ username, uid: 1000 }), env: () => undefined, fileExists: () => false },
    clock: { now: () => NOW, monotonicMs: () => 0 },
    signing: { state: async () => state },
  });
  const rows = async (state: SigningState, username?: string, operator: typeof ADA | null = ADA) =>
    (await checkPreconditions(deps(state, username), view, { environment: 'production', incidentId: 'INC-1', ...(operator ? { operator } : {}) })).filter((c) => c.id === 'signing-key' || c.id === 'roster-account');

  it('name the security key that will sign, with the touch asked for in words, and record the OS account check', async () => {
    const [signing, account] = await rows({ roster: roster('ada'), agent: { ok: true, keys: held(adaOld, adaSk) } });
    expect(signing).toMatchObject({
      status: 'pass',
      signer: { personId: 'ada', name: 'Ada Lovelace', fingerprint: adaSk.publicKey.fingerprint, keyType: 'sk-ssh-ed25519@openssh.com', securityKey: true },
      detail: `Signed by Ada Lovelace (ada) with the sk-ssh-ed25519@openssh.com key (${adaSk.publicKey.fingerprint}) in the ssh-agent. ${TOUCH_PROMPT} when the declaration is committed.`,
    });
    expect(account).toEqual({ id: 'roster-account', label: 'OS account in the roster', status: 'pass', detail: "Logged in as ada, one of Ada Lovelace's accounts in the roster (ada)." });
  });

  it('refuse an OS account the roster does not list for the person, and say what to do', async () => {
    const checks = await rows({ roster: roster('ada, alovelace'), agent: { ok: true, keys: held(adaSk) } }, 'bob');
    expect(checks.map((c) => [c.id, c.status])).toEqual([['signing-key', 'pass'], ['roster-account', 'fail']]);
    expect(checks[1]!.detail).toBe('The OS account "bob" is not one of Ada Lovelace\'s accounts in the roster (ada, alovelace). Log in as one of them, or have a roster admin add this account (breakglass roster propose) and a second admin approve.');
    const refusal = preconditionRefusal(checks);
    expect(refusal).toMatchObject({ code: 'refused', field: 'preconditions' });
    expect(refusal!.message).toContain('OS account in the roster: The OS account "bob" is not one of');
  });

  it('say the account is not checked where the roster lists none for the person', async () => {
    const [, account] = await rows({ roster: roster(null), agent: { ok: true, keys: held(adaSk) } }, 'bob');
    expect(account).toMatchObject({ status: 'pass', detail: 'Not checked: the roster lists no OS accounts for Ada Lovelace.' });
  });

  it('refuse a person not listed as an operator, and a revoked key; no agent is the evidence\'s failure', async () => {
    const r = roster(null);
    const [grace0] = await rows({ roster: r, agent: { ok: true, keys: held(grace) } }, 'grace', { name: 'Grace Hopper', email: 'grace@example.com' });
    expect(grace0).toMatchObject({ status: 'fail', detail: expect.stringContaining('does not have the operator role') });
    const revoked = await rows({ roster: r, agent: { ok: true, keys: held(adaOld) } });
    expect(revoked).toEqual([expect.objectContaining({ id: 'signing-key', status: 'fail', detail: expect.stringContaining('revoked at the commit\'s time') })]);
    const noAgent = await rows({ roster: r, agent: { ok: false, message: 'No ssh-agent answers.' } });
    expect(noAgent).toEqual([{ id: 'signing-key', label: 'Signing key', status: 'fail', detail: 'No ssh-agent answers.', blocksAs: 'evidence-not-committed' }]);
    expect(preconditionRefusal(noAgent)).toMatchObject({ code: 'evidence-not-committed' });
    expect(preconditionRefusal([...noAgent, ...grace0 ? [grace0] : []])).toMatchObject({ code: 'refused' });
  });

  it('warn, never block, without a roster (unsigned) and before the operator is named', async () => {
    expect(await rows({ roster: null })).toEqual([expect.objectContaining({ status: 'warn', detail: expect.stringMatching(/^Unsigned: this repository has no roster/) })]);
    expect(await rows({ roster: roster(null), agent: { ok: true, keys: [] } }, 'ada', null)).toEqual([expect.objectContaining({ status: 'warn', detail: expect.stringContaining('checked once your name and e-mail are given') })]);
  });

  describe('where the policy allows unsigned declarations (the default)', () => {
    beforeEach(() => { view = viewWith('allow'); });
    afterEach(() => { view = viewWith('refuse'); });

    it('is the default policy', () => {
      expect(DEFAULT_POLICY.unsignedDeclarations).toBe('allow');
    });

    it('warn, not block, when none of the operator\'s roster keys is in the agent or no agent answers, saying the records go unsigned and the review must address it', async () => {
      const r = roster('ada');
      const noKey = await rows({ roster: r, agent: { ok: true, keys: held(grace) } });
      expect(noKey.map((c) => [c.id, c.status])).toEqual([['signing-key', 'warn'], ['roster-account', 'pass']]);
      expect(noKey[0]!.detail).toBe(`None of Ada Lovelace's roster keys (${adaOld.publicKey.fingerprint}, ${adaSk.publicKey.fingerprint}) is in the ssh-agent. Add yours with ssh-add (a security key: ssh-add -K). ${UNSIGNED_ALLOWED}`);
      expect(preconditionRefusal(noKey)).toBeNull();
      const noAgent = await rows({ roster: r, agent: { ok: false, message: 'No ssh-agent answers. Records in this repository are signed (it has a roster), so nothing was recorded.', reason: 'No ssh-agent answers.' } });
      expect(noAgent[0]).toEqual({ id: 'signing-key', label: 'Signing key', status: 'warn', detail: `No ssh-agent answers. ${UNSIGNED_ALLOWED}` });
      expect(UNSIGNED_ALLOWED).toContain('the review must address it');
      expect(preconditionRefusal(noAgent)).toBeNull();
    });

    it('still refuse a person not listed as an operator, a revoked key, and an OS account not theirs', async () => {
      const r = roster('ada');
      const [grace0] = await rows({ roster: r, agent: { ok: false, message: 'No ssh-agent answers.' } }, 'grace', { name: 'Grace Hopper', email: 'grace@example.com' });
      expect(grace0).toMatchObject({ status: 'fail', detail: expect.stringContaining('does not have the operator role') });
      const [stranger] = await rows({ roster: r, agent: { ok: true, keys: [] } }, 'ada', { name: 'Mallory Mallet', email: 'mallory@example.com' });
      expect(stranger).toMatchObject({ status: 'fail', detail: expect.stringContaining('is not in the roster') });
      const revoked = await rows({ roster: r, agent: { ok: true, keys: held(adaOld) } });
      expect(revoked[0]).toMatchObject({ status: 'fail', detail: expect.stringContaining('revoked at the commit\'s time') });
      const account = await rows({ roster: r, agent: { ok: true, keys: [] } }, 'bob');
      expect(account.map((c) => [c.id, c.status])).toEqual([['signing-key', 'warn'], ['roster-account', 'fail']]);
    });
  });
});
