import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The renderer build (issue 3). The output is served under the CSP of main/console/security.ts
 * (`script-src 'self'; style-src 'self'`), so the built index.html may hold no inline script and
 * no inline style: the module-preload polyfill (an inline script) is off, CSS is always a file,
 * and no asset is inlined as a data: URL. `base: './'` because Electron serves it from
 * `app://console/` and the browser test host from `http://127.0.0.1:<port>/`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    // Electron 45 ships Chromium 142; Debian's Chromium in the tests is newer.
    target: 'chrome128',
    reportCompressedSize: false,
  },
  // The renderer is always tested from the built files under the real CSP; the dev server
  // (which injects inline scripts for hot reload) is deliberately not part of the workflow.
});
