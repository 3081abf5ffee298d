import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli';

/**
 * The shape of the tree (issue 11): no import circle anywhere (type-only imports and `import()`
 * types count too: a circle of types is still two files that cannot be read apart), and no
 * source file (app/, main/, renderer/, bench/) over 400 lines. Imports are read with TypeScript's own pre-processor.
 */

const TREES = ['app', 'main', 'renderer', 'test', 'bench'];
const EXTENSIONS = ['.ts', '.tsx'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (EXTENSIONS.includes(path.extname(p)) && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The project file a relative specifier names, or null (a package, or a file of another kind). */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))]) {
    try {
      if (statSync(candidate).isFile() && EXTENSIONS.includes(path.extname(candidate))) return candidate;
    } catch {
      /* try the next */
    }
  }
  return null;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of TREES.flatMap((t) => sourceFiles(path.join(ROOT, t)))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    graph.set(file, info.importedFiles.map((f) => resolve(file, f.fileName)).filter((f): f is string => f !== null));
  }
  return graph;
}

/** Every circle, each as the files around it (depth-first search, colouring files in progress). */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found.map((c) => c.map((f) => path.relative(ROOT, f)));
}

describe('the import graph', () => {
  const graph = importGraph();

  it('reads the whole tree, type imports included', () => {
    expect(graph.size).toBeGreaterThan(150);
    const outbox = graph.get(path.join(ROOT, 'main/sync/outbox.ts'))!.map((f) => path.relative(ROOT, f));
    // `import type { MergeOutcome }` is an edge too.
    expect(outbox).toContain('main/evidence/merge.ts');
  });

  it('finds a circle when there is one', () => {
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('has no import circle', () => {
    expect(circles(graph)).toEqual([]);
  });
});

describe('the source tree', () => {
  it('has no source file over 400 lines', () => {
    const long = ['app', 'main', 'renderer', 'bench'].flatMap((t) => sourceFiles(path.join(ROOT, t)))
      .map((f) => [path.relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });
});
