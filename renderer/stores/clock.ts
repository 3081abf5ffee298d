import { createStore, type StoreApi } from 'zustand/vanilla';

/**
 * The wall clock the countdown reads (procedure.md §5). Every tick takes a fresh reading; the
 * countdown is always `expiresAt - now`, never a decremented counter, so a suspended laptop or a
 * throttled timer cannot make it drift. Ticks are aligned to the next whole second.
 */
export interface ClockState {
  now: number;
  actions: {
    /** Starts ticking; returns the stop. */
    start(): () => void;
    /** Takes a fresh reading now. */
    tick(): void;
  };
}

/** Creates the clock store; `read` is the time source (Date.now in the app). */
export function createClockStore(read: () => number = () => Date.now()): StoreApi<ClockState> {
  return createStore<ClockState>()((set, get) => ({
    now: read(),
    actions: {
      start() {
        let timer: ReturnType<typeof setTimeout> | null = null;
        const schedule = () => {
          // A few ms past the boundary, so the displayed second has surely turned over.
          timer = setTimeout(() => {
            get().actions.tick();
            schedule();
          }, 1000 - (read() % 1000) + 5);
        };
        get().actions.tick();
        schedule();
        const onVisible = () => get().actions.tick();
        document.addEventListener('visibilitychange', onVisible);
        return () => {
          if (timer !== null) clearTimeout(timer);
          document.removeEventListener('visibilitychange', onVisible);
        };
      },
      tick() {
        set({ now: read() });
      },
    },
  }));
}
