// Builds the Node and Electron entry points with esbuild: the CLI (ESM, split into chunks, issue 18:
// each command group's implementation is imported by the command that runs, so `--help` loads no
// more than the command tree; its pure-JS dependencies bundled in, see CLI_BUNDLED), the Electron main process and the sandboxed preload (CommonJS,
// as Electron loads them; the preload is bundled whole because a sandboxed preload cannot require).
import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
// CommonJS has no import.meta: the Electron main process gets its own file URL under that name
// (main/process finds the recorder worker and the shell-integration scripts beside the bundle).
const cjsImportMeta = {
  define: { 'import.meta.url': '__breakglassFileUrl' },
  banner: { js: "const __breakglassFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// Issue 18: the CLI's pure-JS dependencies are bundled into its chunks. Node 20 resolves and links
// a package's ESM files one by one: zod alone (a hundred files) cost more than `node -e 0` as a
// dependency, a third of that bundled. The rest (the PTY's native module, @xterm/headless, which
// a transcript imports) stays external, installed beside the package.
const CLI_BUNDLED = ['zod', 'yaml', 'simple-git', 'commander', 'canonicalize', '@noble/hashes', 'proper-lockfile', 'tree-kill', 'shell-quote', 'ansi-regex'];
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const bundleOnly = (names) => ({
  name: 'bundle-only',
  setup(b) {
    // Our own imports of a package: bundled if listed, else external; a bundled package's own imports are bundled with it.
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('node:') || args.importer.includes(`${path.sep}node_modules${path.sep}`) || names.includes(packageOf(args.path)) ? undefined : { external: true }));
  },
});
// zod's `z.locales` (and `z.core.locales`) holds every language's messages (a third of the bundled zod); the CLI speaks
// English only (zod's default, which its schemas import themselves): the namespace keeps `en` alone.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer) ? { path: path.resolve(path.dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: path.dirname(args.path) }));
  },
};
// CommonJS packages bundled into ESM call require() for Node's own modules: they get one.
const esmRequire = { banner: { js: "import { createRequire as __breakglassCreateRequire } from 'node:module'; const require = __breakglassCreateRequire(import.meta.url);" } };
// The CLI's chunks sit beside the bundles (dist/cli-*.js): main/process finds the recorder worker
// and the shell-integration scripts beside the module that runs (import.meta.url). Those of an
// earlier build are not left there (every name holds a hash).
for (const f of existsSync('dist') ? readdirSync('dist') : []) if (/^cli-.*\.js(\.map)?$/.test(f)) rmSync(path.join('dist', f));
await Promise.all([
  build({ ...common, ...esmRequire, entryPoints: { cli: 'main/cli/program.ts' }, outdir: 'dist', format: 'esm', plugins: [bundleOnly(CLI_BUNDLED), zodEnglishOnly], splitting: true, chunkNames: 'cli-[name]-[hash]' }),
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
