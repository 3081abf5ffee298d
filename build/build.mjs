// Builds the Node entry points (CLI now; main and preload join with the Electron console) with esbuild.
// Dependencies stay external: they are installed beside the package, and electron-builder packs them.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'main/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
