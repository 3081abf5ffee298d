import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../../support/cli';
import { assertCliBuilt } from '../../support/lifecycleKit';

// Issue 18: the CLI loads only what a command uses. The built dist/cli.js and the chunks it
// imports statically hold the command tree and its help; each group's implementation, the
// application layer and zod, yaml and simple-git are in chunks only an action imports.

const DIST = path.join(ROOT, 'dist');
const STATIC_IMPORT = /^import\s[^;]*?from\s*"(\.[^"]+)"|^import\s*"(\.[^"]+)"/gm;
const DYNAMIC_IMPORT = /import\("(\.[^"]+)"\)/g;

/** The built files `entry` loads before any action runs: it and its static imports, transitively. */
function staticClosure(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(STATIC_IMPORT)) visit(path.resolve(path.dirname(file), (m[1] ?? m[2])!));
  };
  visit(entry);
  return seen;
}

beforeAll(() => assertCliBuilt());

describe('the CLI start-up', () => {
  it('loads neither the application layer nor zod, yaml or simple-git before an action runs', () => {
    const loaded = staticClosure(path.join(DIST, 'cli.js'));
    const text = [...loaded.values()].join('\n');
    // esbuild names each bundled source in a comment: `// main/application/application.ts`, `// …/node_modules/zod/…`.
    for (const source of ['main/application/', 'main/evidence/', 'app/redaction/', 'node_modules/zod/', 'node_modules/yaml/', 'node_modules/simple-git/']) {
      expect(text, source).not.toContain(source);
    }
    expect(text).toContain('main/cli/program.ts');
  });

  it('imports each command group\'s implementation from its own chunk', () => {
    const entry = readFileSync(path.join(DIST, 'cli.js'), 'utf8');
    const lazy = [...entry.matchAll(DYNAMIC_IMPORT)].map((m) => path.basename(m[1]!).replace(/^cli-/, '').replace(/-[A-Z0-9]+\.js$/, ''));
    expect(lazy.sort()).toEqual(['acknowledgementActions', 'envActions', 'forwardActions', 'governanceActions', 'repositoryActions', 'sessionActions', 'shellActions']);
  });

  it('env reads this host\'s open slice without loading the application layer, the store\'s writer side or simple-git', () => {
    const entry = readFileSync(path.join(DIST, 'cli.js'), 'utf8');
    const envChunk = [...entry.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!).find((f) => /cli-envActions-/.test(f))!;
    const envText = readFileSync(path.join(DIST, envChunk), 'utf8');
    const sliceChunk = [...envText.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!).find((f) => /cli-openSliceService-/.test(f));
    expect(sliceChunk, 'envActions imports openSliceService on its own').toBeDefined();
    const text = [...staticClosure(path.join(DIST, sliceChunk!)).values(), ...staticClosure(path.join(DIST, envChunk)).values()].join('\n');
    expect(text).toContain('main/evidence/openSlice.ts');
    for (const source of ['main/application/application.ts', 'main/application/context.ts', 'main/evidence/store.ts', 'main/evidence/commit.ts', 'main/signing/', 'main/sync/', 'main/forward/', 'node_modules/simple-git/']) {
      expect(text, source).not.toContain(source);
    }
  });

  it('--help lists every command group and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const command of ['declare', 'status', 'env', 'exec', 'verify', 'report', 'shell', 'roster', 'policy', 'forward', 'acknowledge']) expect(r.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });
});
