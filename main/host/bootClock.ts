import { readFileSync } from 'node:fs';
import type { BootClock, BootReading } from '../../app/ports';
import { bootTimeMs } from './hostInfo';

const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * This boot's id (`/proc/sys/kernel/random/boot_id`, a random UUID the kernel makes at each boot),
 * or null where there is no /proc (macOS, Windows) or it says something else.
 */
export function bootId(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string | null {
  try {
    const id = read('/proc/sys/kernel/random/boot_id').trim();
    return BOOT_ID.test(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * The host's boot clock (issue 16): the boot id, and the time since boot (CLOCK_BOOTTIME, which
 * counts suspend) from `/proc/uptime`. Both are file reads, which a preloaded clock shim such as
 * libfaketime does not change, where it does change the wall clock (and may change the monotonic
 * clocks). The id is read once: it changes only with a reboot, which ends this process.
 */
export function procBootClock(readId: () => string | null = bootId, readUptimeMs: () => number | null = bootTimeMs): BootClock {
  let id: string | null | undefined;
  return {
    read(): BootReading | null {
      id ??= readId();
      const sinceBootMs = id === null ? null : readUptimeMs();
      return id === null || sinceBootMs === null || sinceBootMs < 0 ? null : { id, sinceBootMs };
    },
  };
}

/** The system's boot clock: null readings where the host has no /proc. */
export const systemBootClock: BootClock = procBootClock();
