import { useEffect, useState } from 'react';
import type { ErrorInfo } from '../../app/contract';
import type { RecordingPlayback } from '../../app/recording/playback';
import { settle } from '../stores/bridge';
import { useStores } from '../stores/context';
import { RecordingPlayer } from './RecordingPlayer';
import './evidence.css';

type Load = { phase: 'loading' } | { phase: 'ready'; recordings: RecordingPlayback[] } | { phase: 'error'; error: ErrorInfo };

/**
 * The session's governed shells, played back (issue 17, "Playback"): the same section on the
 * session page and the review form. `records` is how many records the page holds: when the ledger
 * moves (a new chunk of a running shell, say) the recordings are read again.
 */
export function RecordingsSection({ sessionId, records }: { sessionId: string; records: number }) {
  const { api } = useStores();
  const [load, setLoad] = useState<Load>({ phase: 'loading' });
  useEffect(() => {
    let current = true;
    void settle(api.session.recordings({ sessionId })).then((r) => {
      if (!current) return;
      setLoad(r.ok ? { phase: 'ready', recordings: r.value } : { phase: 'error', error: r.error });
    });
    return () => {
      current = false;
    };
  }, [api, sessionId, records]);

  return (
    <section className="card sp-section" aria-labelledby="sp-recordings-h">
      <h3 id="sp-recordings-h">Shell recordings</h3>
      {load.phase === 'loading' && <p className="muted" role="status">Reading the recordings…</p>}
      {load.phase === 'error' && <p role="alert">The recordings could not be read: {load.error.message}</p>}
      {load.phase === 'ready' && load.recordings.length === 0 && <p className="empty">No governed shell was recorded in this session.</p>}
      {load.phase === 'ready' && load.recordings.map((r) => <RecordingPlayer key={r.recordingId} recording={r} />)}
    </section>
  );
}
