import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, findEnvironment } from '../../app/policy';
import { compareScopes, placesNaming, scopePattern, type ActionText } from '../../app/scopes';

const KNOWN = findEnvironment(DEFAULT_POLICY, 'production')!.scopes.map((s) => s.id);

const action = (seq: number, argv: string[], cwd = '/srv/ops', output = ''): ActionText => ({ seq, argv, cwd, output });

describe('scopePattern: a scope id named in text', () => {
  it('matches the id with any separator, any case, and a plural', () => {
    const re = scopePattern('state-lock');
    for (const text of ['state-lock', 'STATE_LOCK', 'statelock', 'remove the state lock', 'state locks held', 'dir/state.lock', 'state/lock']) {
      expect(re.test(text), text).toBe(true);
    }
  });
  it('matches a singular of a plural id', () => {
    expect(scopePattern('diagnostics').test('run diagnostic checks')).toBe(true);
    expect(scopePattern('signing-keys').test('rotate the signing key')).toBe(true);
  });
  it('does not match inside a longer word or with the words apart', () => {
    expect(scopePattern('state-lock').test('interstate-lockers')).toBe(false);
    expect(scopePattern('state-lock').test('the state of the lock')).toBe(false);
    expect(scopePattern('data-repair').test('metadata-repairs')).toBe(false);
  });
  it('treats regular-expression characters in an id literally', () => {
    expect(scopePattern('a.b').test('axb')).toBe(false);
  });
});

describe('placesNaming: where an action names a scope', () => {
  it('reports the command line, the working directory and the output separately', () => {
    const a = action(2, ['terraform', 'force-unlock', 'state-lock-7f3c'], '/srv/state-lock', 'Released state lock 7f3c');
    expect(placesNaming('state-lock', a)).toEqual(['command', 'cwd', 'output']);
    expect(placesNaming('signing-keys', a)).toEqual([]);
  });
});

describe('compareScopes', () => {
  it('says which declared scope each action names, and which declared scopes no action named', () => {
    const c = compareScopes({
      declared: ['state-lock', 'diagnostics'],
      known: KNOWN,
      actions: [action(2, ['terraform', 'force-unlock', '--state-lock', '7f3c']), action(3, ['echo', 'hello'])],
    });
    expect(c.actions).toEqual([
      { seq: 2, declared: [{ scope: 'state-lock', in: ['command'] }], undeclared: [] },
      { seq: 3, declared: [], undeclared: [] },
    ]);
    expect(c.untouched).toEqual(['diagnostics']);
    expect(c.flagged).toEqual([]);
    expect(c.knownUndeclared).toEqual(['signing-keys', 'infrastructure-change', 'data-repair']);
  });

  it('flags an action that names a scope the policy knows but the declaration did not ask for', () => {
    const c = compareScopes({
      declared: ['state-lock'],
      known: KNOWN,
      actions: [
        action(2, ['unlock', 'state-lock']),
        action(3, ['vault', 'write', 'transit/keys/rotate'], '/srv', 'signing keys rotated'),
        action(4, ['psql', '-c', 'update t'], '/srv/data-repair'),
      ],
    });
    expect(c.flagged).toEqual([3, 4]);
    expect(c.actions[1]!.undeclared).toEqual([{ scope: 'signing-keys', in: ['output'] }]);
    expect(c.actions[2]!.undeclared).toEqual([{ scope: 'data-repair', in: ['cwd'] }]);
    expect(c.untouched).toEqual([]);
  });

  it('checks declared scopes the policy no longer knows, and lists every declared scope as untouched when there are no actions', () => {
    const c = compareScopes({ declared: ['legacy-db', 'state-lock'], known: [], actions: [] });
    expect(c.untouched).toEqual(['legacy-db', 'state-lock']);
    expect(c.knownUndeclared).toEqual([]);
    const d = compareScopes({ declared: ['legacy-db'], known: [], actions: [action(5, ['fix', 'legacy_db'])] });
    expect(d.actions[0]!.declared).toEqual([{ scope: 'legacy-db', in: ['command'] }]);
    expect(d.untouched).toEqual([]);
  });

  it('lists each declared scope once even when the declaration repeats it', () => {
    const c = compareScopes({ declared: ['state-lock', 'state-lock'], known: KNOWN, actions: [] });
    expect(c.declared).toEqual(['state-lock']);
    expect(c.untouched).toEqual(['state-lock']);
  });
});
