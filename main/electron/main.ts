// The Electron main process: thin glue between Electron and the console backend. Everything with
// logic lives in app/ and main/ and is tested in Node; this file wires it (issue 3).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, Notification, powerMonitor, protocol, session, Tray } from 'electron';
import { channelOf } from '../../app/contract';
import { trayTextFor, warningNotification } from '../../app/countdown';
import type { StatusSnapshot } from '../../app/views';
import { ConsoleBackend } from '../console/backend';
import { APP_ORIGIN, APP_SCHEME } from '../console/security';
import { createConsoleWindow, denyAllPermissions, guardContents, isTrustedSender } from './hardening';
import { registerContract } from './ipc';
import { dialogReportSaver, electronPdfPrinter } from './report';
import { serveRenderer } from './protocol';

const { values: args } = parseArgs({
  args: process.argv.slice(app.isPackaged ? 1 : 2),
  options: { repo: { type: 'string' }, observer: { type: 'boolean', default: false } },
  strict: false,
});

// Checklist 4: sandbox every renderer, including any the app did not create itself.
app.enableSandbox();
// Checklist 18: the renderer is served from a privileged custom scheme, not file://.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false } }]);

// A second launch focuses the first: one console, one countdown, one writer per host.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let snapshot: StatusSnapshot | null = null;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });

  // Checklist 13/14 for every web contents, including any created later.
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  // Certificate errors are never bypassed: not handling 'certificate-error' keeps Electron's refusal.

  app.whenReady().then(async () => {
    const rendererDir = path.join(__dirname, 'renderer');
    protocol.handle(APP_SCHEME, async (request) => {
      const r = await serveRenderer(rendererDir, request.url);
      return new Response(typeof r.body === 'string' ? r.body : new Uint8Array(r.body), { status: r.status, headers: r.headers });
    });
    denyAllPermissions(session.defaultSession);
    // No remote content, no telemetry, no auto-update: the console makes no network request of its own (git does, for the remote).
    session.defaultSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith(`${APP_ORIGIN}/`) && !details.url.startsWith('devtools://') }));
    Menu.setApplicationMenu(null);

    const backend = await ConsoleBackend.create({
      repo: typeof args.repo === 'string' ? args.repo : undefined,
      ...(args.observer === true ? { observer: true } : {}),
      clipboard,
      // Issue 7: reports are printed by Electron and saved where the operator chooses.
      reportSaver: dialogReportSaver(dialog, () => window, () => app.getPath('documents')),
      pdfPrinter: electronPdfPrinter(BrowserWindow, session.fromPartition('breakglass-report-print')),
    });
    window = createConsoleWindow(BrowserWindow, path.join(__dirname, 'preload.cjs'), app.isPackaged);
    const contentsId = window.webContents.id;
    registerContract(ipcMain, backend, (event) => isTrustedSender(event, () => (window && !window.isDestroyed() ? contentsId : null)));
    backend.subscribe((event, payload) => {
      if (event === 'state.changed') snapshot = payload as StatusSnapshot;
      if (window && !window.isDestroyed()) window.webContents.send(channelOf(event), payload);
      if (event === 'countdown.warning' && Notification.isSupported()) {
        new Notification(warningNotification(payload as { minutesLeft: number; expiresAt: string })).show();
      }
    });
    snapshot = await backend.snapshot();
    await backend.start();

    tray = new Tray(nativeImage.createFromPath(path.join(__dirname, 'icon.png')));
    tray.setContextMenu(Menu.buildFromTemplate([{ label: 'Show console', click: () => window?.show() }, { role: 'quit' }]));
    // The tray follows the absolute expiry (never a decremented counter); the window title is the
    // page's, in the same words (app/countdown.ts openSessionTitle). A quarter-second refresh keeps
    // the two within the same second.
    setInterval(() => {
      const text = trayTextFor(snapshot, Date.now());
      tray?.setToolTip(text);
      if (process.platform === 'darwin') tray?.setTitle(text.split(' — ')[0] ?? text);
    }, 250);
    // The monotonic clock stops during suspend: after resume, start the clock-jump check afresh.
    powerMonitor.on('resume', () => backend.resetClockBaseline());

    window.once('ready-to-show', () => window?.show());
    await window.loadURL(`${APP_ORIGIN}/index.html`);
    app.on('before-quit', () => backend.stop());
  }).catch((e: unknown) => {
    process.stderr.write(`Break-Glass Console could not start: ${(e as Error).message}\n`);
    app.exit(1);
  });

  app.on('window-all-closed', () => app.quit());
}
