// Builds the Node and Electron entry points with esbuild: the CLI (ESM, dependencies external:
// installed beside the package; split into chunks, issue 18: each command group's implementation
// is imported by the command that runs, so `--help` loads no more than the command tree), the Electron main process and the sandboxed preload (CommonJS,
// as Electron loads them; the preload is bundled whole because a sandboxed preload cannot require).
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
// CommonJS has no import.meta: the Electron main process gets its own file URL under that name
// (main/process finds the recorder worker and the shell-integration scripts beside the bundle).
const cjsImportMeta = {
  define: { 'import.meta.url': '__breakglassFileUrl' },
  banner: { js: "const __breakglassFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// The CLI's chunks of an earlier build are not left beside the new ones (every name holds a hash).
rmSync('dist/cli-chunks', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { cli: 'main/cli/program.ts' }, outdir: 'dist', format: 'esm', packages: 'external', splitting: true, chunkNames: 'cli-chunks/[name]-[hash]' }),
  build({ ...common, ...cjsImportMeta, entryPoints: { main: 'main/electron/main.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, format: 'cjs', packages: 'external' }),
  // Issue 17: the governed shell's recorder runs in a worker thread with the stream redactor, each
  // loaded from its own file beside the bundles (main/process/recorderHost.ts).
  build({ ...common, entryPoints: { recorderWorker: 'main/process/recorderWorker.ts', streamRedactor: 'app/redaction/index.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' }, format: 'esm', packages: 'external' }),
  // Issue 20: the console in the system's Chromium where Electron is absent (`npm start`), and the
  // preload's API as a page script for it (main/chromium/host.ts injects it).
  build({ ...common, entryPoints: { chromiumConsole: 'main/chromium/start.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' }, format: 'esm', packages: 'external' }),
  build({ entryPoints: { rendererApi: 'app/api.ts' }, bundle: true, outdir: 'dist', format: 'iife', globalName: '__breakglassApiModule', platform: 'browser', target: 'chrome120', logLevel: 'warning' }),
  build({ ...common, entryPoints: { preload: 'main/electron/preload.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, format: 'cjs', external: ['electron'], sourcemap: false }),
]);
mkdirSync('dist', { recursive: true });
copyFileSync('build/icon.png', 'dist/icon.png');
copyFileSync('main/process/recorderWorkerEntry.mjs', 'dist/recorderWorkerEntry.mjs');
// bash and zsh read these from a folder (main/process/shellIntegration.ts), next to the bundle.
cpSync('main/process/shell-integration', 'dist/shell-integration', { recursive: true });
