import { describe, expect, it } from 'vitest';
import { endLine, nextShellNotice, warningLine } from '../../../app/recording/expiryNotices';

const expiresAt = Date.parse('2026-12-01T14:30:00Z');
const min = 60_000;

describe('shell expiry notices', () => {
  it('warns at each policy threshold in turn, then expires', () => {
    const given = new Set<number>();
    const first = nextShellNotice(expiresAt, [1, 10, 5], expiresAt - 30 * min, given);
    expect(first).toEqual({ kind: 'warning', at: expiresAt - 10 * min, minutes: 10, text: warningLine(10, expiresAt) });
    given.add(10);
    expect(nextShellNotice(expiresAt, [1, 10, 5], first.at, given)).toMatchObject({ kind: 'warning', minutes: 5 });
    given.add(5).add(1);
    expect(nextShellNotice(expiresAt, [1, 10, 5], expiresAt - min, given)).toEqual({ kind: 'expiry', at: expiresAt, text: endLine('expiry', expiresAt) });
  });

  it('skips thresholds already passed when the shell opens late', () => {
    expect(nextShellNotice(expiresAt, [10, 5, 1], expiresAt - 3 * min, new Set())).toMatchObject({ kind: 'warning', minutes: 1 });
  });

  it('says in words how long is left and why the shell ends', () => {
    expect(warningLine(5, expiresAt)).toBe('\r\n[break-glass] 5 minutes left: the session expires at 14:30 UTC.\r\n');
    expect(warningLine(1, expiresAt)).toContain('1 minute left');
    expect(endLine('expiry', expiresAt)).toContain('The session expired at 14:30 UTC');
    expect(endLine('close', expiresAt)).toContain('The session was closed at 14:30 UTC');
  });
});
