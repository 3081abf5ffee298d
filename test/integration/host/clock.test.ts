import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootTimeMs, systemClock } from '../../../main/host/hostInfo';

// The expiry tick compares the wall clock with the monotonic one to find clock jumps (issue 5).
// A monotonic clock that stops during suspend makes every closed lid a "jump" unless something
// announces the resume; the Chromium console (issue 20) has no power monitor to do so. On Linux
// the system clock's monotonic reading is the time since boot, which counts suspend.

const linux = existsSync('/proc/uptime');

describe('the system clock', () => {
  it.skipIf(!linux)('reads its monotonic time from the time since boot, which counts suspend', () => {
    const boot = bootTimeMs();
    expect(boot).not.toBeNull();
    // performance.now() counts from this process's start: seconds, where the time since boot is
    // at least as long as this process has run, and on a machine up for a while much longer.
    expect(Math.abs(systemClock.monotonicMs() - boot!)).toBeLessThan(1_000);
    expect(systemClock.monotonicMs()).toBeGreaterThanOrEqual(performance.now());
  });

  it('parses /proc/uptime, and says null where it cannot be read', () => {
    expect(bootTimeMs(() => '12345.67 24680.11\n')).toBe(12_345_670);
    expect(bootTimeMs(() => 'garbage')).toBeNull();
    expect(
      bootTimeMs(() => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
  });
});
