// `npm start`: launches the console (already built by the npm script) on its embedded default
// evidence repository, or on `-- --repo DIR`, in Electron. Where Electron's binary cannot be had
// (machines that reach only a package registry), it says so in one line and runs the same UI in
// the system's Chromium, bound to the same backend (issue 20; main/chromium/start.ts).
// `--chromium` (npm run dev:browser) asks for Chromium even where Electron is installed.
import { spawn } from 'node:child_process';
import { findElectronBinary } from './electron-binary.mjs';

const args = process.argv.slice(2);
const chromiumAsked = args.includes('--chromium');
const rest = args.filter((a) => a !== '--chromium');
const electron = chromiumAsked ? null : findElectronBinary();
if (electron?.ok) {
  const child = spawn(electron.path, ['dist/main.cjs', ...rest], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  if (electron) process.stderr.write(`Electron's binary is not installed (${electron.reason}): starting the console in Chromium instead (README, "Without Electron").\n`);
  const { runChromiumConsole } = await import('../dist/chromiumConsole.mjs');
  process.exit(await runChromiumConsole(rest));
}
