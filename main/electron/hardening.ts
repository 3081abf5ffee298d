import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent, Session, WebContents } from 'electron';
import { isAppUrl } from '../console/security';

/**
 * The hardened window and its guards, written against the slices of Electron's types they use so
 * unit tests drive them with plain objects (style.md: `Pick<>` slices). Each setting names the
 * Electron security checklist item it answers (https://www.electronjs.org/docs/latest/tutorial/security).
 */

/** The slice of Electron's BrowserWindow the factory needs (tests pass a recording fake). */
export type WindowConstructor<W> = new (options: BrowserWindowConstructorOptions) => W;

/**
 * The one window factory (style.md "What we take" 9). The options are written out literally at
 * the `new BrowserWindow(...)` site so a reviewer (and Electronegativity) reads them where they apply.
 */
export function createConsoleWindow<W>(BrowserWindow: WindowConstructor<W>, preloadPath: string, packaged: boolean): W {
  return new BrowserWindow({
    width: 1200,
    height: 820,
    minWidth: 880,
    minHeight: 600,
    show: false,
    title: 'Break-Glass Console',
    backgroundColor: '#101418',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true, // checklist 3: context isolation
      sandbox: true, // checklist 4: process sandboxing
      nodeIntegration: false, // checklist 2: no Node.js integration for content
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true, // checklist 6: do not disable webSecurity
      allowRunningInsecureContent: false, // checklist 8: no insecure content
      experimentalFeatures: false, // checklist 9: no experimental features
      disableBlinkFeatures: 'Auxclick', // checklist 13/14: middle-click must not open anything
      webviewTag: false, // checklist 11: no <webview>
      navigateOnDragDrop: false, // checklist 13: a dropped file or link must not navigate the window
      spellcheck: false, // nothing typed here (justifications, incident details) goes to a spelling service
      backgroundThrottling: false, // the countdown must not be throttled when the window is hidden
      devTools: !packaged, // devtools off in packaged builds
      safeDialogs: true,
    },
  });
}

/** Every permission request and check is denied (checklist 5: handle session permission requests). */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/**
 * Navigation and new windows are refused (checklist 13: disable or limit navigation; 14: disable
 * or limit creation of new windows; 12: verify webview options before creation). The console never
 * opens external links with page-supplied input (checklist 15: shell.openExternal).
 */
export function guardContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>): void {
  const refuseUnlessApp = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', refuseUnlessApp);
  contents.on('will-redirect', refuseUnlessApp);
  contents.on('will-frame-navigate', (event: { preventDefault(): void; url: string }) => refuseUnlessApp(event, event.url));
  contents.on('will-attach-webview', (event: { preventDefault(): void }) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The sender check every IPC call passes before its input is even parsed (checklist 17: validate the sender). */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, consoleContentsId: () => number | null): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false; // the top frame of our page only
  if (event.sender.id !== consoleContentsId()) return false; // the console's own window only
  return isAppUrl(frame.url);
}
