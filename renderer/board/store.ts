import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, ErrorInfo } from '../../app/contract';
import { liveForwarding, type HostForwarding } from '../../app/forwarding/lag';
import type { ForwardDestinationStatus } from '../../app/forwarding/status';
import { decodeBoardPage, type BoardTotals } from '../../app/boardWire';
import type { BoardData, SessionView, SyncStatus } from '../../app/views';
import { NO_FILTERS, type BoardFilters } from './derive';

/**
 * The commander's board (issue 6): the rows as `board.open` and `board.rows` last returned them (most urgent first), the fetch state of
 * other hosts' records, and the filters. One store per window, kept while the console runs, so that
 * opening a session and coming back keeps the filters and shows the last rows at once (they are
 * re-read on the way back, and the staleness line says how old they are).
 */
export interface BoardState {
  data: BoardData | null;
  /**
   * While the rows after the first page are still arriving (issue 18): how many the read holds,
   * and each group's count at the service's instant; null once `data` holds every row.
   */
  partial: { total: number; totals: BoardTotals } | null;
  /** The newest fetch state: from `sync.changed`, `sync.watch`, `sync.fetch` or the board's own read. */
  sync: SyncStatus | null;
  loading: boolean;
  /** A failed read of the board; the last good rows stay on screen. */
  error: ErrorInfo | null;
  /** A failed "Fetch now" call (not a failed fetch: that is the sync state). */
  fetchError: ErrorInfo | null;
  filters: BoardFilters;
  /** Each host's forwarding (issue 19): from the board's read, this host's line kept live by `forward.changed`. */
  forwarding: HostForwarding[];
  actions: {
    /** Reads the board; calls made while a read runs are folded into one more read after it. */
    load(): Promise<void>;
    /** The ledger's head moved (state.changed): re-read when it is not the board's. */
    headChanged(head: string | null): void;
    receiveSync(sync: SyncStatus): void;
    /** This host's forwarder changed (`forward.changed`): its line is redrawn, not the 10,000 rows. */
    receiveForwarding(statuses: ForwardDestinationStatus[]): void;
    fetchNow(): Promise<void>;
    /** The board is open (fetch now and on the schedule) or closed (stop fetching). */
    watch(watching: boolean): Promise<void>;
    setFilter<K extends keyof BoardFilters>(key: K, value: BoardFilters[K]): void;
    clearFilters(): void;
  };
}

/** The rows of the first page: a screenful of the most urgent, sent before the rest (issue 18). */
const FIRST_PAGE = 200;
/** The rows of each later page. */
const LATER_PAGE = 2_500;

/** Creates the board's store over one API. */
export function createBoardStore(api: BreakGlassApi): StoreApi<BoardState> {
  let running: Promise<void> | null = null;
  let again = false;
  /** The head of the read whose pages are arriving (undefined before its first page). */
  let reading: string | null | undefined;
  /** Counts sync updates, so a read does not overwrite a newer event with its older status. */
  let syncVersion = 0;
  return createStore<BoardState>()((set, get) => {
    const readOnce = async (): Promise<void> => {
      const version = syncVersion;
      reading = undefined;
      const r = await api.board.open({ limit: FIRST_PAGE });
      if (!r.ok) {
        set({ loading: false, error: r.error });
        return;
      }
      const { first, snapshot, total, totals, ...rest } = r.value;
      reading = rest.head;
      const rows: SessionView[] = decodeBoardPage(first).rows;
      // Page by page only while the board has no complete rows yet: a re-read (the head moved, the
      // board reopened) keeps the complete rows on screen until its own are complete, so that the
      // list neither shrinks nor loses its scroll position.
      const progressive = get().data === null || get().partial !== null;
      const show = (): void => {
        const partial = rows.length < total ? { total, totals } : null;
        set({ data: { ...rest, rows: [...rows] }, partial, forwarding: rest.forwarding, loading: partial !== null, error: null, ...(version === syncVersion ? { sync: rest.sync } : {}) });
      };
      if (progressive || rows.length >= total) show();
      // The rest in pages of the same read, each shown as it arrives; a newer read asked for meanwhile goes first.
      while (rows.length < total && !again) {
        const page = await api.board.rows({ snapshot, offset: rows.length, limit: LATER_PAGE });
        if (!page.ok) {
          // The read is no longer kept (another window's reads pushed it out): read again.
          again = true;
          return;
        }
        const decoded = decodeBoardPage(page.value);
        if (decoded.offset !== rows.length || decoded.rows.length === 0) throw new Error('The board\'s pages do not follow one another.');
        rows.push(...decoded.rows);
        if (progressive || rows.length >= total) show();
      }
    };
    const receiveSync = (sync: SyncStatus) => {
      syncVersion += 1;
      set({ sync });
    };
    return {
      data: null,
      partial: null,
      sync: null,
      loading: false,
      error: null,
      fetchError: null,
      filters: NO_FILTERS,
      forwarding: [],
      actions: {
        load() {
          if (running) {
            again = true;
            return running;
          }
          set({ loading: true });
          running = (async () => {
            try {
              do {
                again = false;
                await readOnce();
              } while (again);
            } catch {
              set({ loading: false, error: { code: 'internal', message: 'No answer from the service while reading the board.' } });
            } finally {
              running = null;
              reading = undefined;
            }
          })();
          return running;
        },
        headChanged(head) {
          const data = get().data;
          // A head the pages being read already show needs no further read.
          if (running) again ||= head !== reading;
          else if (!data || data.head !== head) void get().actions.load();
        },
        receiveSync,
        receiveForwarding(statuses) {
          const data = get().data;
          if (!data) return;
          const others = get().forwarding.filter((l) => l.source !== 'live');
          const mine = get().forwarding.find((l) => l.source === 'live');
          const name = mine?.hostName ?? data.rows.find((r) => r.mine)?.host.name ?? data.hostId;
          const live = liveForwarding({ id: data.hostId, name }, statuses, Date.now());
          set({ forwarding: live ? [live, ...others] : others });
        },
        async fetchNow() {
          const r = await api.sync.fetch({});
          if (r.ok) {
            receiveSync(r.value);
            set({ fetchError: null });
          } else set({ fetchError: r.error });
        },
        async watch(watching) {
          const r = await api.sync.watch({ watching });
          if (r.ok) receiveSync(r.value);
        },
        setFilter(key, value) {
          set({ filters: { ...get().filters, [key]: value } });
        },
        clearFilters() {
          set({ filters: NO_FILTERS });
        },
      },
    };
  });
}
