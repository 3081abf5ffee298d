import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BreakGlassApi, ErrorInfo } from '../../app/contract';
import type { PushStatus, SessionDetail, SessionView } from '../../app/views';
import { settle } from './bridge';
import type { PushState } from './push';
import type { StatusState } from './status';

/** What the renderer has of a session: nothing yet, the detail (possibly with a failed refresh), or why not. */
export type DetailLoad =
  | { phase: 'loading' }
  | { phase: 'ready'; detail: SessionDetail; refreshError: ErrorInfo | null }
  | { phase: 'error'; error: ErrorInfo };

/**
 * Every session's detail (`session.timeline`: declaration, records, chain check, reviews) as the
 * views that show it share it: the active session's timeline, the session page and the review
 * form. One read per session, shared by every view showing it, and read again on one set of
 * triggers only: the session's own evidence changed (its record count or last activity in the
 * snapshot, for the sessions the snapshot lists; the ledger's head for the others: a record here,
 * or other hosts' records merged by a fetch), or the push state changed (the timeline's
 * pushed/pending marks follow it). A record in one session does not re-read every other open
 * session. Reading only: an observer may watch too. The last good detail stays while a refresh
 * runs, and if one fails.
 */
export interface SessionDetailState {
  details: Readonly<Record<string, DetailLoad>>;
  actions: {
    /** A view shows this session: read it unless the detail held answers its current evidence and push state. Returns the release. */
    watch(sessionId: string): () => void;
    /** Reads the session again now (a refusal said the evidence moved meanwhile). */
    refresh(sessionId: string): Promise<void>;
    /** A fetch confirmed the repository as of its time (`sync.changed`): the details say so. */
    confirmed(lastFetchAt: string): void;
  };
}

/** Details of sessions no view shows any more that stay for a view opened again (the newest ones). */
export const KEPT_UNWATCHED = 16;

/** Changes when the push state does, not with every tick of its relative times. */
export function pushKey(p: PushStatus | null): string {
  if (!p) return '';
  return `${p.state}:${'pending' in p ? p.pending : 0}:${'lastPushAt' in p ? (p.lastPushAt ?? '') : ''}`;
}

/** Creates the session-detail source over one API; it follows the status and push stores. */
export function createSessionDetailStore(api: BreakGlassApi, status: StoreApi<StatusState>, push: StoreApi<PushState>): StoreApi<SessionDetailState> {
  const watchers = new Map<string, number>();
  /** The key (`currentKey`) each held detail answers. */
  const readFor = new Map<string, string>();
  /** The newest read started per session: an answer to an older one is dropped. */
  const newest = new Map<string, number>();
  /** The key of the read running per session (none once it answered). */
  const running = new Map<string, string>();
  /** Sessions no view shows, oldest first. */
  const unwatched: string[] = [];
  let seq = 0;
  /** Set by the store below: reads a session unless what it holds, or the read running, is current. */
  let readIfStale: (sessionId: string) => void = () => {};

  /** The sessions the last snapshot lists (this host's open and closed ones, the newest of the repository), by id. */
  let listed: { snapshot: StatusState['snapshot']; views: Map<string, SessionView> } = { snapshot: null, views: new Map() };
  const listedView = (sessionId: string): SessionView | undefined => {
    const snapshot = status.getState().snapshot;
    if (listed.snapshot !== snapshot) {
      const views = new Map<string, SessionView>();
      for (const v of [...(snapshot?.recent ?? []), ...(snapshot?.awaitingReview ?? []), ...(snapshot?.open ?? [])]) views.set(v.sessionId, v);
      listed = { snapshot, views };
    }
    return listed.views.get(sessionId);
  };
  /** What a session's detail answers: its own evidence (or the ledger's head) and the push state. */
  const currentKey = (sessionId: string) => {
    const v = listedView(sessionId);
    const evidence = v ? `session:${v.records}:${v.lastActivityAt}:${v.phase}:${v.reviewOverdue}` : `head:${status.getState().snapshot?.repository.head ?? ''}`;
    return `${evidence}|${pushKey(push.getState().status)}`;
  };

  const store = createStore<SessionDetailState>()((set, get) => {
    const put = (sessionId: string, load: DetailLoad | null) =>
      set((s) => {
        const details = { ...s.details };
        if (load) details[sessionId] = load;
        else delete details[sessionId];
        return { details };
      });

    const read = (sessionId: string): Promise<void> => {
      const key = currentKey(sessionId);
      const mine = ++seq;
      newest.set(sessionId, mine);
      running.set(sessionId, key);
      return (async () => {
        const r = await settle(api.session.timeline({ sessionId }));
        if (newest.get(sessionId) !== mine) return;
        running.delete(sessionId);
        const prev = get().details[sessionId];
        if (r.ok) {
          readFor.set(sessionId, key);
          put(sessionId, { phase: 'ready', detail: r.value, refreshError: null });
        } else put(sessionId, prev?.phase === 'ready' ? { ...prev, refreshError: r.error } : { phase: 'error', error: r.error });
      })();
    };

    /** Reads unless the detail held, or the read running, answers the session's current evidence and push state. */
    readIfStale = (sessionId: string): void => {
      const key = currentKey(sessionId);
      if (running.get(sessionId) === key) return;
      if (readFor.get(sessionId) === key && get().details[sessionId]?.phase === 'ready') return;
      void read(sessionId);
    };

    const forget = (sessionId: string) => {
      readFor.delete(sessionId);
      newest.delete(sessionId);
      running.delete(sessionId);
      put(sessionId, null);
    };

    return {
      details: {},
      actions: {
        watch(sessionId) {
          watchers.set(sessionId, (watchers.get(sessionId) ?? 0) + 1);
          const i = unwatched.indexOf(sessionId);
          if (i >= 0) unwatched.splice(i, 1);
          if (!get().details[sessionId]) put(sessionId, { phase: 'loading' });
          readIfStale(sessionId);
          let released = false;
          return () => {
            if (released) return;
            released = true;
            const n = (watchers.get(sessionId) ?? 1) - 1;
            if (n > 0) return void watchers.set(sessionId, n);
            watchers.delete(sessionId);
            unwatched.push(sessionId);
            while (unwatched.length > KEPT_UNWATCHED) forget(unwatched.shift()!);
          };
        },
        refresh(sessionId) {
          return read(sessionId);
        },
        confirmed(at) {
          set((s) => {
            let changed = false;
            const details: Record<string, DetailLoad> = { ...s.details };
            for (const [id, d] of Object.entries(s.details)) {
              if (d.phase === 'ready' && d.detail.asOf !== at) {
                details[id] = { ...d, detail: { ...d.detail, asOf: at } };
                changed = true;
              }
            }
            return changed ? { details } : s;
          });
        },
      },
    };
  });

  // A snapshot moves the evidence and the push state together (two store updates in one event): one read, after both.
  let refreshQueued = false;
  const refreshWatched = () => {
    if (refreshQueued) return;
    refreshQueued = true;
    queueMicrotask(() => {
      refreshQueued = false;
      for (const id of watchers.keys()) readIfStale(id);
    });
  };
  status.subscribe((s, prev) => {
    if (s.snapshot !== prev.snapshot) refreshWatched();
  });
  push.subscribe((s, prev) => {
    if (pushKey(s.status) !== pushKey(prev.status)) refreshWatched();
  });
  return store;
}
