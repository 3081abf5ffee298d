import { afterEach, describe, expect, it, vi } from 'vitest';
import { armDeadline, MAX_DEADLINE_STEP_MS } from '../../../main/process/deadline';
import { startCommand } from '../../../main/process/runner';

// Issue 12 item 9: a session longer than setTimeout's 24.8-day limit must not stop its commands at
// once; the expiry is armed in bounded steps that each ask the clock again.

const DAY = 86_400_000;

describe('a command of a session that ends in 30 days', () => {
  it('runs to its own end, not stopped by an overflowing expiry timer', async () => {
    const run = startCommand({ argv: ['sh', '-c', 'sleep 0.5; echo finished'], shell: false, cwd: process.cwd(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, expiresAt: Date.now() + 30 * DAY, via: 'cli-exec' });
    const action = await run.done;
    expect(action.stoppedBy).toBeNull();
    expect(action.exitCode).toBe(0);
    expect(action.output).toBe('finished\n');
  });
});

describe('armDeadline', () => {
  afterEach(() => vi.useRealTimers());

  it('fires once, at the deadline, 40 days ahead', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
    const fire = vi.fn();
    armDeadline(Date.now() + 40 * DAY, fire);
    vi.advanceTimersByTime(40 * DAY - 1);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * DAY);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('notices within one step that the wall clock passed the deadline (a clock moved, a machine that slept)', () => {
    vi.useFakeTimers({ now: 0 });
    let wall = Date.parse('2026-12-01T00:00:00Z');
    const fire = vi.fn();
    armDeadline(wall + 2 * 3_600_000, fire, () => wall);
    vi.advanceTimersByTime(MAX_DEADLINE_STEP_MS);
    expect(fire).not.toHaveBeenCalled();
    wall += 3 * 3_600_000;
    vi.advanceTimersByTime(MAX_DEADLINE_STEP_MS);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a deadline already past, and never after cancel', () => {
    const past = vi.fn();
    armDeadline(Date.now() - 1, past);
    expect(past).toHaveBeenCalledTimes(1);
    vi.useFakeTimers();
    const cancelled = vi.fn();
    armDeadline(Date.now() + 1_000, cancelled).cancel();
    vi.advanceTimersByTime(10_000);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
