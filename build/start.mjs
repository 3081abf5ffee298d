// `npm start`: launches the console (already built by the npm script) on its embedded default
// evidence repository, or on `-- --repo DIR`. Where the Electron binary cannot be had, says so
// plainly instead of a stack trace.
import { spawn } from 'node:child_process';
import { findElectronBinary } from './electron-binary.mjs';

const electron = findElectronBinary();
if (!electron.ok) {
  process.stderr.write(`
The Break-Glass Console could not start: ${electron.reason}.
The electron npm package downloads its binary from the internet on first use, and this machine
could not fetch it. To install it, run \`node node_modules/electron/install.js\` on a machine with
access to Electron's releases (or set ELECTRON_MIRROR to an internal mirror, or point
ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron ${'45'}), then run \`npm start\` again.
Meanwhile the same UI runs in Chromium against the real evidence repository with
\`npm run dev:browser -- --repo <evidence folder>\`, and the \`breakglass\` CLI works without Electron.
`);
  process.exit(1);
}
const child = spawn(electron.path, ['dist/main.cjs', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
