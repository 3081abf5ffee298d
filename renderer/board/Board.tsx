import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SyncStatus } from '../../app/views';
import { useStore } from 'zustand';
import { formatCount, formatNumber } from '../format';
import { useApi, useClock, useFeatureStore, type FeatureStoreFactory } from '../stores/context';
import { BoardList } from './BoardList';
import { Staleness } from './Staleness';
import { ForwardingLines } from './Forwarding';
import { AcknowledgeDeclaration, AwaitingAcknowledgement } from './Acknowledge';
import { createBoardStore, type BoardState } from './store';
import { deriveBoard, GROUP_LABELS, indexRows, isFiltered, lastBoundary, STATE_FILTER_LABELS, totalsAt, type BoardFilters, type GroupKey, type IndexedBoard, type StateFilter } from './derive';
import './board.css';
import './boardRows.css';

const EMPTY_INDEX: IndexedBoard = indexRows([]);

/** The board's store of one window (stores/context.tsx `useFeatureStore`); store.ts itself needs no React, so the backend's tests drive it. */
const boardStore: FeatureStoreFactory<BoardState> = ({ api }) => ({ store: createBoardStore(api) });

/** How long the filters must rest before the row count is announced (not at every keystroke). */
const ANNOUNCE_AFTER_MS = 600;

/**
 * The commander's board (issue 6): every session the repository knows — this host's, live, and
 * other hosts' as of the last fetch — grouped by what is left to do, filterable, and virtualized
 * for 10,000 sessions. While it is open, other hosts' records are fetched on the schedule
 * (`sync.watch`); it re-reads when the ledger's head moves.
 */
export function Board() {
  const api = useApi();
  const store = useFeatureStore(boardStore);
  const data = useStore(store, (s) => s.data);
  const partial = useStore(store, (s) => s.partial);
  const sync = useStore(store, (s) => s.sync);
  const error = useStore(store, (s) => s.error);
  const fetchError = useStore(store, (s) => s.fetchError);
  const filters = useStore(store, (s) => s.filters);
  const actions = useStore(store, (s) => s.actions);
  const forwarding = useStore(store, (s) => s.forwarding);
  // The hosts whose rows say "forwarding behind"; a new set only when the forwarding lines change.
  const behindHosts = useMemo(() => new Set(forwarding.filter((l) => l.behind).map((l) => l.hostId)), [forwarding]);

  useEffect(() => {
    const unsubscribe = [
      api.on('sync.changed', (s) => actions.receiveSync(s)),
      api.on('state.changed', (snapshot) => actions.headChanged(snapshot.repository.head)),
      api.on('forward.changed', (statuses) => actions.receiveForwarding(statuses)),
    ];
    void actions.load();
    void actions.watch(true);
    return () => {
      unsubscribe.forEach((u) => u());
      void actions.watch(false);
    };
  }, [api, actions]);

  const indexed = useMemo(() => (data ? indexRows(data.rows, data.signatures, data.acknowledgements) : EMPTY_INDEX), [data]);
  // Changes only when a session's expiry or review due date is passed: the clock does not re-derive 10,000 rows every second.
  const at = useClock((s) => lastBoundary(indexed, s.now));
  const derived = useMemo(() => deriveBoard(indexed, filters, at), [indexed, filters, at]);
  const totals = useMemo(() => totalsAt(indexed, at), [indexed, at]);
  const filtered = isFiltered(filters);
  // Until every page has arrived (issue 18), the summary is the service's and the count says how many are still coming.
  const summary = partial ? { counts: { active: partial.totals.active, expired: partial.totals.expired, review: partial.totals.review, reviewed: partial.totals.reviewed }, overdue: partial.totals.overdue } : totals;
  const total = partial?.total ?? indexed.total;
  const coming = partial ? ` \u00b7 reading the other ${formatNumber(partial.total - indexed.total)}\u2026` : '';

  return (
    <section className="board" aria-labelledby="view-heading">
      <div className="board-head">
        <h2 id="view-heading" tabIndex={-1}>
          Sessions board
        </h2>
        <Summary counts={summary.counts} overdue={summary.overdue} />
      </div>
      <Staleness sync={sync} onFetchNow={() => void actions.fetchNow()} fetchError={fetchError?.message ?? null} />
      <ForwardingLines lines={forwarding} />
      {data?.signatures && !data.signatures.roster && (
        // Issue 15: without a roster nothing on the board is proven; said once, not on every row.
        <div className="banner banner--warning" data-testid="board-unsigned">
          <p>
            <strong>Unsigned:</strong> this repository has no roster, so the names on this board are claimed, not proven.
          </p>
        </div>
      )}
      {error && (
        <div className="banner banner--warning" role="alert">
          <p>
            {data ? 'The board could not be refreshed; the rows below are from the last successful read. ' : 'The board could not be read. '}
            {error.message}
          </p>
          <button type="button" className="button button-secondary" onClick={() => void actions.load()}>
            Retry
          </button>
        </div>
      )}
      <AcknowledgeDeclaration onDone={() => void actions.load()} />
      <AwaitingAcknowledgement acknowledgements={data?.acknowledgements} />
      <Filters filters={filters} board={indexed} onChange={actions.setFilter} onClear={actions.clearFilters} />
      <p className="board-showing" id="board-showing">
        {data ? (
          <>
            <strong>{formatNumber(derived.shown)}</strong> of {formatCount(total, 'session')}
            {filtered ? ' match the filters' : ''}
            {coming}
          </>
        ) : (
          'Reading the sessions…'
        )}
      </p>
      <Announce text={data ? `Showing ${formatNumber(derived.shown)} of ${formatCount(total, 'session')}.${coming}` : ''} />
      <SyncAnnounce state={sync?.state ?? null} />
      {data && <BoardList items={derived.items} busy={partial !== null} sync={sync} behindHosts={behindHosts} resetKey={filters} describedBy="board-showing" />}
    </section>
  );
}

/** The whole repository at a glance, whatever the filters. */
function Summary({ counts, overdue }: { counts: Record<GroupKey, number>; overdue: number }) {
  const item = (label: string, n: number, tone: string): ReactNode => (
    <div className={tone}>
      <dt>{label}</dt>
      <dd>{formatNumber(n)}</dd>
    </div>
  );
  return (
    <dl className="counts board-summary" aria-label="Sessions by state">
      {item(GROUP_LABELS.active, counts.active, counts.active > 0 ? 'count--danger' : '')}
      {item(GROUP_LABELS.expired, counts.expired, counts.expired > 0 ? 'count--warning' : '')}
      {item(GROUP_LABELS.review, counts.review, counts.review > 0 ? 'count--warning' : '')}
      {item('Review overdue', overdue, overdue > 0 ? 'count--danger' : '')}
      {item(GROUP_LABELS.reviewed, counts.reviewed, '')}
    </dl>
  );
}

function Filters({ filters, board, onChange, onClear }: { filters: BoardFilters; board: IndexedBoard; onChange: <K extends keyof BoardFilters>(key: K, value: BoardFilters[K]) => void; onClear: () => void }) {
  return (
    <form className="board-filters" role="search" aria-label="Filter the board" onSubmit={(e) => e.preventDefault()}>
      <div className="board-filter board-filter--search">
        <label htmlFor="board-incident">Incident ID</label>
        <input id="board-incident" type="search" value={filters.incident} placeholder="e.g. INC-12345" autoComplete="off" spellCheck={false} onChange={(e) => onChange('incident', e.target.value)} />
      </div>
      <FilterSelect name="state" label="State" value={filters.state} onChange={(v) => onChange('state', v as StateFilter)}>
        {(Object.keys(STATE_FILTER_LABELS) as StateFilter[]).map((k) => (
          <option key={k} value={k}>
            {STATE_FILTER_LABELS[k]}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect name="environment" label="Environment" value={filters.environment} onChange={(v) => onChange('environment', v)}>
        <NameOptions all="All environments" names={withCurrent(board.environments, filters.environment)} />
      </FilterSelect>
      <FilterSelect name="operator" label="Operator" value={filters.operator} onChange={(v) => onChange('operator', v)}>
        <NameOptions all="All operators" names={withCurrent(board.operators, filters.operator)} />
      </FilterSelect>
      <FilterSelect name="host" label="Host" value={filters.host} onChange={(v) => onChange('host', v)}>
        <option value="">All hosts</option>
        {board.hosts.map((h) => (
          <option key={h.id} value={h.id}>
            {h.mine ? `${h.name} (this host)` : h.name}
          </option>
        ))}
        {filters.host !== '' && !board.hosts.some((h) => h.id === filters.host) && <option value={filters.host}>{filters.host}</option>}
      </FilterSelect>
      {isFiltered(filters) && (
        <button type="button" className="button button-secondary board-clear" onClick={onClear}>
          Clear filters
        </button>
      )}
    </form>
  );
}

/** One labelled filter of the board: a select whose options the caller gives. */
function FilterSelect({ name, label, value, onChange, children }: { name: keyof BoardFilters; label: string; value: string; onChange(value: string): void; children: ReactNode }) {
  return (
    <div className="board-filter">
      <label htmlFor={`board-${name}`}>{label}</label>
      <select id={`board-${name}`} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}

/** "All …", then one option per name. */
function NameOptions({ all, names }: { all: string; names: readonly string[] }) {
  return (
    <>
      <option value="">{all}</option>
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </>
  );
}

/** The options, keeping a chosen value that the latest rows no longer have (so the select still shows it). */
function withCurrent(options: string[], current: string): string[] {
  return current === '' || options.includes(current) ? options : [...options, current];
}

/** Says the row count politely once the filters rest. */
function Announce({ text }: { text: string }) {
  const [said, setSaid] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setSaid(text), ANNOUNCE_AFTER_MS);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="board-announcer">
      {said}
    </p>
  );
}

const SYNC_CHANGES: Record<SyncStatus['state'], string> = {
  'local-only': 'No remote: the board shows this repository only.',
  never: 'Other hosts\u2019 sessions have not been fetched yet.',
  ok: 'Fetching other hosts\u2019 sessions works: the board is up to date.',
  offline: 'Offline: other hosts\u2019 sessions are no longer being updated.',
  rejected: 'The remote refused the fetch: other hosts\u2019 sessions are no longer being updated.',
};

/** Says politely when fetching starts or stops working (not at every fetch: that would be every 30 seconds). */
function SyncAnnounce({ state }: { state: SyncStatus['state'] | null }) {
  const [said, setSaid] = useState('');
  const previous = useRef(state);
  useEffect(() => {
    if (previous.current !== null && state !== null && state !== previous.current) setSaid(SYNC_CHANGES[state]);
    previous.current = state;
  }, [state]);
  return (
    <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="board-sync-announcer">
      {said}
    </p>
  );
}
