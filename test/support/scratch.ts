import path from 'node:path';
import { afterAll } from 'vitest';
import { cleanup, jsonFile, tempDir } from './cli';

/** One test file's temporary folder, removed after the file's tests: every path handed out in it is new. */
export interface Scratch {
  /** The folder itself (the cwd of `git clone` and the like). */
  dir: string;
  /** A path in the folder never handed out before: `<name>-<n>`. */
  fresh(name: string): string;
  /** Writes `value` as JSON to a new `<name>-<n>.json` in the folder and returns its path. */
  json(name: string, value: unknown): string;
}

/** Creates the test file's scratch folder (call at module level: it registers its own clean-up). */
export function scratchFolder(prefix: string): Scratch {
  const dir = tempDir(prefix);
  afterAll(() => cleanup(dir));
  let counter = 0;
  const fresh = (name: string) => {
    counter += 1;
    return path.join(dir, `${name}-${counter}`);
  };
  return { dir, fresh, json: (name, value) => jsonFile(dir, `${path.basename(fresh(name))}.json`, value) };
}
