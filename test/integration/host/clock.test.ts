import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootTimeMs, systemClock } from '../../../main/host/hostInfo';
import { bootId, procBootClock, systemBootClock } from '../../../main/host/bootClock';

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

// Issue 16: the boot clock beside every record (boot id and time since boot), read from /proc.
describe('the boot clock', () => {
  it.skipIf(!linux)('reads this boot\u2019s id and the time since boot', () => {
    const a = systemBootClock.read()!;
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Math.abs(a.sinceBootMs - bootTimeMs()!)).toBeLessThan(1_000);
    expect(systemBootClock.read()!.sinceBootMs).toBeGreaterThanOrEqual(a.sinceBootMs);
  });

  it('says null where /proc is missing or says something else, and reads the id once', () => {
    expect(bootId(() => 'not-a-uuid\n')).toBeNull();
    expect(bootId(() => {
      throw new Error('ENOENT');
    })).toBeNull();
    let reads = 0;
    const clock = procBootClock(() => (reads++, '93afa914-24e7-4bcf-ad50-529614aa08b5'), () => 1_234);
    expect([clock.read(), clock.read(), reads]).toEqual([{ id: '93afa914-24e7-4bcf-ad50-529614aa08b5', sinceBootMs: 1_234 }, { id: '93afa914-24e7-4bcf-ad50-529614aa08b5', sinceBootMs: 1_234 }, 1]);
    expect(procBootClock(() => null, () => 1_234).read()).toBeNull();
    expect(procBootClock(() => '93afa914-24e7-4bcf-ad50-529614aa08b5', () => null).read()).toBeNull();
  });
});
