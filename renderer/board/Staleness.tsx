import type { SyncStatus, WitnessingStatus } from '../../app/views';
import { useClock } from '../stores/context';
import { formatAgoAt, pastNow } from './time';
import { witnessingSentence } from './witnessingText';

/** How long past the interval a successful fetch may be before the board calls its data stale. */
const GRACE_MS = 15_000;

type Tone = 'live' | 'stale' | 'offline' | 'local';

/**
 * What the board's data is worth, stated plainly (issue 6): when other hosts' sessions were last
 * confirmed against the remote, whether fetching works, and what happens next. It reads the clock,
 * so "2 minutes ago" keeps counting while nothing else changes: old data must never pass for live.
 */
export function Staleness({ sync, onFetchNow, fetchError }: { sync: SyncStatus | null; onFetchNow: () => void; fetchError: string | null }) {
  // Whole seconds: the sentence changes at most once a second.
  const now = useClock((s) => Math.floor(s.now / 1000) * 1000);
  const { tone, title, lines } = describe(sync, now);
  const remote = sync && sync.state !== 'local-only' ? sync : null;
  return (
    <div className={`board-sync board-sync--${tone}`} data-testid="board-staleness">
      <div className="board-sync-text">
        <p className="board-sync-title">{title}</p>
        {lines.map((l) => (
          <p key={l} className="board-sync-line">{l}</p>
        ))}
        {remote?.witnessing && <Witnessing w={remote.witnessing} now={now} />}
        {fetchError && <p className="board-sync-error">{fetchError}</p>}
      </div>
      {remote && (
        <button
          type="button"
          className="button button-secondary board-sync-button"
          aria-disabled={remote.fetching ? 'true' : undefined}
          onClick={() => {
            if (!remote.fetching) onFetchNow();
          }}
        >
          {remote.fetching ? 'Fetching…' : 'Fetch now'}
        </button>
      )}
    </div>
  );
}

/** Whether the last fetch was witnessed (issue 16): the commander must know when their console states nothing. */
function Witnessing({ w, now }: { w: WitnessingStatus; now: number }) {
  const when = formatAgoAt(w.at, pastNow(w.at, now));
  return <p className={w.state === 'witnessed' || w.state === 'witnessed-unsigned' ? 'board-sync-line' : 'board-sync-error'} data-testid="board-witnessing">{witnessingSentence(w, when)}</p>;
}

/** The tone, the headline and the detail lines for a fetch state at `now`. */
export function describe(sync: SyncStatus | null, now: number): { tone: Tone; title: string; lines: string[] } {
  if (sync === null) return { tone: 'stale', title: 'Reading the fetch state…', lines: [] };
  if (sync.state === 'local-only') {
    return {
      tone: 'local',
      title: 'Local only: no remote, this host\u2019s sessions only.',
      lines: ['No remote is configured, so no other host\u2019s records are fetched. Sessions of this host are live.'],
    };
  }
  const asOf = sync.lastFetchAt ? `as of the last fetch ${formatAgoAt(sync.lastFetchAt, pastNow(sync.lastFetchAt, now))}` : null;
  const next = sync.fetching ? 'Fetching now…' : sync.nextFetchAt ? `Next ${sync.state === 'ok' || sync.state === 'never' ? 'fetch' : 'try'} ${formatAgoAt(sync.nextFetchAt, now)}.` : 'No fetch scheduled.';
  const lastTry = sync.lastAttemptAt ? ` Last attempt ${formatAgoAt(sync.lastAttemptAt, pastNow(sync.lastAttemptAt, now))}.` : '';
  const remote = `Remote: ${sync.remote}.`;
  switch (sync.state) {
    case 'never':
      return { tone: 'stale', title: 'Other hosts\u2019 sessions: never fetched from the remote.', lines: [`${remote} ${next}`] };
    case 'ok': {
      const ageMs = now - Date.parse(sync.lastFetchAt ?? '');
      const stale = !(ageMs <= sync.intervalSeconds * 2_000 + GRACE_MS);
      return {
        tone: stale ? 'stale' : 'live',
        title: `Other hosts\u2019 sessions ${asOf ?? 'never fetched'}.`,
        lines: [`${stale ? 'Not refreshed on schedule: these may be out of date. ' : ''}${remote} ${next}`],
      };
    }
    case 'offline':
      return {
        tone: 'offline',
        title: sync.lastFetchAt ? `Offline since the last fetch ${formatAgoAt(sync.lastFetchAt, pastNow(sync.lastFetchAt, now))}: other hosts\u2019 sessions may have changed since.` : 'Offline: other hosts\u2019 sessions were never fetched.',
        lines: [`${remote} Reason: ${sync.reason ?? 'unknown'}.${sync.failingSince ? ` Failing since ${formatAgoAt(sync.failingSince, pastNow(sync.failingSince, now))}.` : ''}${lastTry} ${next}`],
      };
    case 'rejected':
      return {
        tone: 'offline',
        title: `The remote refused the fetch: other hosts\u2019 sessions ${asOf ?? 'were never fetched'}.`,
        lines: [`${remote} Reason: ${sync.reason ?? 'unknown'}.${lastTry} ${next}`],
      };
  }
}
