import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import type { Page } from 'playwright-core';
import { generateLedger } from './generate';
import { report, summarise } from './stats';
import { launchConsole, ROOT } from '../test/browser/host';

/**
 * The commander's board (issue 6) on 10,000 sessions / 100,000 records, in Debian's Chromium
 * through the browser test host (the real backend):
 *   1. opening the board to its first rows on screen: from the console's home screen (the hash
 *      changes to #/board, as the "Board" link does) and from a cold page load of #/board; the
 *      baseline is the home screen's own render (navigation start → interactive) in the same run.
 *      Target ≤ 1 s. Where the time goes: `board.get` in the backend alone and through the page's
 *      binding (serialising 10,000 rows); `board.open` (the first 200 rows, compact) and `board.rows`
 *      (the rest in pages), what the board reads since issue 18, with their size; and the cold
 *      page load to every row read.
 *   2. a filter keystroke (one character in the incident search) to the updated list, measured in
 *      the page: performance.now() at the input event (a capturing listener on window, before
 *      React's) to the list's DOM mutation and to the next animation frame. Target ≤ 100 ms.
 *      Baseline: the same keystroke into a bare <input> outside React, to the next frame.
 * Scale with BENCH_SESSIONS; repetitions with BENCH_BOARD_REPS (opening, 10) and BENCH_BOARD_KEYS (keystrokes, 40).
 */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const OPEN_REPS = Number(process.env.BENCH_BOARD_REPS ?? 10);
const KEYS = Math.max(20, Number(process.env.BENCH_BOARD_KEYS ?? 40));

/**
 * Installed in every page: records `performance.now()` (ms since navigation start) when the home
 * screen is interactive and when the board's first row is on screen.
 */
const PROBE = `(() => {
  const homeReady = () => {
    const b = [...document.querySelectorAll('button')].find((x) => (x.textContent ?? '').trim().endsWith('Declare break-glass'));
    return b && !b.disabled && b.checkVisibility();
  };
  const boardRow = () => {
    const r = document.querySelector('[data-testid="board-scroll"] [data-session]');
    return r && r.checkVisibility();
  };
  const observer = new MutationObserver(() => {
    if (window.__homeAt === undefined && homeReady()) window.__homeAt = performance.now();
    if (window.__boardAt === undefined && boardRow()) window.__boardAt = performance.now();
    // Every page read (issue 18): the table is no longer busy.
    if (window.__boardAllAt === undefined && document.querySelector('.board-table[aria-busy="false"] [data-session]')) window.__boardAllAt = performance.now();
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

type ProbeWindow = { __homeAt?: number; __boardAt?: number; __boardAllAt?: number };

async function waitProbe(page: Page, key: '__homeAt' | '__boardAt' | '__boardAllAt'): Promise<number> {
  const handle = await page.waitForFunction((k) => (globalThis as unknown as ProbeWindow)[k as '__homeAt'], key, { timeout: 60_000, polling: 50 });
  return (await handle.jsonValue()) as number;
}

/** In the page: sets the hash to #/board and resolves with the ms until the board's first row is on screen. */
// A string, not a function: tsx would wrap named arrow functions in a helper the page does not have.
const HASH_TO_BOARD = `new Promise((resolve) => {
  const row = () => document.querySelector('[data-testid="board-scroll"] [data-session]')?.checkVisibility() ?? false;
  const t0 = performance.now();
  const observer = new MutationObserver(() => {
    if (!row()) return;
    observer.disconnect();
    resolve(performance.now() - t0);
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  location.hash = '#/board';
})`;

/**
 * Opens the board from the home screen of a freshly loaded console (ms from the hash change to
 * the first row), then returns home and opens it again in the same page (the rows the board
 * store kept are shown at once and re-read behind them: the renderer's own cost).
 */
async function openFromHome(page: Page, url: string): Promise<{ home: number; board: number; again: number }> {
  await page.goto('about:blank');
  await page.goto(`${url}#/`);
  const home = await waitProbe(page, '__homeAt');
  const board = (await page.evaluate(HASH_TO_BOARD)) as number;
  // Let the first read settle before leaving, so the second opening starts from a quiet page.
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[aria-busy="true"]'));
  await page.evaluate(() => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = '#/';
  });
  await page.getByRole('button', { name: 'Declare break-glass' }).waitFor();
  const again = (await page.evaluate(HASH_TO_BOARD)) as number;
  return { home, board, again };
}

/** Installs the keystroke measurement in the page: resolves with input→mutation and input→next frame, in ms. */
const KEY_PROBE = `(() => {
  window.__measureKey = (inputSelector, watchSelector) => new Promise((resolve) => {
    const input = document.querySelector(inputSelector);
    const watched = document.querySelector(watchSelector);
    let t0 = null;
    window.addEventListener('input', (e) => { if (e.target === input) t0 = performance.now(); }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (t0 === null) return;
      const mutated = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => resolve({ mutation: mutated - t0, frame: performance.now() - t0 }));
    });
    observer.observe(watched, { childList: true, subtree: true, characterData: true, attributes: true });
    if (watched === input) {
      // The bare input: no list to change, the frame after the event is the whole cost.
      window.addEventListener('input', () => requestAnimationFrame(() => resolve({ mutation: 0, frame: performance.now() - t0 })), { once: true });
    }
  });
})();`;

type KeyWindow = { __measureKey(input: string, watch: string): Promise<{ mutation: number; frame: number }>; __pendingKey?: Promise<{ mutation: number; frame: number }> };

async function measureKey(page: Page, key: string, input: string, watch: string): Promise<{ mutation: number; frame: number }> {
  await page.evaluate(([i, w]) => {
    const win = globalThis as unknown as KeyWindow;
    win.__pendingKey = win.__measureKey(i!, w!);
  }, [input, watch]);
  await page.keyboard.press(key);
  return page.evaluate(() => (globalThis as unknown as KeyWindow).__pendingKey!);
}

export async function boardBenchmarks(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-board-'));
  const repo = path.join(dir, 'repo');
  const t = performance.now();
  const { records } = await generateLedger(repo, { sessions: SESSIONS, recordsPerSession: 10 });
  console.log(`# Board (issue 6): ${SESSIONS.toLocaleString('en-US')} sessions / ${records.toLocaleString('en-US')} records, generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const env: NodeJS.ProcessEnv = { ...process.env, BREAKGLASS_DATA_DIR: path.join(dir, 'data'), BREAKGLASS_HOST_ID: 'bench-board' };
  delete env.BREAKGLASS_REPO;
  const host = await launchConsole({ repo, env, viewport: { width: 1600, height: 1000 } });
  const { page } = host;
  try {
    await page.exposeBinding('__benchBoardJson', async () => JSON.stringify(await host.backend.dispatch('board.get', {})));
    await page.addInitScript({ content: PROBE });
    await page.addInitScript({ content: KEY_PROBE });

    // Where the time of the board's read goes: the backend alone, and through the page's binding.
    const backendMs: number[] = [];
    const bindingMs: number[] = [];
    let rows = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await host.backend.dispatch('board.get', {});
      backendMs.push(performance.now() - t0);
      if (!r.ok) throw new Error(`board.get failed: ${r.error.message}`);
      rows = (r.value as { rows: unknown[] }).rows.length;
    }
    // What the board reads now (issue 18): its first page of compact rows, then the rest in pages.
    const openMs: number[] = [];
    const pagesMs: number[] = [];
    const full = JSON.stringify(await host.backend.dispatch('board.get', {})).length;
    let paged = { first: 0, all: 0 };
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const o = await host.backend.dispatch('board.open', { limit: 200 });
      openMs.push(performance.now() - t0);
      if (!o.ok) throw new Error(`board.open failed: ${o.error.message}`);
      const { snapshot, total } = o.value as { snapshot: string; total: number };
      let bytes = JSON.stringify(o).length;
      const first = bytes;
      const t1 = performance.now();
      for (let offset = 200; offset < total; offset += 2_500) bytes += JSON.stringify(await host.backend.dispatch('board.rows', { snapshot, offset, limit: 2_500 })).length;
      pagesMs.push(performance.now() - t1);
      paged = { first, all: bytes };
    }
    // From a blank page, so that the probes (init scripts) run in the console's page.
    await page.goto('about:blank');
    await page.goto(`${host.url}#/`);
    await waitProbe(page, '__homeAt');
    for (let i = 0; i < 5; i++) {
      bindingMs.push(
        await page.evaluate(async () => {
          const api = (globalThis as unknown as { breakglass: { board: { get(i: object): Promise<unknown> } } }).breakglass;
          const t0 = performance.now();
          await api.board.get({});
          return performance.now() - t0;
        }),
      );
    }
    // The same value as Electron's IPC carries it (structured clone = V8 serializer), and as JSON
    // text over a binding of its own: the test host's binding serialises every value one by one.
    const cloneMs: number[] = [];
    const value = ((await host.backend.dispatch('board.get', {})) as { value: unknown }).value;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      v8.deserialize(v8.serialize(value));
      cloneMs.push(performance.now() - t0);
    }
    const jsonMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      jsonMs.push(
        await page.evaluate(async () => {
          const fetchJson = (globalThis as unknown as { __benchBoardJson(): Promise<string> }).__benchBoardJson;
          const t0 = performance.now();
          JSON.parse(await fetchJson());
          return performance.now() - t0;
        }),
      );
    }
    if (rows !== SESSIONS) throw new Error(`board.get returned ${rows} rows for ${SESSIONS} sessions`);

    // 1. Opening the board: warm-up once, then from the home screen and cold, interleaved.
    await openFromHome(page, host.url);
    const home: number[] = [];
    const fromHome: number[] = [];
    const again: number[] = [];
    const cold: number[] = [];
    const coldAll: number[] = [];
    for (let i = 0; i < OPEN_REPS; i++) {
      const r = await openFromHome(page, host.url);
      home.push(r.home);
      fromHome.push(r.board);
      again.push(r.again);
      await page.goto('about:blank');
      await page.goto(`${host.url}#/board`);
      cold.push(await waitProbe(page, '__boardAt'));
      coldAll.push(await waitProbe(page, '__boardAllAt'));
    }
    const homeSummary = summarise(home);
    // The first read derives the rows; later ones of the same view reuse them while no expiry or due date passes (issue 18).
    report(`board.get in the backend, ${SESSIONS} rows, first read of the view`, summarise(backendMs.slice(0, 1)), null, 'part of ≤ 1 s');
    report(`board.get in the backend, ${SESSIONS} rows, again`, summarise(backendMs.slice(1)), null, 'part of ≤ 1 s');
    report('  its value through V8 serialize + deserialize (as Electron IPC)', summarise(cloneMs), null, 'part of ≤ 1 s');
    report('  through the test host binding (Playwright)', summarise(bindingMs), summarise(backendMs), 'part of ≤ 1 s');
    report('  through a binding returning JSON text', summarise(jsonMs), summarise(backendMs), 'part of ≤ 1 s');
    report(`board.open in the backend (first 200 rows, ${(paged.first / 1024).toFixed(0)} KiB of JSON)`, summarise(openMs), summarise(backendMs), 'part of ≤ 1 s');
    report(`  board.rows, the other ${rows - 200} in pages of 2,500 (${(paged.all / 1048576).toFixed(1)} MiB in all; board.get: ${(full / 1048576).toFixed(1)} MiB)`, summarise(pagesMs), null, '');
    report('board: home screen → first rows (hash change)', summarise(fromHome), homeSummary, '≤ 1000 ms');
    report('board: cold page load of #/board → first rows', summarise(cold), homeSummary, '≤ 1000 ms');
    report('board: cold page load of #/board → every row read', summarise(coldAll), homeSummary, '');
    report('board: re-opened (rows kept) → first rows', summarise(again), homeSummary, '≤ 1000 ms');

    // 2. A filter keystroke: "INC-1" then alternately one more digit and Backspace, each changing the rows.
    const input = '#board-incident';
    const list = '[data-testid="board-scroll"]';
    await page.locator(input).fill('INC-1');
    await page.locator(input).focus();
    const mutation: number[] = [];
    const frame: number[] = [];
    for (let i = 0; i < KEYS + 4; i++) {
      const key = i % 2 === 0 ? '012345678'[(i / 2) % 9]! : 'Backspace';
      const r = await measureKey(page, key, input, list);
      if (i < 4) continue; // warm-up
      mutation.push(r.mutation);
      frame.push(r.frame);
    }
    // Baseline: a bare input outside React, same keystrokes, to the next frame.
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { createElement(t: string): { id: string; setAttribute(n: string, v: string): void }; body: { append(e: unknown): void } } }).document;
      const bare = doc.createElement('input');
      bare.id = 'bench-bare-input';
      bare.setAttribute('aria-label', 'bench');
      doc.body.append(bare);
    });
    await page.locator('#bench-bare-input').focus();
    const bare: number[] = [];
    for (let i = 0; i < KEYS + 4; i++) {
      const r = await measureKey(page, i % 2 === 0 ? '5' : 'Backspace', '#bench-bare-input', '#bench-bare-input');
      if (i >= 4) bare.push(r.frame);
    }
    report('board: filter keystroke → list updated (DOM)', summarise(mutation), null, '≤ 100 ms');
    report('board: filter keystroke → next frame', summarise(frame), summarise(bare), '≤ 100 ms');
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: `npx tsx bench/board.bench.ts`.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(ROOT, 'bench', 'board.bench.ts')) {
  await boardBenchmarks();
}
