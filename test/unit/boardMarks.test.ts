import { describe, expect, it } from 'vitest';
import { markableSessions } from '../../app/acknowledgement/state';
import { challengeOf } from '../../app/acknowledgement/codes';
import { DEFAULT_POLICY } from '../../app/policy';
import type { LedgerView } from '../../app/ports';
import { acknowledgementsOf } from '../../main/evidence/acknowledgements';
import { unconfirmed } from '../../main/console/acknowledgementHandlers';
import { ChainBuilder } from '../support/records';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const DAY = 86_400_000;

/** Sessions in each case the board's acknowledgement marks distinguish (issue 16), and one more of each declared long ago. */
function view(): { view: LedgerView; open: Set<string> } {
  const chains: ChainBuilder[] = [];
  const session = (n: number, declaredAt: number) => {
    const c = new ChainBuilder(`bg-20261128-094826-0000000${n}`, declaredAt).declared();
    chains.push(c);
    return c;
  };
  session(1, NOW - 2 * DAY).closed(); // long closed, no acknowledgement: missing, past, not marked
  const typed = session(2, NOW - 2 * DAY);
  typed.add({ type: 'acknowledged', at: new Date(NOW - 2 * DAY + 60_000).toISOString(), redactions: 0, payload: { event: 'declared', challenge: challengeOf(typed.entries[0]!.commit), response: 'ABCDEFGHJK' } } as never);
  typed.closed(); // provisional: marked although closed
  session(3, NOW - 5 * 60_000).closed(3); // closed early, its acknowledgement still awaited: marked
  session(4, NOW - 2 * DAY); // open (expired, awaiting closure), missing: a finding, marked
  session(5, NOW - 30 * 60_000).closed(10); // closed, declared past the 15-minute window: not marked
  const v: LedgerView = { head: null, branch: 'main', sessions: new Map(chains.map((c) => [c.sessionId, c.entries])), unreadable: [], policy: { ok: true, policy: DEFAULT_POLICY, sha256: '0'.repeat(64), source: 'built-in' } };
  return { view: v, open: new Set([chains[3]!.sessionId]) };
}

describe('the board judges only the acknowledgements it can mark (issue 18)', () => {
  it('gives the same marks from the markable sessions as from every session', () => {
    const { view: v, open } = view();
    const all = unconfirmed(acknowledgementsOf(v, null, DEFAULT_POLICY, NOW).bySession, open);
    const markable = markableSessions(v, open, NOW);
    expect(unconfirmed(acknowledgementsOf(v, null, DEFAULT_POLICY, NOW, markable).bySession, open)).toEqual(all);
    expect(Object.keys(all).sort()).toEqual(['bg-20261128-094826-00000002', 'bg-20261128-094826-00000003', 'bg-20261128-094826-00000004']);
    // The long-closed session without an acknowledged record is left out; the one of 30 minutes ago is in (within the longest window a policy may set).
    expect([...markable].sort()).toEqual(['bg-20261128-094826-00000002', 'bg-20261128-094826-00000003', 'bg-20261128-094826-00000004', 'bg-20261128-094826-00000005']);
  });
});
