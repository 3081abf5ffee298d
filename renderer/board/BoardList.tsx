import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import type { SyncStatus } from '../../app/views';
import { formatNumber } from '../format';
import { BoardRow, COLUMNS } from './BoardRow';
import { GROUP_LABELS, type BoardItem, type GroupKey } from './derive';

const ROW_HEIGHT = 50;
const HEADER_HEIGHT = 40;
const EMPTY_HEIGHT = 40;

const ORDER_NOTE: Record<GroupKey, string> = {
  active: 'soonest expiry first',
  expired: 'longest expired first',
  review: 'earliest due first',
  reviewed: 'newest first',
};

const EMPTY_TEXT: Record<GroupKey, string> = {
  active: 'No active session.',
  expired: 'No session awaiting closure.',
  review: 'No session awaiting review.',
  reviewed: 'No reviewed session.',
};

function sizeOf(item: BoardItem | undefined): number {
  return item?.kind === 'row' ? ROW_HEIGHT : item?.kind === 'header' ? HEADER_HEIGHT : EMPTY_HEIGHT;
}

function keyOf(item: BoardItem | undefined, i: number): string {
  if (!item) return `missing-${i}`;
  return item.kind === 'row' ? item.row.view.sessionId : `${item.kind}-${item.group}`;
}

/**
 * The board's rows in one virtualized table (@tanstack/react-virtual): only the rows in view (and
 * a few either side) are in the DOM, so 10,000 sessions scroll smoothly. Group headers are items of
 * the same list and the current one sticks to the top. Rows are reached with Tab (each holds a link
 * to its session) and moved through with the arrow keys, Page Up/Down, Home and End.
 */
export function BoardList({ items, busy, sync, behindHosts, resetKey, describedBy }: { items: BoardItem[]; busy: boolean; sync: SyncStatus | null; behindHosts: ReadonlySet<string>; resetKey: unknown; describedBy: string }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headers = useMemo(() => items.flatMap((it, i) => (it.kind === 'header' ? [i] : [])), [items]);
  const activeHeader = useRef(0);
  const rangeExtractor = useCallback(
    (range: Range) => {
      activeHeader.current = [...headers].reverse().find((i) => range.startIndex >= i) ?? 0;
      const next = new Set([activeHeader.current, ...defaultRangeExtractor(range)]);
      return [...next].sort((a, b) => a - b);
    },
    [headers],
  );
  // A new key per item list, so the virtualizer re-measures when the filters change the items.
  const getItemKey = useCallback((i: number) => keyOf(items[i], i), [items]);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => sizeOf(items[i]),
    getItemKey,
    overscan: 6,
    rangeExtractor,
  });

  // New filters show the top of the new list.
  useLayoutEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [resetKey]);

  // Keyboard: the row to focus once the virtualizer has rendered it.
  const pendingFocus = useRef<number | null>(null);
  useEffect(() => {
    const index = pendingFocus.current;
    if (index === null) return;
    const link = scrollRef.current?.querySelector<HTMLAnchorElement>(`[data-index="${index}"] .board-link`);
    if (link) {
      pendingFocus.current = null;
      link.focus();
    }
  });
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    if (!target.classList.contains('board-link')) return;
    const current = Number(target.closest('[data-index]')?.getAttribute('data-index'));
    if (!Number.isInteger(current)) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -items.length, End: items.length };
    const delta = step[e.key];
    if (delta === undefined) return;
    e.preventDefault();
    const next = nearestRow(items, current + delta, delta > 0 ? 1 : -1);
    if (next === null || next === current) return;
    pendingFocus.current = next;
    virtualizer.scrollToIndex(next, { align: 'auto' });
    const link = scrollRef.current?.querySelector<HTMLAnchorElement>(`[data-index="${next}"] .board-link`);
    if (link) {
      pendingFocus.current = null;
      link.focus({ preventScroll: true });
    }
  };

  const virtualItems = virtualizer.getVirtualItems();
  return (
    <div className="board-table" role="table" aria-label="Sessions" aria-rowcount={items.length + 1} aria-describedby={describedBy} aria-busy={busy}>
      <div role="rowgroup" className="board-thead">
        <div role="row" aria-rowindex={1} className="board-grid board-headrow">
          {COLUMNS.map((c) => (
            <div role="columnheader" key={c} className="board-colhead">
              {c}
            </div>
          ))}
        </div>
      </div>
      <div ref={scrollRef} className="board-scroll" data-testid="board-scroll">
        <div role="rowgroup" className="board-body" style={{ height: virtualizer.getTotalSize() }} onKeyDown={onKeyDown}>
          {virtualItems.map((vi) => {
            const item = items[vi.index];
            if (!item) return null;
            const sticky = item.kind === 'header' && vi.index === activeHeader.current;
            const style = sticky ? { height: vi.size } : { height: vi.size, transform: `translateY(${vi.start}px)` };
            const common = { role: 'row' as const, 'aria-rowindex': vi.index + 2, 'data-index': vi.index, style };
            switch (item.kind) {
              case 'header':
                return (
                  <div key={vi.key} {...common} className={`board-group board-group--${item.group}${sticky ? ' board-group--sticky' : ''}`}>
                    <div role="cell" aria-colspan={COLUMNS.length} className="board-group-cell">
                      <h3 className="board-group-title">
                        {GROUP_LABELS[item.group]} <span className={`board-group-count${item.count === 0 ? ' board-group-count--zero' : ''}`}>{formatNumber(item.count)}</span>
                      </h3>
                      {item.group === 'review' && item.overdue > 0 && <span className="board-group-overdue">{formatNumber(item.overdue)} overdue</span>}
                      <span className="board-group-note">{ORDER_NOTE[item.group]}</span>
                    </div>
                  </div>
                );
              case 'empty':
                return (
                  <div key={vi.key} {...common} className="board-empty">
                    <div role="cell" aria-colspan={COLUMNS.length} className="board-empty-cell">
                      {EMPTY_TEXT[item.group]}
                    </div>
                  </div>
                );
              case 'row': {
                const overdue = item.group === 'review' && item.row.view.reviewOverdue;
                return (
                  <div
                    key={vi.key}
                    {...common}
                    className={`board-grid board-row board-row--${item.group}${item.row.view.mine ? ' board-row--mine' : ' board-row--remote'}${overdue ? ' board-row--overdue' : ''}`}
                    data-session={item.row.view.sessionId}
                  >
                    <BoardRow row={item.row} group={item.group} sync={sync} forwardingBehind={behindHosts.has(item.row.view.host.id)} />
                  </div>
                );
              }
            }
          })}
        </div>
      </div>
    </div>
  );
}

/** The row at `index`, or the nearest one in direction `dir` (then the other way): headers and empty lines are skipped. */
function nearestRow(items: BoardItem[], index: number, dir: 1 | -1): number | null {
  const start = Math.min(items.length - 1, Math.max(0, index));
  for (const d of [dir, -dir]) {
    for (let i = start; i >= 0 && i < items.length; i += d) if (items[i]!.kind === 'row') return i;
  }
  return null;
}
