import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MIME_TYPES, rendererHeaders } from '../console/security';

/**
 * Serves the built renderer for the app:// scheme (checklist 18: avoid file://), with the CSP and
 * hardening headers on every response, and nothing outside the renderer folder.
 */
export async function serveRenderer(rendererDir: string, requestUrl: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer | string }> {
  const headers = rendererHeaders();
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return { status: 400, headers, body: 'Bad request' };
  }
  const rel = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(rendererDir, rel);
  if (file !== rendererDir && !file.startsWith(rendererDir + path.sep)) return { status: 403, headers, body: 'Forbidden' };
  try {
    const body = await fs.readFile(file);
    return { status: 200, headers: { ...headers, 'Content-Type': MIME_TYPES[path.extname(file)] ?? 'application/octet-stream' }, body };
  } catch {
    return { status: 404, headers, body: 'Not found' };
  }
}
