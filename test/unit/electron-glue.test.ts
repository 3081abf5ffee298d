import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent } from 'electron';
import { createConsoleWindow, denyAllPermissions, guardContents, isTrustedSender } from '../../main/electron/hardening';
import { registerContract } from '../../main/electron/ipc';
import { serveRenderer } from '../../main/electron/protocol';
import { contentSecurityPolicy, isAppUrl } from '../../main/console/security';
import { CALLS, channelOf } from '../../app/contract';
import { buildApi } from '../../app/api';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('window factory (Electron security checklist)', () => {
  class RecordingWindow {
    static last: BrowserWindowConstructorOptions | null = null;
    constructor(options: BrowserWindowConstructorOptions) {
      RecordingWindow.last = options;
    }
  }
  const optionsFor = (packaged: boolean) => {
    createConsoleWindow(RecordingWindow, '/app/preload.cjs', packaged);
    return RecordingWindow.last!;
  };
  const prefs = optionsFor(true).webPreferences!;
  it('isolates, sandboxes and keeps Node out of the page', () => {
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false, experimentalFeatures: false });
  });
  it('disables auxclick, spellcheck and throttling, and devtools when packaged', () => {
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
    expect(prefs.spellcheck).toBe(false);
    expect(prefs.backgroundThrottling).toBe(false);
    expect(prefs.devTools).toBe(false);
    expect(optionsFor(false).webPreferences!.devTools).toBe(true);
  });
  it('loads the preload it is given and starts hidden until ready', () => {
    const o = optionsFor(true);
    expect(o.webPreferences?.preload).toBe('/app/preload.cjs');
    expect(o.show).toBe(false);
  });
});

describe('content security policy', () => {
  const csp = contentSecurityPolicy();
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
  it('denies by default and allows scripts and styles only from the app', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
  });
  it('has no unsafe-eval or unsafe-inline anywhere, and no network', () => {
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(directives.get('connect-src')).toEqual(["'none'"]);
  });
  it('is never framed, has no base or form targets', () => {
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});

describe('permissions and navigation', () => {
  it('denies every permission request, check and device request', () => {
    const handlers: Record<string, (...a: unknown[]) => unknown> = {};
    denyAllPermissions({
      setPermissionRequestHandler: (h: unknown) => void (handlers.request = h as never),
      setPermissionCheckHandler: (h: unknown) => void (handlers.check = h as never),
      setDevicePermissionHandler: (h: unknown) => void (handlers.device = h as never),
    } as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      handlers.request!({}, permission, cb, {});
      expect(cb).toHaveBeenCalledWith(false);
      expect(handlers.check!({}, permission, 'app://console', {})).toBe(false);
    }
    expect(handlers.device!({})).toBe(false);
  });

  it('refuses navigation away from the app, redirects, webviews and every new window', () => {
    const on: Record<string, (...a: unknown[]) => void> = {};
    let openHandler: ((d: unknown) => { action: string }) | null = null;
    guardContents({ on: (ev: string, h: (...a: unknown[]) => void) => void (on[ev] = h), setWindowOpenHandler: (h: never) => void (openHandler = h) } as never);
    const event = () => ({ preventDefault: vi.fn() });
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/', 'javascript:alert(1)']) {
      const e1 = event();
      on['will-navigate']!(e1, url);
      expect(e1.preventDefault, url).toHaveBeenCalled();
      const e2 = event();
      on['will-redirect']!(e2, url);
      expect(e2.preventDefault).toHaveBeenCalled();
      const e3 = { ...event(), url };
      on['will-frame-navigate']!(e3);
      expect(e3.preventDefault).toHaveBeenCalled();
    }
    const same = event();
    on['will-navigate']!(same, 'app://console/index.html');
    expect(same.preventDefault).not.toHaveBeenCalled();
    const wv = event();
    on['will-attach-webview']!(wv);
    expect(wv.preventDefault).toHaveBeenCalled();
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'app://console/x' })).toEqual({ action: 'deny' });
  });

  it('recognises only the console origin', () => {
    expect(isAppUrl('app://console/index.html')).toBe(true);
    expect(isAppUrl('app://console.evil/')).toBe(false);
    expect(isAppUrl('https://console/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});

describe('IPC registration', () => {
  function setup() {
    const registered = new Map<string, (event: IpcMainInvokeEvent, input: unknown) => Promise<unknown>>();
    const dispatch = vi.fn(async (name: string, input: unknown) => ({ ok: true as const, value: { name, input } }));
    const consoleId = 7;
    const channels = registerContract({ handle: (ch: string, h: never) => void registered.set(ch, h) } as never, { dispatch }, (event) => isTrustedSender(event, () => consoleId));
    const event = (url: string, senderId = consoleId, parent: unknown = null) => ({ senderFrame: { url, parent }, sender: { id: senderId } }) as unknown as IpcMainInvokeEvent;
    return { registered, dispatch, channels, event };
  }

  it('registers exactly the contract, one channel per call', () => {
    const { channels } = setup();
    expect(channels.sort()).toEqual(Object.keys(CALLS).map((n) => channelOf(n as keyof typeof CALLS)).sort());
  });

  it('refuses a call from a foreign origin, another window or a subframe without reaching the service', async () => {
    const { registered, dispatch, event } = setup();
    const h = registered.get(channelOf('session.note'))!;
    for (const e of [event('https://evil.example/'), event('app://console/index.html', 99), event('app://console/index.html', 7, {}), event('file:///index.html')]) {
      expect(await h(e, { text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('passes a call from the console page to the dispatcher, which validates it', async () => {
    const { registered, dispatch, event } = setup();
    await registered.get(channelOf('status.get'))!(event('app://console/index.html'), {});
    expect(dispatch).toHaveBeenCalledWith('status.get', {});
  });
});

describe('preload API', () => {
  it('exposes named methods for exactly the contract and an on() that returns the unsubscribe; nothing generic', async () => {
    const invoke = vi.fn(async () => ({ ok: true as const, value: 1 }));
    const unsubscribe = vi.fn();
    const api = buildApi(invoke, () => unsubscribe) as unknown as Record<string, Record<string, (i?: unknown) => Promise<unknown>>>;
    const exposed = Object.entries(api).flatMap(([g, v]) => (typeof v === 'function' ? [g] : Object.keys(v).map((m) => `${g}.${m}`)));
    expect(exposed.filter((n) => n !== 'on').sort()).toEqual(Object.keys(CALLS).sort());
    expect(Object.keys(api)).not.toContain('invoke');
    await api.session!.declare!({ declaration: {} });
    expect(invoke).toHaveBeenCalledWith('session.declare', { declaration: {} });
    const off = (api as unknown as { on: (e: string, l: () => void) => () => void }).on('state.changed', () => {});
    off();
    expect(unsubscribe).toHaveBeenCalled();
    expect(() => (api as unknown as { on: (e: string, l: () => void) => void }).on('anything', () => {})).toThrow(/Unknown event/);
  });
});

describe('app:// protocol', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-renderer-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(dir, 'assets', 'a.js'), 'console.log(1)');
  writeFileSync(path.join(os.tmpdir(), 'bg-outside-secret.txt'), 'secret');

  it('serves the renderer with the CSP on every response', async () => {
    const r = await serveRenderer(dir, 'app://console/');
    expect(r.status).toBe(200);
    expect(r.headers['Content-Security-Policy']).toBe(contentSecurityPolicy());
    const js = await serveRenderer(dir, 'app://console/assets/a.js');
    expect(js.headers['Content-Type']).toMatch(/javascript/);
    expect((await serveRenderer(dir, 'app://console/missing.js')).headers['Content-Security-Policy']).toBe(contentSecurityPolicy());
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const u of ['app://console/../bg-outside-secret.txt', 'app://console/%2e%2e/bg-outside-secret.txt', 'app://console/..%2fbg-outside-secret.txt']) {
      const r = await serveRenderer(dir, u);
      expect(r.status, u).not.toBe(200);
      expect(String(r.body)).not.toContain('secret');
    }
  });
});
