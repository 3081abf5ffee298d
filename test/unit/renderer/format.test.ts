import { describe, expect, it } from 'vitest';
import type { PushStatus } from '../../../app/views';
import { countdownWords, formatAgo, formatCount, formatList, formatPerson, formatPolicyProblem, formatRelative, outcomeLabel, phaseLabel, pushSentence, secondsLeft } from '../../../renderer/format';
import { at, view } from './fixtures';

// The console formats through Intl in the user's locale; these read it as en-US in UTC, as the test machines run.
describe('formatting (renderer/format.ts)', () => {
  it('counts seconds left from the absolute expiry, rounded up and never below zero', () => {
    expect(secondsLeft('2026-11-28T09:30:00.000Z', at('2026-11-28T09:29:59.001Z'))).toBe(1);
    expect(secondsLeft('2026-11-28T09:30:00.000Z', at('2026-11-28T09:30:00.000Z'))).toBe(0);
    expect(secondsLeft('2026-11-28T09:30:00.000Z', at('2026-11-28T10:00:00.000Z'))).toBe(0);
  });

  it('says the countdown in words for assistive technology', () => {
    expect(countdownWords(0)).toBe('0 seconds left');
    expect(countdownWords(61)).toBe('1 minute and 1 second left');
    expect(countdownWords(3600)).toBe('1 hour, 0 minutes, and 0 seconds left');
  });

  it('says relative times in the nearest unit, and a just-recorded instant as now (the page clock may trail by a tick)', () => {
    const now = at('2026-11-28T09:00:00.000Z');
    expect(formatRelative('2026-11-28T09:02:00.000Z', now)).toBe('in 2 minutes');
    expect(formatRelative('2026-11-28T08:59:55.000Z', now)).toBe('5 seconds ago');
    expect(formatRelative('2026-11-30T09:00:00.000Z', now)).toBe('in 2 days');
    expect(formatAgo('2026-11-28T09:00:00.800Z', now)).toBe('now');
    expect(formatAgo('2026-11-28T08:58:00.000Z', now)).toBe('2 minutes ago');
  });

  it('counts, lists and names people', () => {
    expect(formatCount(1, 'record')).toBe('1 record');
    expect(formatCount(3, 'record')).toBe('3 records');
    expect(formatCount(2, 'overdue review', 'overdue reviews')).toBe('2 overdue reviews');
    expect(formatCount(12345, 'session')).toBe('12,345 sessions');
    expect(formatList(['a', 'b', 'c'])).toBe('a, b, and c');
    expect(formatPerson({ name: 'Ada Lovelace', email: 'ada@example.com' })).toBe('Ada Lovelace <ada@example.com>');
  });

  it('prints a policy problem as breakglass does: file:line: field: message', () => {
    expect(formatPolicyProblem({ file: 'policy.yaml', line: 12, field: 'duration.maxMinutes', message: 'must be at most 240' })).toBe('policy.yaml:12: duration.maxMinutes: must be at most 240');
    expect(formatPolicyProblem({ file: 'policy.yaml', line: null, field: '', message: 'not YAML' })).toBe('policy.yaml: not YAML');
  });

  it('says the push state in one sentence, where the evidence is first', () => {
    const now = at('2026-11-28T09:00:00.000Z');
    const s = (p: PushStatus) => pushSentence(p, now);
    expect(s({ state: 'local-only' })).toBe('Local only: no remote configured. Evidence is committed on this host.');
    expect(s({ state: 'pending', pending: 3, remote: 'git@x:y.git', lastPushAt: null })).toBe('3 records waiting to be pushed.');
    expect(s({ state: 'rejected', reason: 'non-fast-forward', pending: 1, since: '2026-11-28T08:00:00.000Z', remote: 'r' })).toBe('Push rejected by the remote: non-fast-forward');
    expect(s({ state: 'behind', missing: 1, confirmed: 'a'.repeat(40), remote: 'r', lastPushAt: null })).toBe("Not synced: this host's history lost 1 record the remote confirmed. Run verify.");
  });

  it('says a session\u2019s phase and a review\u2019s outcome in words', () => {
    expect(phaseLabel(view({ sessionId: 'bg-1', phase: 'expired' }))).toBe('Expired — awaiting closure');
    expect(phaseLabel(view({ sessionId: 'bg-1', phase: 'closed', reviewOverdue: true }))).toBe('Closed — review overdue');
    expect(phaseLabel(view({ sessionId: 'bg-1', phase: 'reviewed', reviewOutcome: 'justified-with-findings' }))).toBe('Reviewed: justified with findings');
    expect(outcomeLabel('not-justified')).toBe('Not justified');
    expect(outcomeLabel(null)).toBe('Reviewed');
  });
});
