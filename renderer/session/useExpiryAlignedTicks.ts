import { useEffect } from 'react';
import { useClock } from '../stores/context';
import { msToNextSecond } from './countdown';

/**
 * Takes a fresh clock reading at each instant the countdown's second turns over. The clock
 * store's own tick is aligned to whole seconds of the wall clock, but the expiry carries
 * milliseconds, so without this the display would lag by up to a second (issue 5: the renderer
 * and the service agree to the second). A timer that fires early just schedules the remainder.
 */
export function useExpiryAlignedTicks(expiresAtMs: number): void {
  const tick = useClock((s) => s.actions.tick);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const schedule = () => {
      const delay = msToNextSecond(expiresAtMs - Date.now());
      if (delay === null) return;
      timer = setTimeout(() => {
        tick();
        schedule();
      }, delay);
    };
    schedule();
    return () => {
      if (timer !== null) clearTimeout(timer);
    };
  }, [expiresAtMs, tick]);
}
