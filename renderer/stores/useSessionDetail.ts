import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useStores } from './context';
import type { DetailLoad } from './sessionDetail';

const LOADING: DetailLoad = { phase: 'loading' };

/**
 * A session's detail from the one session-detail source (stores/sessionDetail.ts): watched while
 * the component is mounted, shared with every other view of the same session.
 */
export function useSessionDetail(sessionId: string): DetailLoad {
  const { details } = useStores();
  const load = useStore(details, (s) => s.details[sessionId] ?? LOADING);
  useEffect(() => details.getState().actions.watch(sessionId), [details, sessionId]);
  return load;
}
