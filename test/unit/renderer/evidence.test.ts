import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../app/views';
import { formatDuration, pushState, recordLabel, recordsOf, restoredLabel } from '../../../renderer/evidence/records';
import { byReviewUrgency, overdueWords } from '../../../renderer/evidence/reviewDue';
import { ACTIVE_SESSION_COLUMNS, FULL_COLUMNS, selectColumns } from '../../../renderer/evidence/timelineColumns';
import { at, view } from './fixtures';

describe('the timeline table\u2019s columns (renderer/evidence/timelineColumns.ts)', () => {
  it('draws the active session\u2019s and the session page\u2019s columns in the one order, the record number as the row\u2019s header', () => {
    expect(selectColumns(ACTIVE_SESSION_COLUMNS).map((c) => c.heading)).toEqual(['Time', 'Record', 'Summary', 'Evidence commit', 'Push']);
    const full = selectColumns(FULL_COLUMNS);
    expect(full.map((c) => c.heading)).toEqual(['#', 'Time', 'Record', 'By, on host', 'Summary', 'Evidence commit', 'Push']);
    expect(full.filter((c) => c.rowHeader).map((c) => c.key)).toEqual(['seq']);
  });

  it('whatever order the caller names them in, each once, the whole commit over the short one, never without time and record', () => {
    expect(selectColumns(['push', 'summary', 'push', 'seq']).map((c) => c.key)).toEqual(['seq', 'time', 'record', 'summary', 'push']);
    expect(selectColumns(['shortCommit', 'commit']).map((c) => c.key)).toEqual(['time', 'record', 'commit']);
    expect(selectColumns(['shortCommit']).map((c) => c.key)).toEqual(['time', 'record', 'shortCommit']);
    expect(selectColumns([]).map((c) => c.key)).toEqual(['time', 'record']);
  });
});

describe('how records read (renderer/evidence/records.ts)', () => {
  it('names every record type, and whether it reached the remote', () => {
    expect(recordLabel('clock-skew')).toBe('Clock skew');
    expect(recordLabel('lock-recovered')).toBe('Lock recovered');
    expect(recordLabel('declared')).toBe('Declared');
    expect(pushState(null)).toEqual({ kind: 'local', label: 'Local only' });
    expect(pushState(true)).toEqual({ kind: 'pushed', label: 'Pushed' });
    expect(pushState(false)).toEqual({ kind: 'pending', label: 'Pending' });
  });

  it('says durations and closing answers in words', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(-3)).toBe('0 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(restoredLabel('not-applicable')).toBe('Not applicable');
    expect(restoredLabel('no')).toBe('No');
  });

  it('picks the records of one type, each with its entry', () => {
    const entry = (seq: number, type: 'note' | 'closed') => ({ seq, type, record: { type, seq } }) as unknown as TimelineEntry;
    const timeline = [entry(1, 'note'), entry(2, 'closed'), entry(3, 'note')];
    expect(recordsOf(timeline, 'note').map((r) => r.entry.seq)).toEqual([1, 3]);
    expect(recordsOf(timeline, 'closed')[0]?.record.seq).toBe(2);
  });
});

describe('review due dates (renderer/evidence/reviewDue.ts)', () => {
  it('says how late a review is in words: whole days once a day has passed, else hours, else minutes (at least one)', () => {
    const due = '2026-11-28T09:00:00.000Z';
    expect(overdueWords(due, at('2026-12-01T10:00:00.000Z'))).toBe('Overdue by 3 days');
    expect(overdueWords(due, at('2026-11-29T08:59:00.000Z'))).toBe('Overdue by 23 hours');
    expect(overdueWords(due, at('2026-11-28T09:05:00.000Z'))).toBe('Overdue by 5 minutes');
    expect(overdueWords(due, at('2026-11-28T09:00:00.000Z'))).toBe('Overdue by 1 minute');
  });

  it('orders closed sessions as a reviewer takes them: overdue first, then by due date', () => {
    const a = view({ sessionId: 'bg-a', phase: 'closed', reviewDueAt: '2026-12-03T00:00:00.000Z' });
    const b = view({ sessionId: 'bg-b', phase: 'closed', reviewDueAt: '2026-12-01T00:00:00.000Z' });
    const late = view({ sessionId: 'bg-c', phase: 'closed', reviewDueAt: '2026-12-05T00:00:00.000Z', reviewOverdue: true });
    expect([a, b, late].sort(byReviewUrgency).map((v) => v.sessionId)).toEqual(['bg-c', 'bg-b', 'bg-a']);
  });
});
