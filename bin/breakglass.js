#!/usr/bin/env node
// Entry point of the `breakglass` CLI; the code is built into dist/ by `npm run build` (run by `npm ci` through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write('breakglass: the CLI is not built yet. Run `npm run build` in the project folder, then retry.\n');
  process.exit(2);
}
const { runCli } = await import(built);
process.exitCode = await runCli(process.argv.slice(2));
