import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchConsole, RENDERER_DIR, ROOT, serveRenderer } from '../test/browser/host';
import { report, summarise } from './stats';

/**
 * Renderer benchmarks (issue 3), through the browser test host in Debian's Chromium:
 *   - time from navigation to the home screen being interactive (the Declare button, or an open
 *     session's panel, visible and enabled), measured in the page against its navigation start,
 *     median of BENCH_RENDERER_REPS (20); baseline: a static page without script on the same
 *     server and CSP, to the same kind of mark. Target ≤ 300 ms.
 *   - JavaScript shipped to the renderer, gzipped (every dist/renderer/**\/*.js through
 *     zlib.gzipSync). Target ≤ 250 KB.
 */
const REPS = Number(process.env.BENCH_RENDERER_REPS ?? 20);

/** Records `performance.now()` (ms since navigation start) when the home screen becomes interactive. */
const READY_PROBE = `(() => {
  const ready = () => {
    const target = [...document.querySelectorAll('button')].find((b) => (b.textContent ?? '').trim().endsWith('Declare break-glass')) ?? document.querySelector('[role="timer"], .ready-mark');
    return target && !target.disabled && target.checkVisibility() ? target : null;
  };
  const observer = new MutationObserver(() => {
    if (window.__readyAt === undefined && ready()) {
      window.__readyAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...jsFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

async function ensureBuilt(): Promise<void> {
  if (existsSync(path.join(RENDERER_DIR, 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** The gzipped size of the renderer's JavaScript, in bytes, with the file count. */
export function rendererJsGzipBytes(dir = RENDERER_DIR): { bytes: number; raw: number; files: number } {
  let bytes = 0;
  let raw = 0;
  const files = jsFiles(dir);
  for (const f of files) {
    const b = readFileSync(f);
    raw += b.length;
    bytes += gzipSync(b).length;
  }
  return { bytes, raw, files: files.length };
}

/** Runs the renderer benchmarks and prints their figures; returns them for callers that compare. */
export async function rendererBenchmarks(): Promise<{ interactive: ReturnType<typeof summarise>; jsGzipBytes: number }> {
  await ensureBuilt();

  const size = rendererJsGzipBytes();
  const kb = size.bytes / 1024;
  console.log(
    `${'renderer JavaScript, gzipped'.padEnd(58)} ${kb.toFixed(1).padStart(8)} KB  (raw ${(size.raw / 1024).toFixed(1)} KB, ${size.files} file${size.files === 1 ? '' : 's'})  target ≤ 250 KB${kb <= 250 ? '' : '  OVER TARGET'}`,
  );

  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-bench-renderer-'));
  const staticDir = path.join(dir, 'static');
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body><main><button class="ready-mark" type="button">Declare break-glass</button></main></body></html>');
  const env: NodeJS.ProcessEnv = { ...process.env, BREAKGLASS_DATA_DIR: path.join(dir, 'data'), BREAKGLASS_HOST_ID: 'bench-renderer' };
  delete env.BREAKGLASS_REPO;
  const host = await launchConsole({ repo: path.join(dir, 'repo'), env });
  const baselineServer = await serveRenderer(staticDir);
  try {
    await host.page.addInitScript({ content: READY_PROBE });
    const measure = async (url: string): Promise<number> => {
      await host.page.goto(url, { waitUntil: 'commit' });
      const handle = await host.page.waitForFunction(() => (globalThis as unknown as { __readyAt?: number }).__readyAt, undefined, { timeout: 30_000, polling: 50 });
      return (await handle.jsonValue()) as number;
    };
    // One warm-up each (Chromium's first navigation pays for process start-up), then interleaved
    // samples so that drift on a shared machine hits both alike.
    await measure(host.url);
    await measure(`${baselineServer.origin}/`);
    const app: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < REPS; i++) {
      app.push(await measure(host.url));
      base.push(await measure(`${baselineServer.origin}/`));
    }
    const interactive = summarise(app);
    report('renderer: navigation → home screen interactive', interactive, summarise(base), '≤ 300 ms');
    return { interactive, jsGzipBytes: size.bytes };
  } finally {
    await baselineServer.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: `npx tsx bench/renderer.bench.ts`.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(ROOT, 'bench', 'renderer.bench.ts')) {
  await rendererBenchmarks();
}
