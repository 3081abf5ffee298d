// Lint rules that hold the architecture's boundaries (shared/design/style.md, "What we take" 4):
// app/ is the pure domain, so it may not reach for Electron, Node I/O, React or git.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'process', 'stream', 'util', 'worker_threads', 'url', 'events', 'readline', 'tty', 'zlib', 'dns'];

// Each library, and main/git.ts's Git, has one home in main/ (issue 11, "Lint enforces the shape").
// A file outside an entry's home may not import it; every area below gets the list of the others.
const homes = [
  { home: 'main/git.ts', group: ['simple-git', 'simple-git/*'], message: 'simple-git is imported only by main/git.ts (the one place that runs git): use its Git class.' },
  { home: 'main/electron/**', group: ['electron', 'electron/*'], message: 'Only main/electron/ imports electron: write the logic Electron-free and wire it there.' },
  { home: ['main/evidence/**', 'main/forward/**', 'main/chromium/**'], group: ['proper-lockfile'], message: 'Only main/evidence/ (the writer lock, main/evidence/writerLock.ts), main/forward/ (one forwarder per destination across processes) and main/chromium/ (one Chromium console per data folder) take file locks.' },
  // main/signing/ writes and checks signed commit objects (git plumbing: mktree, hash-object, cat-file).
  { home: ['main/git.ts', 'main/evidence/**', 'main/sync/**', 'main/signing/**'], group: ['**/git', './git'], message: 'Git command lines live in main/git.ts, main/evidence/, main/sync/ and main/signing/ only: call the store, the outbox or the remote instead.' },
];
const homeAreas = ['main/git.ts', 'main/electron/**', 'main/evidence/**', 'main/sync/**', 'main/signing/**', 'main/forward/**', 'main/chromium/**'];
const inHome = (entry, area) => [entry.home].flat().includes(area);
const restrictedOutside = (area) => ({
  'no-restricted-imports': ['error', { patterns: homes.filter((h) => !inHome(h, area)).map(({ group, message }) => ({ group, message })) }],
});
// Renderer boundaries (issue 11; architecture.md "The shape"). Kept in this block so that edits
// elsewhere in this file merge without touching it.
const rendererPatterns = [
  { group: nodeBuiltins, message: 'renderer/ runs sandboxed in the page: no Node.' },
  { group: ['**/main/**', 'electron', 'simple-git'], message: 'renderer/ talks only to window.breakglass (the preload API).' },
];
/** The renderer's feature folders: each may use the shared folders, never another feature. */
const RENDERER_FEATURES = ['board', 'home', 'reports', 'reviews', 'session', 'sessionPage', 'settings', 'wizard'];
/** Shared folders and files (evidence/, forms/, stores/, styles/, format.ts, routes.ts…): they serve every feature and import none. shell/ composes the features. */
const importsOf = (folders) => folders.flatMap((f) => [`../${f}`, `../${f}/**`, `../../${f}`, `../../${f}/**`, `../../../${f}/**`, `./${f}/**`]);
function rendererBoundaries() {
  const rule = (forbidden, message) => ({ 'no-restricted-imports': ['error', { patterns: [...rendererPatterns, { group: importsOf(forbidden), message }] }] });
  return [
    ...RENDERER_FEATURES.map((feature) => ({
      files: [`renderer/${feature}/**/*.{ts,tsx}`],
      rules: rule(
        RENDERER_FEATURES.filter((f) => f !== feature),
        `renderer/${feature}/ is a feature folder: it may not import another feature. Move what both need to a shared folder (renderer/evidence/, renderer/forms/, renderer/stores/, renderer/format.ts); only renderer/shell/ composes features.`,
      ),
    })),
    {
      files: ['renderer/**/*.{ts,tsx}'],
      ignores: [...RENDERER_FEATURES.map((f) => `renderer/${f}/**`), 'renderer/shell/**', 'renderer/main.tsx'],
      rules: rule([...RENDERER_FEATURES, 'shell'], 'A shared renderer folder serves every feature and imports none (only renderer/shell/ composes features).'),
    },
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['app/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'app/ is the pure domain: no Node I/O. Take the side effect through an interface (EvidenceStore, Clock, HostInfo, Runner) that main/ implements.' },
          { group: ['electron', 'electron/*'], message: 'app/ may not import Electron; the glue lives in main/.' },
          { group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'zustand', 'zustand/*'], message: 'app/ may not import UI libraries; the UI lives in renderer/.' },
          { group: ['simple-git', 'proper-lockfile'], message: 'app/ may not run git or lock files; main/ does, behind EvidenceStore.' },
          { group: ['**/main/**', '../main/*', '**/renderer/**'], message: 'app/ depends on nothing else in the project.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'app/ is pure: pass what you need in.' }, { name: 'require', message: 'app/ is pure.' }, { name: 'Buffer', message: 'app/ runs in Chromium too: use Uint8Array / TextEncoder.' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: rendererPatterns }],
    },
  },
  ...homeAreas.map((area) => ({ files: [area.endsWith('.ts') ? area : `${area}/*.ts`], rules: restrictedOutside(area) })),
  { files: ['main/**/*.ts'], ignores: homeAreas, rules: restrictedOutside('main/') },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: homes[0].group, message: homes[0].message }] }] },
  },
  ...rendererBoundaries(),
  // Issue 11: type-aware checks on the product's code. A switch over a union handles every member
  // (a new record type cannot be forgotten), and no promise is left floating (a failure that no
  // one awaits is a failure no one sees).
  {
    files: ['app/**/*.ts', 'main/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
);
