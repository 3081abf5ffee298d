/**
 * The console's security settings, each in one place with the Electron security checklist item
 * it answers (https://www.electronjs.org/docs/latest/tutorial/security, numbered as there).
 * Electron-free, so unit tests and the browser test host use exactly the same values.
 */

/** The scheme the renderer is served from (checklist 18: "Avoid usage of the file:// protocol"). */
export const APP_SCHEME = 'app';
/** The console's own origin. */
export const APP_ORIGIN = `${APP_SCHEME}://console`;

/**
 * Content-Security-Policy for every response of the app protocol (checklist 7: "Define a Content
 * Security Policy"): nothing by default; scripts and styles only from the app itself, no inline
 * script, no eval; no network connections; never framed; no <base>, no form posts.
 */
export function contentSecurityPolicy(self = "'self'"): string {
  return [
    "default-src 'none'",
    `script-src ${self}`,
    `style-src ${self}`,
    `img-src ${self} data:`,
    `font-src ${self}`,
    "connect-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The headers served with every renderer file (CSP plus the usual hardening headers). */
export function rendererHeaders(self?: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(self),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Content types of the files the renderer build produces. */
export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/**
 * Whether a URL is the console's own page (checklist 13: "Disable or limit navigation"; 17:
 * "Validate the sender of all IPC messages"). Only the app origin, nothing else.
 */
export function isAppUrl(url: string, origin = APP_ORIGIN): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === origin;
  } catch {
    return false;
  }
}
