import { useEffect, useState } from 'react';
import type { ErrorInfo } from '../../app/contract';
import type { PushStatus, SessionDetail } from '../../app/views';
import { useApi, usePush, useStatus } from '../stores/context';
import { bridgeFailure } from '../stores/status';

/** What the session page has: nothing yet, the detail (possibly with a failed refresh), or why not. */
export type DetailLoad =
  | { phase: 'loading' }
  | { phase: 'ready'; detail: SessionDetail; refreshError: ErrorInfo | null }
  | { phase: 'error'; error: ErrorInfo };

/** Changes when the push state does: the timeline's pushed/pending marks follow it without a new head. */
function pushKey(p: PushStatus | null): string {
  if (!p) return '';
  return `${p.state}:${'pending' in p ? p.pending : 0}:${'lastPushAt' in p ? (p.lastPushAt ?? '') : ''}`;
}

/**
 * A session's detail (`session.timeline`), read again whenever the ledger's head moves (a
 * `state.changed` with a new head: a record here, or other hosts' records merged by a fetch) and
 * when the push state changes. Reading only: nothing here writes, so an observer may open it.
 * The last good detail stays on screen while a refresh runs, and if one fails.
 */
export function useSessionDetail(sessionId: string): DetailLoad {
  const api = useApi();
  const head = useStatus((s) => s.snapshot?.repository.head ?? null);
  const push = usePush((s) => pushKey(s.status));
  const [load, setLoad] = useState<DetailLoad>({ phase: 'loading' });

  useEffect(() => {
    let current = true;
    void api.session.timeline({ sessionId }).catch((e: unknown) => bridgeFailure(e)).then((r) => {
      // An answer to a superseded request (the head moved again meanwhile) is dropped.
      if (!current) return;
      setLoad((prev) => {
        if (r.ok) return { phase: 'ready', detail: r.value, refreshError: null };
        return prev.phase === 'ready' ? { ...prev, refreshError: r.error } : { phase: 'error', error: r.error };
      });
    });
    return () => {
      current = false;
    };
  }, [api, sessionId, head, push]);

  // A fetch that brought nothing new moves no head, but the page is now confirmed as of that fetch.
  useEffect(
    () =>
      api.on('sync.changed', (sync) => {
        if (sync.state === 'local-only' || !sync.lastFetchAt) return;
        const at = sync.lastFetchAt;
        setLoad((prev) => (prev.phase === 'ready' && prev.detail.asOf !== at ? { ...prev, detail: { ...prev.detail, asOf: at } } : prev));
      }),
    [api],
  );

  return load;
}
