import { readFile, realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MIME_TYPES, rendererHeaders } from '../console/security';

/**
 * What the app window shows while the host binds the API to it: Chromium opens an app window only
 * on a web address (`--app=URL`), and the console's page may load only once the binding is in place.
 */
export const STARTING_PATH = '/starting';
const STARTING_HTML = '<!doctype html><html lang="en"><meta charset="utf-8"><title>Break-Glass Console</title><p>Starting the Break-Glass Console…</p></html>';

/**
 * Serves the built renderer in `dir` on 127.0.0.1 for the Chromium console (issue 20), with the
 * renderer headers of main/console/security.ts — the app protocol's CSP — on every response, and
 * refuses anything outside the folder. Only static files are served: the console's API never
 * crosses this server (it goes over Playwright's pipe to the console's own page), so another local
 * account that opens the URL gets the UI's code and nothing it can call.
 */
export async function serveRenderer(dir: string): Promise<{ origin: string; close(): Promise<void> }> {
  const root = await realpath(dir);
  const server = http.createServer((req, res) => {
    void respond(root, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, text: string): void {
  // Error answers carry the same CSP as files: nothing served here is ever unprotected.
  res.writeHead(status, { ...rendererHeaders("'self'"), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

async function respond(root: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
  } catch {
    return send(res, 400, 'Bad request');
  }
  if (pathname.includes('\0')) return send(res, 400, 'Bad request');
  if (pathname === STARTING_PATH) {
    res.writeHead(200, { ...rendererHeaders("'self'"), 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    return void res.end(req.method === 'HEAD' ? undefined : STARTING_HTML);
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const inside = (p: string) => p === root || p.startsWith(root + path.sep);
  const candidate = path.resolve(root, `.${pathname}`);
  if (!inside(candidate)) return send(res, 403, 'Forbidden');
  let file: string;
  try {
    file = await realpath(candidate); // a symlink may not lead out of the folder either
    if (!inside(file) || !(await stat(file)).isFile()) return send(res, 404, 'Not found');
  } catch {
    return send(res, 404, 'Not found');
  }
  const body = await readFile(file);
  res.writeHead(200, {
    ...rendererHeaders("'self'"),
    'Content-Type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
