// Builds the Node and Electron entry points with esbuild: the CLI (ESM, dependencies external:
// installed beside the package), the Electron main process and the sandboxed preload (CommonJS,
// as Electron loads them; the preload is bundled whole because a sandboxed preload cannot require).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  build({ ...common, entryPoints: { cli: 'main/cli/program.ts' }, outdir: 'dist', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: { main: 'main/electron/main.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, format: 'cjs', packages: 'external' }),
  build({ ...common, entryPoints: { preload: 'main/electron/preload.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, format: 'cjs', external: ['electron'], sourcemap: false }),
]);
mkdirSync('dist', { recursive: true });
copyFileSync('build/icon.png', 'dist/icon.png');
